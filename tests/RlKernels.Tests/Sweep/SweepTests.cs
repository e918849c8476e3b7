using RlKernels.Cli;
using RlKernels.Cli.Sweep;
using RlKernels.Tests.Cli;

namespace RlKernels.Tests.Sweep;

/// <summary>rlk sweep: spec errors (one line, exit 2, nothing written), expansion, sharding, IQM and its bootstrap interval.</summary>
public sealed class SweepTests
{
    private static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "rlk-sweep-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string WriteSpec(string dir, string text)
    {
        string path = Path.Combine(dir, "spec.toml");
        File.WriteAllText(path, text);
        return path;
    }

    private const string Good = "env = \"CartPole-v1\"\nalgo = \"ppo\"\nsteps = 2048\nseeds = 2\nsamples = 3\nsampler_seed = 5\n[search]\nlr = { dist = \"log-uniform\", low = 1e-4, high = 1e-2 }\nenvs = [4, 8]\n";

    /// <summary>A spec of <paramref name="env"/> (and <paramref name="algo"/>, when given) whose [search] table holds one line.</summary>
    private static string Search(string line, string? algo = null, string env = "CartPole-v1") =>
        $"env = \"{env}\"\n" + (algo is null ? "" : $"algo = \"{algo}\"\n") + $"[search]\n{line}\n";

