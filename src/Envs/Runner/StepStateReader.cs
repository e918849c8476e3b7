using System.Runtime.CompilerServices;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Runner;

/// <summary>
/// The state reader of a step: the lane value's memory (<typeparamref name="TIO"/>), saying whether the step's
/// observation will be written (<see cref="ILaneReader{T}.Observed"/>), so that an env can leave out of its Load what
/// only its Observe reads.
/// </summary>
public readonly struct StepStateReader<T, TIO>(TIO io, bool observed) : ILaneReader<T>
    where T : struct, ILane<T> where TIO : struct, IEnvLaneIO<T>
{
    private readonly TIO _io = io;

    /// <inheritdoc/>
    public bool Observed { get; } = observed;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Read(int index) => _io.Read(index);
}
