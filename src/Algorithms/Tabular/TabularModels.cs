using RlKernels.Envs;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Tabular;

namespace RlKernels.Algorithms.Tabular;

// The explicit models of the envs that have one: the toy-text envs (built as Gymnasium builds P) and
// ChainWalk-v0, whose model is written here from its env (src/Envs/ChainWalk.cs) and matches the
// lecture's chain (data/reference/gymnasium-toytext/chain5.csv) entry for entry.

/// <summary>Env id → <see cref="TabularMdp"/>.</summary>
public static class TabularModels
{
    /// <summary>Ids with an explicit model.</summary>
    public static IReadOnlyList<string> Ids { get; } =
        ["ChainWalk-v0", "CliffWalking-v1", "CliffWalkingSlippery-v1", "FrozenLake-v1", "FrozenLake8x8-v1", "Taxi-v4"];

    /// <summary>The model of env <paramref name="id"/> with Gymnasium-style options.</summary>
    /// <exception cref="ArgumentException">An id without a model, an unknown option or a bad value.</exception>
    public static TabularMdp FromEnvId(string id, IReadOnlyDictionary<string, string>? options = null)
    {
        options ??= new Dictionary<string, string>();
        switch (id)
        {
            case "ChainWalk-v0":
                if (options.Count > 0)
                    throw new ArgumentException($"ChainWalk-v0 takes no env arguments, got: {string.Join(", ", options.Keys)}.", nameof(options));
                return ChainWalkModel();
            case "FrozenLake-v1": return FrozenLake.BuildModel(options, "4x4");
            case "FrozenLake8x8-v1": return FrozenLake.BuildModel(options, "8x8");
            case "CliffWalking-v1": return CliffWalking.BuildModel(options, defaultSlippery: false);
            case "CliffWalkingSlippery-v1": return CliffWalking.BuildModel(options, defaultSlippery: true);
            case "Taxi-v4": return Taxi.BuildModel(options);
            default:
                string known = EnvRegistry.TryGet(id, out _) ? $"'{id}' has no explicit model" : $"Unknown env id '{id}'";
                throw new ArgumentException($"{known}; envs with a tabular model: {string.Join(", ", Ids)}.", nameof(id));
        }
    }

    /// <summary>
    /// ChainWalk-v0 as a model: states 0..4 (the lecture's 1..5), actions 0 = L, 1 = R; reward −10 for
    /// R in state 2, −1 for any other action in states 0..3; entering state 4 terminates; state 4's
    /// rows are terminated zero-reward self-loops (never acted in). Episodes start in state 0.
    /// </summary>
    public static TabularMdp ChainWalkModel()
    {
        int stateCount = new ChainWalkParams().StateCount;
        var rows = new List<TabularTransition>();
        for (int s = 0; s < stateCount; s++)
            for (int a = 0; a < 2; a++)
            {
                if (s == stateCount - 1)
                {
                    rows.Add(new TabularTransition(s, a, 1.0, s, 0, true));
                    continue;
                }
                int next = a == 1 ? s + 1 : Math.Max(s - 1, 0);
                double reward = a == 1 && s == 2 ? -10 : -1;
                rows.Add(new TabularTransition(s, a, 1.0, next, reward, next == stateCount - 1));
            }
        return TabularMdp.FromTransitions(stateCount, 2, rows.ToArray(), TabularMdp.OneHot(stateCount, 0), ["L", "R"]);
    }
}
