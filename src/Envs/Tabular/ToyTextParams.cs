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
}
