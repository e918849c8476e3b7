using System.Diagnostics.CodeAnalysis;
using RlKernels.Envs.Conformance;
using RlKernels.Envs.Runner;
using RlKernels.Envs.Tabular;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Registry;

/// <summary>A registered env id and how its Gymnasium-named options become parameters.</summary>
public interface IEnvFamily<TParams> where TParams : struct
{
    static abstract string Id { get; }
    /// <summary>Parameters from Gymnasium-named options; reads only the keys it knows.</summary>
    static abstract TParams Parse(EnvArgs args);
}

/// <summary>
/// Binds one env definition to the runners: C# has no way to say "CartPole&lt;T&gt; for any lane T",
/// so each env type adds a small binding that names its instantiations. Several ids can share one
/// binding (all toy-text ids run the same tabular env).
/// </summary>
public interface IEnvBinding<TParams> where TParams : struct
{
    static abstract EnvSpec Spec(in TParams p);
    static abstract IVectorEnv CreateCpu<T>(TParams p, int envCount, VectorEnvOptions options, Backend backend) where T : struct, ILane<T>;
    static abstract IVectorEnv CreateGpu(TParams p, int envCount, VectorEnvOptions options);
    /// <summary>Single transitions on lane <typeparamref name="T"/>, for the conformance checker.</summary>
    static abstract IConformanceStepper CreateStepper<T>(TParams p) where T : struct, ILane<T>;

    /// <summary>
    /// The env's explicit tabular model (Gymnasium's P), for envs that have one (toy-text, ChainWalk);
    /// false for the others (classic control), which is the default.
    /// </summary>
    static virtual bool TryGetModel(in TParams p, [NotNullWhen(true)] out TabularMdp? model)
    {
        model = null;
        return false;
    }
}