    /// <summary>Bad specs, each with a part of the message it must get (every spec ends with a newline: the empty line before its closing quotes).</summary>
    public static TheoryData<string, string> BadSpecs => new()
    {
        {
            """
            env = "CartPole-v1"
            bogus = 3

            """,
            "spec.toml:2: unknown key 'bogus'; valid keys: env,"
        },
        {
            Search("""lr = { dist = "uniform", low = 0.5, high = 0.1 }"""),
            "spec.toml:3: lr: low 0.5 > high 0.1"
        },
        {
            Search("""lr = { dist = "log-uniform", low = 0, high = 0.1 }"""),
            "spec.toml:3: lr: log-uniform needs low > 0"
        },
        {
            Search("""lr = []"""),
            "spec.toml:3: lr is an empty list"
        },
        {
            """
            env = "CartPole-v1"
            seeds = 1000
            samples = 200
            [search]
            lr = { dist = "uniform", low = 0.1, high = 0.2 }

            """,
            "more than 100,000 runs"
        },
        {
            Search("""lr = { dist = "uniform", low = 0.1, high = 0.2, sigma = 1 }"""),
            "spec.toml:3: unknown key 'lr.sigma'; valid keys: dist, low, high, values"
        },
        {
            Search("""gamma = [0.9, 1.5]"""),
            "spec.toml:3: gamma must be in (0, 1] (got values from 0.9 to 1.5)"
        },
        {
            Search("""gamma = { dist = "uniform", low = 0, high = 0.99 }"""),
            "spec.toml:3: gamma must be in (0, 1]"
        },
        {
            Search("""lambda = [0.5, 1.5]"""),
            "spec.toml:3: lambda must be in [0, 1] (got values from 0.5 to 1.5)"
        },
        {
            Search("""ent_coef = { dist = "uniform", low = -0.01, high = 0.1 }""", algo: "a2c"),
            "spec.toml:4: ent_coef must be a finite number ≥ 0 (got values from -0.01 to 0.1)"
        },
        {
            Search("""clip = { dist = "choice", values = [0.2, 0] }"""),
            "spec.toml:3: clip must be a positive finite number (got values from 0 to 0.2)"
        },
        {
            Search("""lambda = [0.9, 0.95]""", algo: "dqn"),
            "spec.toml:4: 'lambda' (λ of GAE / λ-returns) does not apply to dqn; it is used by ppo, a2c, deep-sarsa, pqn"
        },
        {
            Search("""ent_coef = [0.01]""", algo: "pqn"),
            "spec.toml:4: 'ent_coef' (entropy coefficient) does not apply to pqn; it is used by ppo, a2c"
        },
        {
            Search("""clip = [0.1, 0.2]""", algo: "a2c"),
            "spec.toml:4: 'clip' (PPO ratio clip ε) does not apply to a2c; it is used by ppo"
        },
        {
            Search("""max_grad_norm = [0.5, 1]""", algo: "sac", env: "Pendulum-v1"),
            "spec.toml:4: 'max_grad_norm' (gradient-norm limit) does not apply to sac; it is used by ppo, a2c, reinforce-baseline, reinforce, deep-sarsa, dqn, double-dqn, pqn"
        },
        {
            Search("""max_grad_norm = [0.5, 0]"""),
            "spec.toml:3: max_grad_norm must be a positive finite number (got values from 0 to 0.5)"
        },
        {
            Search("""target_period = { dist = "uniform", low = 10, high = 100 }""", algo: "dqn"),
            "spec.toml:4: target_period takes whole numbers: give a list, or dist = \"int\" or \"choice\""
        },
        {
            Search("""target_period = [10, 2.5, 100]""", algo: "dqn"),
            "spec.toml:4: target_period must be a whole number from 1 to 10000000 (got values from 2.5 to 100)"
        },
        {
            Search("""tau = [0.1]"""),
            "spec.toml:3: 'tau' (target-network Polyak rate τ) does not apply to ppo; it is used by reparam-ac, dqn, double-dqn, sac"
        },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public void Bad_spec_is_one_line_exit_2_and_writes_nothing(string text, string expected)
    {
        string dir = TempDir();
        string spec = WriteSpec(dir, text);
        string outDir = Path.Combine(dir, "out");
        foreach (var result in new[]
        {
            CliRun.Capture((o, e) => SweepCommand.Plan(spec, o, e)),
            CliRun.Capture((o, e) => SweepCommand.Run(spec, outDir, null, null, 1, false, o, e)),
        })
        {
            string line = CliRun.AssertBadInputLine(result, "rlk sweep: ");
            Assert.Contains(expected, line);
        }
        Assert.False(Directory.Exists(outDir));
        Directory.Delete(dir, true);
    }

    [Theory]
    [InlineData("3/3")]
    [InlineData("-1/2")]
    [InlineData("1/0")]
    [InlineData("x")]
    public void Shard_index_out_of_range_is_bad_input(string shard)
    {
        string dir = TempDir();
        string spec = WriteSpec(dir, Good);
        string outDir = Path.Combine(dir, "out");
        CliRun.AssertBadInputLine(CliRun.Capture((o, e) => SweepCommand.Run(spec, outDir, shard, null, 1, false, o, e)), "rlk sweep: --shard");
        Assert.False(Directory.Exists(outDir));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Shard_from_scheduler_environment()
    {
        var env = new Dictionary<string, string> { ["SLURM_ARRAY_TASK_ID"] = "2", ["SLURM_ARRAY_TASK_COUNT"] = "3" };
        Assert.Equal((2, 3), SweepCommand.ResolveShard(null, 3, k => env.GetValueOrDefault(k)));
        var k8s = new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = "1" };
        Assert.Equal((1, 4), SweepCommand.ResolveShard(null, 4, k => k8s.GetValueOrDefault(k)));
        Assert.Throws<ArgumentException>(() => SweepCommand.ResolveShard(null, 2, k => env.GetValueOrDefault(k)));
    }

    [Fact]
    public void Folder_of_another_spec_is_refused_and_left_alone()
    {
        string dir = TempDir();
        string outDir = Path.Combine(dir, "out");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, SweepResults.HashFile), "0123456789abcdef0123\n");
        string spec = WriteSpec(dir, Good);
        CliRun.AssertBadInputLine(CliRun.Capture((o, e) => SweepCommand.Run(spec, outDir, null, null, 1, false, o, e)), "rlk sweep: --out");
        Assert.Equal([Path.Combine(outDir, SweepResults.HashFile)], Directory.GetFileSystemEntries(outDir));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Expansion_crosses_grid_with_draws_and_seeds_and_batches_by_shape()
    {
        var spec = SweepSpec.Parse(Good, "spec.toml");
        var runs = SweepPlan.Expand(spec);
        Assert.Equal(3 * 2 * 2, runs.Count);
        Assert.Equal(runs.Count, runs.Select(r => r.Id).Distinct().Count());
        foreach (var r in runs)
        {
            Assert.InRange(r.Get("lr")!.Value, 1e-4, 1e-2);
            // One batch per envs value: lr and seed vary per member, envs changes shapes.
            Assert.Equal(r.Get("envs") == 4 ? runs.First(x => x.Get("envs") == 4).Batch : runs.First(x => x.Get("envs") == 8).Batch, r.Batch);
        }
        Assert.Equal(2, runs.Select(r => r.Batch).Distinct().Count());
        // Same sampler seed → same draws; another → different.
        Assert.Equal(runs.Select(r => r.ParamText), SweepPlan.Expand(SweepSpec.Parse(Good, "x")).Select(r => r.ParamText));
        Assert.NotEqual(runs.Select(r => r.ParamText), SweepPlan.Expand(SweepSpec.Parse(Good.Replace("sampler_seed = 5", "sampler_seed = 6"), "x")).Select(r => r.ParamText));
        // Shards partition the runs.
        var shards = Enumerable.Range(0, 3).SelectMany(i => SweepPlan.Shard(runs, i, 3)).Select(r => r.Id).Order();
        Assert.Equal(runs.Select(r => r.Id).Order(), shards);
    }

