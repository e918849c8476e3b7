using System.Diagnostics.CodeAnalysis;
using RlKernels.Envs.Registry;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Tabular;

/// <summary>A toy-text env's parsed options: its model and spec (the runners build the dense table from them).</summary>
public readonly struct ToyTextParams
{
    /// <summary>Gymnasium's P for the parsed options.</summary>
    public readonly TabularMdp Model;
    /// <summary>The spec the runners report.</summary>
    public readonly EnvSpec Spec;

    /// <summary>The model with its spec (id, time limit, source).</summary>
    public ToyTextParams(TabularMdp model, string id, int maxEpisodeSteps, string source)
    {
        Model = model;
        Spec = TabularTable.MakeSpec(id, model, maxEpisodeSteps, source);
    }

    /// <summary>What every toy-text declaration's <c>Accept</c> does: run the model's table.</summary>
    internal static TResult Accept<T, TSink, TResult>(TSink sink, in ToyTextParams p)
        where T : struct, ILane<T>
        where TSink : IEnvSink<TResult> =>
        sink.UseTabular<T>(p.Model, p.Spec);

    /// <summary>What every toy-text declaration's <c>TryGetModel</c> does: the model is the env.</summary>
    internal static bool TryGetModel(in ToyTextParams p, [NotNullWhen(true)] out TabularMdp? model)
    {
        model = p.Model;
        return true;
    }
}
