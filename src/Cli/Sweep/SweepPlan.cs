using System.Globalization;

namespace RlKernels.Cli.Sweep;

/// <summary>One run of a sweep: a configuration (parameter values) and a seed.</summary>
/// <param name="Id">Stable id: c{config}-s{seed}.</param>
/// <param name="Config">Configuration index.</param>
/// <param name="Seed">Training seed.</param>
/// <param name="Params">Parameter name → value, in search order.</param>
/// <param name="Batch">The batched run it lands in: runs that differ only in per-member parameters share one.</param>
public sealed record SweepRun(string Id, int Config, ulong Seed, IReadOnlyList<KeyValuePair<string, double>> Params, int Batch)
{
    /// <summary>The value of <paramref name="name"/>, or null when not swept.</summary>
    public double? Get(string name) => Params.Where(p => p.Key == name).Select(p => (double?)p.Value).FirstOrDefault();

    /// <summary>Parameters as name=value;… for CSV.</summary>
    public string ParamText => string.Join(";", Params.Select(p => $"{p.Key}={p.Value.ToString("R", CultureInfo.InvariantCulture)}"));
}

/// <summary>
/// Expands a spec into runs: the distributions are drawn <c>samples</c> times together (one draw per config),
/// crossed with every grid list, then with every seed. Batching rule: seed and the per-member hyperparameters
/// (<see cref="RlKernels.Algorithms.Deep.MemberParam.All"/>: lr, γ, λ, entropy and clip coefficients) vary per member of a
/// population; envs and steps change shapes or budgets, so each distinct (envs, steps) is its own batch.
/// </summary>
public static class SweepPlan
{
    /// <summary>The most runs a spec may expand to.</summary>
    public const int MaxRuns = 100_000;
    /// <summary>Parameters that change shapes or budgets and so split batches.</summary>
    public static readonly IReadOnlyList<string> ShapeParams = ["envs", "steps"];

    /// <summary>All runs of <paramref name="spec"/>, config-major.</summary>
    public static IReadOnlyList<SweepRun> Expand(SweepSpec spec)
    {
        var sampled = spec.Search.Where(p => p.IsSampled).ToArray();
        var grid = spec.Search.Where(p => !p.IsSampled).ToArray();
        long draws = sampled.Length > 0 ? spec.Samples : 1;
        long count = draws * spec.Seeds.Count;
        foreach (var g in grid)
        {
            count *= g.Values.Count;
            if (count > MaxRuns) break;
        }
        if (count > MaxRuns) throw new ArgumentException($"the spec expands to more than {MaxRuns:N0} runs; narrow the search.");
        if (count == 0) throw new ArgumentException("the spec expands to no runs.");

        var rng = new SplitMix64(spec.SamplerSeed);
        var drawn = new double[draws][];
        for (int d = 0; d < draws; d++)
            drawn[d] = sampled.Select(p => p.Draw(rng.NextUnit())).ToArray();

        var configs = new List<List<KeyValuePair<string, double>>>();
        for (int d = 0; d < draws; d++)
        {
            var partial = new List<List<KeyValuePair<string, double>>> { new() };
            foreach (var g in grid)
                partial = partial.SelectMany(c => g.Values.Select(v => new List<KeyValuePair<string, double>>(c) { new(g.Name, v) })).ToList();
            foreach (var c in partial)
            {
                for (int i = 0; i < sampled.Length; i++) c.Add(new(sampled[i].Name, drawn[d][i]));
                // Search order, whatever the kind, so columns are stable.
                configs.Add(c.OrderBy(p => spec.Search.ToList().FindIndex(s => s.Name == p.Key)).ToList());
            }
        }
        var batches = new Dictionary<string, int>();
        var runs = new List<SweepRun>((int)count);
        for (int c = 0; c < configs.Count; c++)
        {
            string shape = string.Join(";", configs[c].Where(p => ShapeParams.Contains(p.Key)).Select(p => $"{p.Key}={p.Value}"));
            if (!batches.TryGetValue(shape, out int batch)) batches[shape] = batch = batches.Count;
            foreach (ulong seed in spec.Seeds)
                runs.Add(new SweepRun($"c{c}-s{seed}", c, seed, configs[c], batch));
        }
        return runs;
    }

    /// <summary>The runs of shard <paramref name="index"/> of <paramref name="count"/>: whole batches, round robin.</summary>
    public static IReadOnlyList<SweepRun> Shard(IReadOnlyList<SweepRun> runs, int index, int count) =>
        runs.Where(r => r.Batch % count == index).ToArray();

    /// <summary>SplitMix64: a small, fixed generator, so a sampler seed draws the same values on every machine.</summary>
    private sealed class SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public double NextUnit()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (z >> 11) * (1.0 / (1UL << 53));
        }
    }
}
