using System.Reflection;
using System.Runtime.ExceptionServices;
using RlKernels.Envs.Conformance;
using RlKernels.Envs.Runner;
using RlKernels.Envs.Tabular;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Registry;

// What the registry does with a lane env type (see IEnvSink): one sink per use.

/// <summary>Builds the CPU runner over lane <c>T</c>.</summary>
internal readonly struct CpuRunnerSink(int envCount, VectorEnvOptions options, Backend backend) : IEnvSink<IVectorEnv>
{
    public IVectorEnv Use<TEnv, T, TParams>(TParams p)
        where TEnv : struct, IEnv<TEnv, T, TParams>, IEnvSpec<TParams> where T : struct, ILane<T> where TParams : struct =>
        new CpuVectorEnv<TEnv, T, TParams>(TEnv.Spec(p), p, envCount, options, backend);

    public IVectorEnv UseTabular<T>(TabularMdp model, EnvSpec spec) where T : struct, ILane<T> =>
        TabularVectorEnv.CreateCpu<T>(model, spec, envCount, options, backend);
}

/// <summary>
/// Builds the GPU runner (lane <see cref="F1"/>). The runner's type needs TEnv : IEnv&lt;TEnv, F1, …&gt;, which
/// a sink generic over T cannot state, so the type is closed by reflection: once per Make, never per step.
/// </summary>
internal readonly struct GpuRunnerSink(int envCount, VectorEnvOptions options) : IEnvSink<IVectorEnv>
{
    public IVectorEnv Use<TEnv, T, TParams>(TParams p)
        where TEnv : struct, IEnv<TEnv, T, TParams>, IEnvSpec<TParams> where T : struct, ILane<T> where TParams : struct
    {
        if (typeof(T) != typeof(F1))
            throw new InvalidOperationException($"The GPU runner steps F1 lanes, not {typeof(T).Name}.");
        Type runner = typeof(GpuVectorEnv<,>).MakeGenericType(typeof(TEnv), typeof(TParams));
        try
        {
            return (IVectorEnv)Activator.CreateInstance(runner, TEnv.Spec(p), p, envCount, options)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            // The caller should see the runner's own error (no CUDA device, too many envs), not the reflection wrapper.
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    public IVectorEnv UseTabular<T>(TabularMdp model, EnvSpec spec) where T : struct, ILane<T> =>
        TabularVectorEnv.CreateGpu(model, spec, envCount, options);
}

/// <summary>The env's spec.</summary>
internal readonly struct SpecSink : IEnvSink<EnvSpec>
{
    public EnvSpec Use<TEnv, T, TParams>(TParams p)
        where TEnv : struct, IEnv<TEnv, T, TParams>, IEnvSpec<TParams> where T : struct, ILane<T> where TParams : struct =>
        TEnv.Spec(p);

    public EnvSpec UseTabular<T>(TabularMdp model, EnvSpec spec) where T : struct, ILane<T> => spec;
}

/// <summary>Single transitions for the conformance checker.</summary>
internal readonly struct StepperSink : IEnvSink<IConformanceStepper>
{
    public IConformanceStepper Use<TEnv, T, TParams>(TParams p)
        where TEnv : struct, IEnv<TEnv, T, TParams>, IEnvSpec<TParams> where T : struct, ILane<T> where TParams : struct =>
        new EnvTransitionStepper<TEnv, T, TParams>(TEnv.Spec(p), p);

    /// <summary>Explicit models are checked against Gymnasium's P tables, not against transition files.</summary>
    public IConformanceStepper UseTabular<T>(TabularMdp model, EnvSpec spec) where T : struct, ILane<T> =>
        throw new NotSupportedException($"{spec.Id} is checked against Gymnasium's P table (TabularMdp), not against transition CSVs.");
}

/// <summary>The closed env and parameter types the GPU kernels are instantiated with (for PTX compile checks).</summary>
internal readonly struct KernelTypesSink : IEnvSink<(Type Env, Type Params)>
{
    public (Type Env, Type Params) Use<TEnv, T, TParams>(TParams p)
        where TEnv : struct, IEnv<TEnv, T, TParams>, IEnvSpec<TParams> where T : struct, ILane<T> where TParams : struct =>
        (typeof(TEnv), typeof(TParams));

    public (Type Env, Type Params) UseTabular<T>(TabularMdp model, EnvSpec spec) where T : struct, ILane<T> =>
        (typeof(TabularEnv<F1, ViewLaneTable>), typeof(TabularParams<ViewLaneTable>));
}

/// <summary>Whether the declaration names a lane env (true) or an explicit model (false).</summary>
internal readonly struct LaneEnvSink : IEnvSink<bool>
{
    public bool Use<TEnv, T, TParams>(TParams p)
        where TEnv : struct, IEnv<TEnv, T, TParams>, IEnvSpec<TParams> where T : struct, ILane<T> where TParams : struct => true;

    public bool UseTabular<T>(TabularMdp model, EnvSpec spec) where T : struct, ILane<T> => false;
}