    [Theory]
    [InlineData("ppo", "lambda = [0.8, 0.95]\nent_coef = [0, 0.01]\nclip = { dist = \"uniform\", low = 0.1, high = 0.3 }\ngamma = [0.9, 0.99]")]
    [InlineData("a2c", "lambda = { dist = \"uniform\", low = 0, high = 1 }\nent_coef = [0, 0.01, 0.1]")]
    [InlineData("dqn", "target_period = { dist = \"int\", low = 10, high = 500 }\ntau = [1, 0.1]\nmax_grad_norm = [1, 10]")]
    [InlineData("pqn", "lambda = [0, 0.5, 1]\nlr = [1e-4, 3e-4]\nmax_grad_norm = { dist = \"log-uniform\", low = 0.1, high = 10 }")]
    public void Per_member_hyperparameters_share_one_batch(string algo, string search)
    {
        // Every swept key here varies per member: the whole sweep is one population, however many configurations.
        string text = $"env = \"CartPole-v1\"\nalgo = \"{algo}\"\nseeds = 2\nsamples = 3\n[search]\n{search}\n";
        var runs = SweepPlan.Expand(SweepSpec.Parse(text, "spec.toml"));
        Assert.True(runs.Select(r => r.Config).Distinct().Count() > 2, $"{algo}: {runs.Count} runs");
        Assert.Single(runs.Select(r => r.Batch).Distinct());
        string dir = TempDir();
        var (code, output, error) = CliRun.Capture((o, e) => SweepCommand.Plan(WriteSpec(dir, text), o, e));
        Directory.Delete(dir, true);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.EndsWith($"{runs.Count} runs, {runs.Count / 2} configurations, 1 batch", output.TrimEnd());
    }

    /// <summary>Plain reference: sort, drop the lowest and highest quarter (n divisible by 4), average the rest.</summary>
    [Fact]
    public void Iqm_matches_plain_reference_and_interpolates_for_any_count()
    {
        double[] data = [9, 1, 7, 3, 5, 11, 2, 8];
        double[] sorted = data.Order().ToArray();
        Assert.Equal(sorted.Skip(2).Take(4).Average(), SweepStats.Iqm(data), 12);
        // n = 5: cut points at 1.25 and 3.75 → weights .75, 1, .75 on the 2nd..4th values.
        double[] five = [10, 1, 4, 3, 2];
        Assert.Equal((0.75 * 2 + 3 + 0.75 * 4) / 2.5, SweepStats.Iqm(five), 12);
        Assert.Equal(3.0, SweepStats.Median(five));
    }

    [Fact]
    public void Bootstrap_interval_matches_plain_reference()
    {
        double[] a = [1, 2, 3, 4, 5, 6, 7, 8];
        double[] b = [10, 12, 14, 16];
        var (lo, hi) = SweepStats.BootstrapIqmCi([a, b], replicates: 500, seed: 3);
        // Plain reference: the same resampling drawn by hand, then the 2.5% and 97.5% order statistics.
        var rng = new Random(3);
        var stats = new List<double>();
        for (int r = 0; r < 500; r++)
        {
            var s = new List<double>();
            for (int i = 0; i < a.Length; i++) s.Add(a[rng.Next(a.Length)]);
            for (int i = 0; i < b.Length; i++) s.Add(b[rng.Next(b.Length)]);
            s.Sort();
            double lo25 = 0.25 * s.Count, hi75 = 0.75 * s.Count, sum = 0;
            for (int i = 0; i < s.Count; i++) sum += Math.Max(0, Math.Min(i + 1, hi75) - Math.Max(i, lo25)) * s[i];
            stats.Add(sum / (hi75 - lo25));
        }
        stats.Sort();
        double Q(double q) { double pos = q * (stats.Count - 1); int i = (int)pos; return stats[i] + (pos - i) * (stats[i + 1] - stats[i]); }
        Assert.Equal(Q(0.025), lo, 12);
        Assert.Equal(Q(0.975), hi, 12);
        double point = SweepStats.Iqm([.. a, .. b]);
        Assert.InRange(point, lo, hi);
        Assert.True(hi > lo);
    }
}

/// <summary>Every shipped example spec parses and plans, and every built-in deep algorithm has one.</summary>
public sealed class SweepExampleTests
{
    [Fact]
    public void Every_example_spec_plans()
    {
        string[] specs = Directory.GetFiles(FindExamples(), "*.toml");
        Assert.Contains(specs, s => s.EndsWith("cartpole-ppo-lr.toml", StringComparison.Ordinal));
        foreach (string spec in specs) Assert.NotEmpty(SweepPlan.Expand(SweepSpec.Load(spec)));
        var covered = specs.Select(s => SweepSpec.Load(s).Algo).ToHashSet();
        foreach (string algo in RlKernels.Algorithms.Deep.DeepAlgorithms.Names.Where(n => !n.StartsWith("test-", StringComparison.Ordinal)))
            Assert.True(covered.Contains(algo), $"examples/sweeps has no spec for {algo}");
        Assert.Equal(64, SweepPlan.Expand(SweepSpec.Load(specs.Single(s => s.EndsWith("cartpole-ppo-lr.toml", StringComparison.Ordinal)))).Count);
    }

    private static string FindExamples()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (Directory.Exists(Path.Combine(d.FullName, "examples", "sweeps"))) return Path.Combine(d.FullName, "examples", "sweeps");
        throw new DirectoryNotFoundException("examples/sweeps not found above the test binaries.");
    }
}
