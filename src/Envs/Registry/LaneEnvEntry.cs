using System.Diagnostics.CodeAnalysis;
using RlKernels.Envs.Tabular;
using RlKernels.Envs.Conformance;
using RlKernels.Envs.Runner;
using RlKernels.Envs.Wrappers;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Registry;

/// <summary>
/// A registered lane env: every backend, the conformance stepper and the observation wrappers
/// (<see cref="EnvWrapperOptions"/>, <see cref="ObservationNormalization"/>) come from the binding's one
/// <see cref="ILaneEnvBinding{TParams}.Accept"/> method.
/// </summary>
internal sealed class LaneEnvEntry<TFamily, TParams> : EnvEntry
    where TFamily : IEnvFamily<TParams>, ILaneEnvBinding<TParams>
    where TParams : struct
{
    public override string Id => TFamily.Id;

    /// <summary>Env parameters and wrappers from <paramref name="args"/>; any key left unread is an error.</summary>
    private static (TParams Params, EnvWrapperOptions Wrappers, ObservationNormalization? Normalize) Parse(EnvArgs args)
    {
        TParams p = TFamily.Parse(args);
        int obsSize = TFamily.Accept<F1, SpecSink, EnvSpec>(default, p).ObsSize;
        var wrappers = EnvWrapperOptions.Parse(args, TFamily.Id, TFamily.VelocityFeatures, obsSize);
        var normalize = ObservationNormalization.Parse(args);
        args.ThrowIfUnread(TFamily.Id);
        return (p, wrappers, normalize);
    }

    public override EnvSpec Spec(EnvArgs args)
    {
        var (p, wrappers, _) = Parse(args);
        return TFamily.Accept<F1, WrapperSink<SpecSink, EnvSpec>, EnvSpec>(new(wrappers, default), p);
    }

    /// <summary>Conformance compares the env itself with Gymnasium: wrapper keys are not accepted here.</summary>
    public override IConformanceStepper CreateStepper(StepperLane lane, EnvArgs args)
    {
        TParams p = TFamily.Parse(args);
        args.ThrowIfUnread(TFamily.Id);
        return lane switch
        {
            StepperLane.D1 => TFamily.Accept<D1, StepperSink, IConformanceStepper>(default, p),
            StepperLane.F1 => TFamily.Accept<F1, StepperSink, IConformanceStepper>(default, p),
            StepperLane.F8 => TFamily.Accept<F8, StepperSink, IConformanceStepper>(default, p),
            StepperLane.F16 => TFamily.Accept<F16, StepperSink, IConformanceStepper>(default, p),
            _ => throw new ArgumentOutOfRangeException(nameof(lane), lane, "Unknown lane."),
        };
    }

    public override bool TryGetTabularModel(EnvArgs args, [NotNullWhen(true)] out TabularMdp? model)
    {
        TParams p = TFamily.Parse(args);
        args.ThrowIfUnread(TFamily.Id);
        return TFamily.TryGetModel(p, out model);
    }

    public override IVectorEnv Make(int envCount, VectorEnvOptions options, EnvArgs args)
    {
        if (envCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(envCount), envCount, "envCount must be at least 1.");
        var (p, wrappers, normalize) = Parse(args);
        IVectorEnv env = options.Backend switch
        {
            Backend.Cpu => LaneSelection.BestWidth switch
            {
                16 => Cpu<F16>(p, wrappers, envCount, options, Backend.Cpu),
                8 => Cpu<F8>(p, wrappers, envCount, options, Backend.Cpu),
                _ => Cpu<F1>(p, wrappers, envCount, options, Backend.Cpu),
            },
            Backend.CpuScalar => Cpu<F1>(p, wrappers, envCount, options, Backend.CpuScalar),
            Backend.CpuDouble => Cpu<D1>(p, wrappers, envCount, options, Backend.CpuDouble),
            Backend.Gpu or Backend.GpuCpuAccelerator => TFamily.Accept<F1, WrapperSink<GpuRunnerSink, IVectorEnv>, IVectorEnv>(
                new(wrappers, new GpuRunnerSink(envCount, options)), p),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Backend, "Unknown backend."),
        };
        return NormalizedVectorEnv.WrapIfRequested(env, normalize ?? options.NormalizeObservations);
    }

    private static IVectorEnv Cpu<T>(TParams p, EnvWrapperOptions wrappers, int envCount, VectorEnvOptions options, Backend backend)
        where T : struct, ILane<T> =>
        TFamily.Accept<T, WrapperSink<CpuRunnerSink, IVectorEnv>, IVectorEnv>(new(wrappers, new CpuRunnerSink(envCount, options, backend)), p);

    internal override (Type Env, Type Params)? GpuKernelTypes(EnvArgs args)
    {
        var (p, wrappers, _) = Parse(args);
        return TFamily.Accept<F1, WrapperSink<KernelTypesSink, (Type, Type)>, (Type, Type)>(new(wrappers, default), p);
    }
}
