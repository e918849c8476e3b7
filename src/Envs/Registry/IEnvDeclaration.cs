using System.Diagnostics.CodeAnalysis;
using RlKernels.Envs.Tabular;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Registry;

/// <summary>
/// Something done with one env type on lane <typeparamref name="T"/>: build a runner, read its spec, wrap it.
/// C# cannot pass "CartPole&lt;T&gt; for any lane T" around, so the env's declaration calls
/// <see cref="Use"/> with the closed type instead (a visitor). The lane is a parameter of the sink, not of
/// <see cref="Use"/>, so a sink for one lane (the GPU runner's <see cref="F1"/>) names the env's type directly.
/// </summary>
public interface IEnvSink<T, TResult> where T : struct, ILane<T>
{
    /// <summary>A lane env: the struct <typeparamref name="TEnv"/> with parameters <paramref name="p"/>.</summary>
    TResult Use<TEnv, TParams>(TParams p)
        where TEnv : struct, IEnv<TEnv, T, TParams>, IEnvSpec<TParams>
        where TParams : struct;

    /// <summary>An env that is an explicit model (toy-text): the batched tabular env over its dense table.</summary>
    TResult UseTabular(TabularMdp model, EnvSpec spec);
}

/// <summary>
/// An env declares itself once with this: its id, how its Gymnasium-named options become parameters,
/// which env type runs it on lane <c>T</c> (the spaces come from that type's spec), its velocity
/// features and its tabular model when it has one. The registry, <c>rlk</c>, the conformance checker,
/// the GPU path and the tests read everything from here. How to write one: docs/adding-an-env.md.
/// </summary>
public interface IEnvDeclaration<TParams> where TParams : struct
{
    /// <summary>The Gymnasium-style id ("CartPole-v1").</summary>
    static abstract string Id { get; }

    /// <summary>
    /// Parameters from Gymnasium-named options; reads only the keys it knows, throws <see cref="ArgumentException"/> on bad values.
    /// The default, for an env without options: the parameters' defaults (<c>new TParams()</c>).
    /// </summary>
    static virtual TParams Parse(EnvArgs args) => new();

    /// <summary>
    /// Calls <c>sink.Use&lt;MyEnv&lt;T&gt;, TParams&gt;(p)</c> (a lane env) or
    /// <c>sink.UseTabular(model, spec)</c> (an env that is an explicit model).
    /// </summary>
    static abstract TResult Accept<T, TSink, TResult>(TSink sink, TParams p)
        where T : struct, ILane<T>
        where TSink : IEnvSink<T, TResult>;

    /// <summary>
    /// Bit k set: observation feature k is a velocity, removed by <c>hide_velocity=true</c>. 0 (the default):
    /// the env has no velocities and rejects the option.
    /// </summary>
    static virtual uint VelocityFeatures => 0;

    /// <summary>
    /// The env's explicit tabular model (Gymnasium's P: per (s, a) the outcome list in order, and the
    /// initial distribution), for envs that have one (toy-text, ChainWalk); false by default.
    /// </summary>
    static virtual bool TryGetModel(in TParams p, [NotNullWhen(true)] out TabularMdp? model)
    {
        model = null;
        return false;
    }
}
