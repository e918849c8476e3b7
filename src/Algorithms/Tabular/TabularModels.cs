using RlKernels.Envs;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Tabular;

namespace RlKernels.Algorithms.Tabular;

/// <summary>
/// Env id → <see cref="TabularMdp"/>: the model each env declares (its <c>TryGetModel</c>, read through
/// <see cref="EnvRegistry"/>), so a newly registered env with a model is solvable with no change here.
/// </summary>
public static class TabularModels
{
    /// <summary>Ids with an explicit model, sorted.</summary>
    public static IReadOnlyList<string> Ids => EnvRegistry.TabularModelIds;

    /// <summary>The model of env <paramref name="id"/> with Gymnasium-style options.</summary>
    /// <exception cref="ArgumentException">An id without a model, an unknown option or a bad value.</exception>
    public static TabularMdp FromEnvId(string id, IReadOnlyDictionary<string, string>? options = null)
    {
        if (!EnvRegistry.TryGet(id, out EnvEntry? entry))
            throw new ArgumentException($"Unknown env id '{id}'; envs with a tabular model: {string.Join(", ", Ids)}.", nameof(id));
        var args = options is null ? EnvArgs.Empty : new EnvArgs(options);
        if (!entry.TryGetTabularModel(args, out TabularMdp? model))
            throw new ArgumentException($"'{id}' has no explicit model; envs with a tabular model: {string.Join(", ", Ids)}.", nameof(id));
        return model;
    }

    /// <summary>ChainWalk-v0's model (<see cref="ChainWalk.BuildModel()"/>): the lecture's five-state chain.</summary>
    public static TabularMdp ChainWalkModel() => ChainWalk.BuildModel();
}
