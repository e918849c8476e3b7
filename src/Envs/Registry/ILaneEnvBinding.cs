using System.Diagnostics.CodeAnalysis;
using RlKernels.Envs.Tabular;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Registry;

/// <summary>
/// Something done with one env type once its lane is chosen: build a runner, read its spec, wrap it.
/// C# cannot pass "CartPole&lt;T&gt; for any lane T" around, so the env's binding calls
/// <see cref="Use"/> with the closed type instead (a visitor).
/// </summary>
public interface IEnvSink<TResult>
{
    TResult Use<TEnv, T, TParams>(TParams p)
        where TEnv : struct, IEnv<TEnv, T, TParams>, IEnvSpec<TParams>
        where T : struct, ILane<T>
        where TParams : struct;
}

/// <summary>
/// Binds a lane env (a struct implementing <see cref="IEnv{TSelf, T, TParams}"/>) to the registry with one
/// method: <see cref="Accept"/> names the env type for lane <c>T</c>. Runners for every backend, the
/// conformance stepper and the observation wrappers (hidden velocity, frame stack) are all built from it.
/// </summary>
public interface ILaneEnvBinding<TParams> where TParams : struct
{
    /// <summary>Calls <c>sink.Use&lt;MyEnv&lt;T&gt;, T, TParams&gt;(p)</c>.</summary>
    static abstract TResult Accept<T, TSink, TResult>(TSink sink, TParams p)
        where T : struct, ILane<T>
        where TSink : IEnvSink<TResult>;

    /// <summary>
    /// Bit k set: observation feature k is a velocity, removed by <c>hide_velocity=true</c>. 0 (the default):
    /// the env has no velocities and rejects the option.
    /// </summary>
    static virtual uint VelocityFeatures => 0;

    /// <summary>The env's explicit tabular model, where it has one (ChainWalk); false by default.</summary>
    static virtual bool TryGetModel(in TParams p, [NotNullWhen(true)] out TabularMdp? model)
    {
        model = null;
        return false;
    }
}
