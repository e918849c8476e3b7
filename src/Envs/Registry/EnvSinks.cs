using RlKernels.Envs.Conformance;
using RlKernels.Envs.Runner;
using RlKernels.Envs.Tabular;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Registry;

// What the registry does with a lane env type (see IEnvSink): one sink per use.

/// <summary>Builds the CPU runner over lane <c>T</c>.</summary>
internal readonly struct CpuRunnerSink<T>(int envCount, VectorEnvOptions options, Backend backend) : IEnvSink<T, IVectorEnv>
    where T : struct, ILane<T>
{
    public IVectorEnv Use<TEnv, TParams>(TParams p)
        where TEnv : struct, IEnv<TEnv, T, TParams>, IEnvSpec<TParams> where TParams : struct =>
        new CpuVectorEnv<TEnv, T, TParams>(TEnv.Spec(p), p, envCount, options, backend);

    public IVectorEnv UseTabular(TabularMdp model, EnvSpec spec) =>
        TabularVectorEnv.CreateCpu<T>(model, spec, envCount, options, backend);
}

/// <summary>Builds the GPU runner: it steps <see cref="F1"/> lanes, so this sink is the F1 one.</summary>
internal readonly struct GpuRunnerSink(int envCount, VectorEnvOptions options) : IEnvSink<F1, IVectorEnv>
{
    public IVectorEnv Use<TEnv, TParams>(TParams p)
        where TEnv : struct, IEnv<TEnv, F1, TParams>, IEnvSpec<TParams> where TParams : struct =>
        new GpuVectorEnv<TEnv, TParams>(TEnv.Spec(p), p, envCount, options);

    public IVectorEnv UseTabular(TabularMdp model, EnvSpec spec) => TabularVectorEnv.CreateGpu(model, spec, envCount, options);
}

/// <summary>The env's spec.</summary>
internal readonly struct SpecSink<T> : IEnvSink<T, EnvSpec>
    where T : struct, ILane<T>
{
    public EnvSpec Use<TEnv, TParams>(TParams p)
        where TEnv : struct, IEnv<TEnv, T, TParams>, IEnvSpec<TParams> where TParams : struct =>
        TEnv.Spec(p);

    public EnvSpec UseTabular(TabularMdp model, EnvSpec spec) => spec;
}

/// <summary>Single transitions for the conformance checker.</summary>
internal readonly struct StepperSink<T> : IEnvSink<T, IConformanceStepper>
    where T : struct, ILane<T>
{
    public IConformanceStepper Use<TEnv, TParams>(TParams p)
        where TEnv : struct, IEnv<TEnv, T, TParams>, IEnvSpec<TParams> where TParams : struct =>
        new EnvTransitionStepper<TEnv, T, TParams>(TEnv.Spec(p), p);

    /// <summary>Explicit models are checked against Gymnasium's P tables, not against transition files.</summary>
    public IConformanceStepper UseTabular(TabularMdp model, EnvSpec spec) =>
        throw new NotSupportedException($"{spec.Id} is checked against Gymnasium's P table (TabularMdp), not against transition CSVs.");
}

/// <summary>The closed env and parameter types the GPU kernels are instantiated with (for PTX compile checks).</summary>
internal readonly struct KernelTypesSink : IEnvSink<F1, (Type Env, Type Params)>
{
    public (Type Env, Type Params) Use<TEnv, TParams>(TParams p)
        where TEnv : struct, IEnv<TEnv, F1, TParams>, IEnvSpec<TParams> where TParams : struct =>
        (typeof(TEnv), typeof(TParams));

    public (Type Env, Type Params) UseTabular(TabularMdp model, EnvSpec spec) =>
        (typeof(TabularEnv<F1, ViewLaneTable>), typeof(TabularParams<ViewLaneTable>));
}

/// <summary>Whether the declaration names a lane env (true) or an explicit model (false).</summary>
internal readonly struct LaneEnvSink<T> : IEnvSink<T, bool>
    where T : struct, ILane<T>
{
    public bool Use<TEnv, TParams>(TParams p)
        where TEnv : struct, IEnv<TEnv, T, TParams>, IEnvSpec<TParams> where TParams : struct => true;

    public bool UseTabular(TabularMdp model, EnvSpec spec) => false;
}
