using System.Diagnostics.CodeAnalysis;
using RlKernels.Envs.Conformance;
using RlKernels.Envs.Runner;
using RlKernels.Envs.Tabular;
using RlKernels.Envs.Wrappers;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Registry;

/// <summary>One registered env id: what its declaration (<see cref="IEnvDeclaration{TParams}"/>) says, for any arguments.</summary>
public abstract class EnvEntry
{
    /// <summary>The env's id.</summary>
    public abstract string Id { get; }

    /// <summary>Bit k set: observation feature k is a velocity (what <c>hide_velocity=true</c> removes); 0 if none.</summary>
    public abstract uint VelocityFeatures { get; }

    /// <summary>The spec for <paramref name="args"/> (observation wrappers included).</summary>
    public abstract EnvSpec Spec(EnvArgs args);

    /// <summary><paramref name="envCount"/> copies on <see cref="VectorEnvOptions.Backend"/>.</summary>
    public abstract IVectorEnv Make(int envCount, VectorEnvOptions options, EnvArgs args);

    /// <summary>Single transitions on <paramref name="lane"/>, for the conformance checker.</summary>
    public abstract IConformanceStepper CreateStepper(StepperLane lane, EnvArgs args);

    /// <summary>
    /// The env's explicit tabular model (Gymnasium's P: per (s, a) the outcome list in order, and the
    /// initial distribution) for <paramref name="args"/>; false for envs without one (classic control).
    /// </summary>
    /// <exception cref="ArgumentException">An argument the env does not take, or a bad value.</exception>
    public abstract bool TryGetTabularModel(EnvArgs args, [NotNullWhen(true)] out TabularMdp? model);

    /// <summary>Whether the env declares a tabular model (with its default options).</summary>
    public bool HasTabularModel => TryGetTabularModel(EnvArgs.Empty, out _);

    /// <summary>Whether the env is one of the library's own (declared in this assembly), not a test's or a user's.</summary>
    public abstract bool IsBuiltIn { get; }

    /// <summary>Whether the env runs as a lane env (its own struct of dynamics) rather than as a tabular model's table.</summary>
    public abstract bool IsLaneEnv { get; }

    /// <summary>
    /// A CPU runner on the given lane type whatever the machine's best width (tests compare lanes): labelled
    /// <see cref="Backend.Cpu"/>, so <see cref="VectorEnvOptions.Threads"/> is honoured.
    /// </summary>
    internal abstract IVectorEnv MakeOnLane(StepperLane lane, int envCount, VectorEnvOptions options, EnvArgs args);

    /// <summary>The closed (env, params) types the GPU kernels are instantiated with for these arguments (for PTX compile checks).</summary>
    internal abstract (Type Env, Type Params) GpuKernelTypes(EnvArgs args);
}

