using RlKernels.Algorithms.Tabular;
using RlKernels.Envs.Tabular;
using RlKernels.Tests.Reference;

namespace RlKernels.Tests.Algorithms;

/// <summary>The toy-text models the DP tests solve, and cached reference solutions.</summary>
internal static class TabularCases
{
    public static readonly Dictionary<string, Func<TabularMdp>> Models = new()
    {
        ["chain"] = TabularModels.ChainWalkModel,
        ["frozen4"] = () => FrozenLake.BuildModel(new Dictionary<string, string> { ["map_name"] = "4x4" }),
        ["frozen4dry"] = () => FrozenLake.BuildModel(new Dictionary<string, string> { ["map_name"] = "4x4", ["is_slippery"] = "false" }),
        ["frozen8"] = () => FrozenLake.BuildModel(new Dictionary<string, string> { ["map_name"] = "8x8" }),
        ["frozen8dry"] = () => FrozenLake.BuildModel(new Dictionary<string, string> { ["map_name"] = "8x8", ["is_slippery"] = "false" }),
        ["cliff"] = () => CliffWalking.BuildModel(false),
        ["cliffslip"] = () => CliffWalking.BuildModel(true),
        ["taxi"] = () => Taxi.BuildModel(false),
        ["taxirainy"] = () => Taxi.BuildModel(true),
    };

    private static readonly Dictionary<string, TabularMdp> ModelCache = new();
    private static readonly Dictionary<(string, double), double[]> ReferenceCache = new();

    public static TabularMdp Model(string name)
    {
        lock (ModelCache)
        {
            if (!ModelCache.TryGetValue(name, out var m)) ModelCache[name] = m = Models[name]();
            return m;
        }
    }

    /// <summary>Q* [S, A] by the float64 reference.</summary>
    public static double[] ReferenceQ(string name, double gamma)
    {
        var model = Model(name);
        lock (ReferenceCache)
        {
            if (!ReferenceCache.TryGetValue((name, gamma), out var q))
                ReferenceCache[(name, gamma)] = q = QIterationReference.Solve(model, gamma).Q;
            return q;
        }
    }

    /// <summary>Every model at γ ∈ {0.9, 0.99, 1}: all of them are proper at γ = 1 (costs on every
    /// non-terminating move, or FrozenLake's bounded non-negative rewards).</summary>
    public static TheoryData<string, double> All()
    {
        var data = new TheoryData<string, double>();
        foreach (string name in Models.Keys)
            foreach (double gamma in new[] { 0.9, 0.99, 1.0 })
                data.Add(name, gamma);
        return data;
    }
}
