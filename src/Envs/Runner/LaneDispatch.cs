using RlKernels.Envs.Conformance;

namespace RlKernels.Envs.Runner;

/// <summary>
/// Something built on a lane type chosen at run time. C# cannot pass an open generic method around, so the
/// caller hands this visitor to <see cref="LaneDispatch.On{TFactory, TResult}"/>, which calls <see cref="Make{T}"/>
/// with the closed lane type.
/// </summary>
internal interface ILaneFactory<TResult>
{
    /// <summary>The thing, built on lane <typeparamref name="T"/>.</summary>
    TResult Make<T>() where T : struct, ILane<T>;
}

/// <summary>The one place that turns a backend or a <see cref="StepperLane"/> into a lane type.</summary>
internal static class LaneDispatch
{
    /// <summary>Calls <paramref name="factory"/> with the lane type of <paramref name="lane"/>.</summary>
    public static TResult On<TFactory, TResult>(StepperLane lane, TFactory factory) where TFactory : ILaneFactory<TResult> => lane switch
    {
        StepperLane.D1 => factory.Make<D1>(),
        StepperLane.F1 => factory.Make<F1>(),
        StepperLane.F4 => factory.Make<F4>(),
        StepperLane.F8 => factory.Make<F8>(),
        StepperLane.F16 => factory.Make<F16>(),
        _ => throw new ArgumentOutOfRangeException(nameof(lane), lane, "Unknown lane."),
    };

    /// <summary>
    /// The lane a CPU backend runs on: <see cref="Backend.Cpu"/> the widest this machine accelerates
    /// (<see cref="LaneSelection.BestWidth"/>), <see cref="Backend.CpuScalar"/> one float, <see cref="Backend.CpuDouble"/> one double.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a CPU backend.</exception>
    public static StepperLane OfCpuBackend(Backend backend) => backend switch
    {
        Backend.Cpu => LaneSelection.BestWidth switch { 16 => StepperLane.F16, 8 => StepperLane.F8, 4 => StepperLane.F4, _ => StepperLane.F1 },
        Backend.CpuScalar => StepperLane.F1,
        Backend.CpuDouble => StepperLane.D1,
        _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, "Unknown backend."),
    };
}
