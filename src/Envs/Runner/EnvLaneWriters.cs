using System.Runtime.CompilerServices;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Runner;

// Adapters that let an env's Store/Observe write to one destination of an IEnvLaneIO. Each is its
// own type so the destination is known when the JIT (or ILGPU) compiles the call: no run-time switch.

/// <summary>Env Store → state columns.</summary>
public struct StateWriter<T, TIO>(TIO io) : ILaneWriter<T> where T : struct, ILane<T> where TIO : struct, IEnvLaneIO<T>
{
    private TIO _io = io;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, T value) => _io.WriteState(index, value);
}

/// <summary>Env Store → state columns where the mask is true.</summary>
public struct MaskedStateWriter<T, TIO>(TIO io, T mask) : ILaneWriter<T> where T : struct, ILane<T> where TIO : struct, IEnvLaneIO<T>
{
    private TIO _io = io;
    private readonly T _mask = mask;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, T value) => _io.WriteStateMasked(index, value, _mask);
}

/// <summary>Env Observe → observation rows.</summary>
public struct ObservationWriter<T, TIO>(TIO io) : ILaneWriter<T> where T : struct, ILane<T> where TIO : struct, IEnvLaneIO<T>
{
    private TIO _io = io;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, T value) => _io.WriteObservation(index, value);
}

/// <summary>Env Observe → observation rows where the mask is true.</summary>
public struct MaskedObservationWriter<T, TIO>(TIO io, T mask) : ILaneWriter<T> where T : struct, ILane<T> where TIO : struct, IEnvLaneIO<T>
{
    private TIO _io = io;
    private readonly T _mask = mask;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, T value) => _io.WriteObservationMasked(index, value, _mask);
}

/// <summary>Env Observe → final-observation rows where the mask is true.</summary>
public struct FinalObservationWriter<T, TIO>(TIO io, T mask) : ILaneWriter<T> where T : struct, ILane<T> where TIO : struct, IEnvLaneIO<T>
{
    private TIO _io = io;
    private readonly T _mask = mask;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, T value) => _io.WriteFinalObservation(index, value, _mask);
}