/// <summary>
/// The entry of a declared env: every backend, the conformance stepper and the observation wrappers
/// (<see cref="EnvWrapperOptions"/>, <see cref="ObservationNormalization"/>) come from the declaration's one
/// <see cref="IEnvDeclaration{TParams}.Accept"/> method.
/// </summary>
internal sealed class EnvEntry<TDecl, TParams> : EnvEntry
    where TDecl : IEnvDeclaration<TParams>
    where TParams : struct
{
    public override string Id => TDecl.Id;

    public override uint VelocityFeatures => TDecl.VelocityFeatures;

    public override bool IsBuiltIn => typeof(TDecl).Assembly == typeof(EnvEntry).Assembly;

    public override bool IsLaneEnv => TDecl.Accept<F1, LaneEnvSink<F1>, bool>(default, TDecl.Parse(EnvArgs.Empty));

    /// <summary>Env parameters and wrappers from <paramref name="args"/>; any key left unread is an error.</summary>
    private static (TParams Params, EnvWrapperOptions Wrappers, ObservationNormalization? Normalize) Parse(EnvArgs args)
    {
        TParams p = TDecl.Parse(args);
        // Wrapper keys are read for lane envs only: on an explicit model they stay unread, hence an error.
        var wrappers = TDecl.Accept<F1, LaneEnvSink<F1>, bool>(default, p)
            ? EnvWrapperOptions.Parse(args, TDecl.Id, TDecl.VelocityFeatures, TDecl.Accept<F1, SpecSink<F1>, EnvSpec>(default, p).ObsSize)
            : new EnvWrapperOptions();
        var normalize = ObservationNormalization.Parse(args);
        args.ThrowIfUnread(TDecl.Id);
        return (p, wrappers, normalize);
    }

    /// <summary>Parameters alone (no wrapper keys accepted): conformance and tabular models are about the env itself.</summary>
    private static TParams ParseEnvOnly(EnvArgs args)
    {
        TParams p = TDecl.Parse(args);
        args.ThrowIfUnread(TDecl.Id);
        return p;
    }

    public override EnvSpec Spec(EnvArgs args)
    {
        var (p, wrappers, _) = Parse(args);
        return TDecl.Accept<F1, WrapperSink<F1, SpecSink<F1>, EnvSpec>, EnvSpec>(new(wrappers, default), p);
    }

    public override IConformanceStepper CreateStepper(StepperLane lane, EnvArgs args)
    {
        return LaneDispatch.On<StepperFactory, IConformanceStepper>(lane, new(ParseEnvOnly(args)));
    }

    private readonly struct StepperFactory(TParams p) : ILaneFactory<IConformanceStepper>
    {
        public IConformanceStepper Make<T>() where T : struct, ILane<T> => TDecl.Accept<T, StepperSink<T>, IConformanceStepper>(default, p);
    }

    public override bool TryGetTabularModel(EnvArgs args, [NotNullWhen(true)] out TabularMdp? model) =>
        TDecl.TryGetModel(ParseEnvOnly(args), out model);

    public override IVectorEnv Make(int envCount, VectorEnvOptions options, EnvArgs args)
    {
        if (envCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(envCount), envCount, "envCount must be at least 1.");
        var (p, wrappers, normalize) = Parse(args);
        IVectorEnv env = options.Backend is Backend.Gpu or Backend.GpuCpuAccelerator
            ? TDecl.Accept<F1, WrapperSink<F1, GpuRunnerSink, IVectorEnv>, IVectorEnv>(new(wrappers, new GpuRunnerSink(envCount, options)), p)
            : LaneDispatch.On<CpuFactory, IVectorEnv>(LaneDispatch.OfCpuBackend(options.Backend), new(p, wrappers, envCount, options, options.Backend));
        return NormalizedVectorEnv.WrapIfRequested(env, normalize ?? options.NormalizeObservations);
    }

    // A CPU runner on lane T, labelled with the backend it was asked for.
    private readonly struct CpuFactory(TParams p, EnvWrapperOptions wrappers, int envCount, VectorEnvOptions options, Backend backend)
        : ILaneFactory<IVectorEnv>
    {
        public IVectorEnv Make<T>() where T : struct, ILane<T> =>
            TDecl.Accept<T, WrapperSink<T, CpuRunnerSink<T>, IVectorEnv>, IVectorEnv>(new(wrappers, new CpuRunnerSink<T>(envCount, options, backend)), p);
    }

    internal override IVectorEnv MakeOnLane(StepperLane lane, int envCount, VectorEnvOptions options, EnvArgs args)
    {
        var (p, wrappers, _) = Parse(args);
        return LaneDispatch.On<CpuFactory, IVectorEnv>(lane, new(p, wrappers, envCount, options, Backend.Cpu));
    }

    internal override (Type Env, Type Params) GpuKernelTypes(EnvArgs args)
    {
        var (p, wrappers, _) = Parse(args);
        return TDecl.Accept<F1, WrapperSink<F1, KernelTypesSink, (Type, Type)>, (Type, Type)>(new(wrappers, default), p);
    }
}
