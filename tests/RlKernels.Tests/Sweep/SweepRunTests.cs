using RlKernels.Cli;
using RlKernels.Cli.Sweep;
using RlKernels.Tests.Cli;
using RlKernels.Tests.Support;

namespace RlKernels.Tests.Sweep;

/// <summary>rlk sweep run end to end on tiny PPO runs: shards merged equal the whole sweep; a killed sweep resumes to the same rows.</summary>
public sealed class SweepRunTests
{
    private const string Spec = "env = \"CartPole-v1\"\nalgo = \"ppo\"\nseeds = 2\neval_episodes = 3\n[search]\nlr = [3e-4, 1e-3]\nenvs = [4, 8]\nsteps = [512, 1024]\n";

    /// <summary>runs.csv without the wall-time column (seconds_to_solve), which no two runs share.</summary>
    private static string[] Rows(string dir) =>
        File.ReadAllLines(Path.Combine(dir, "runs.csv")).Select(l => { var f = l.Split(','); f[9] = ""; return string.Join(",", f); }).ToArray();

    /// <summary>A fresh temporary folder holding spec.toml with <paramref name="text"/>; returns the folder.</summary>
    private static string NewRoot(out string spec, string text = Spec)
    {
        string root = Path.Combine(Path.GetTempPath(), "rlk-sweeprun-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        spec = Path.Combine(root, "spec.toml");
        File.WriteAllText(spec, text);
        return root;
    }

    /// <summary>rlk sweep run in process (shard <paramref name="shard"/>, <paramref name="jobs"/> populations at once, 0 = all cores); asserts exit 0.</summary>
    private static void RunSweep(string spec, string outDir, string? shard = null, int jobs = 0)
    {
        var result = CliRun.Capture((o, e) => SweepCommand.Run(spec, outDir, shard, null, jobs, false, o, e));
        Assert.True(result.Code == ExitCodes.Ok, result.Err);
    }

    [Fact]
    public void A_run_trained_in_a_population_equals_rlk_train_alone_bit_for_bit()
    {
        // One batch of 6 runs (3 learning rates × 2 seeds): one or two populations, never a run alone.
        string root = NewRoot(out string spec,
            "env = \"CartPole-v1\"\nalgo = \"ppo\"\nseeds = [5, 9]\neval_episodes = 7\nenvs = 8\nsteps = 1536\n[search]\nlr = [3e-4, 1e-3, 3e-3]\n");
        RunSweep(spec, Path.Combine(root, "sweep"), jobs: 1);
        float[] rates = [3e-4f, 1e-3f, 3e-3f];
        AssertMembersEqualRunsAlone(root, 6, ["c1-s9", "c2-s5"], id => new() { Env = "CartPole-v1", LearningRate = rates[int.Parse(id[1..2])] });
        Directory.Delete(root, true);
    }

    [Fact]
    public void A_swept_gamma_trains_each_run_as_rlk_train_with_that_gamma()
    {
        // γ varies per member: 2 γ × 2 seeds = one batch of 4 runs, trained as populations.
        string root = NewRoot(out string spec,
            "env = \"CartPole-v1\"\nalgo = \"ppo\"\nseeds = [5, 9]\neval_episodes = 7\nenvs = 8\nsteps = 1536\n[search]\ngamma = [0.9, 0.99]\n");
        RunSweep(spec, Path.Combine(root, "sweep"), jobs: 1);
        double[] gammas = [0.9, 0.99];
        AssertMembersEqualRunsAlone(root, 4, ["c0-s9", "c1-s5"], id => new() { Env = "CartPole-v1", Gamma = gammas[int.Parse(id[1..2])] });
        Assert.Single(File.ReadAllLines(Path.Combine(root, "sweep", "runs.csv")).Skip(1).Select(l => l.Split(',')[3]).Distinct());
        // The two γ differ in what they learn from the same seed.
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(root, "sweep", "runs", "c0-s5", "model.safetensors")),
            File.ReadAllBytes(Path.Combine(root, "sweep", "runs", "c1-s5", "model.safetensors")));
        Directory.Delete(root, true);
    }

    [Theory]
    [InlineData("ppo", "lambda", 0.8, 0.95)]
    [InlineData("ppo", "ent_coef", 0.0, 0.05)]
    [InlineData("ppo", "clip", 0.1, 0.3)]
    [InlineData("ppo", "max_grad_norm", 0.05, 0.5)]
    [InlineData("deep-sarsa", "target_period", 1, 4)]
    [InlineData("sac", "tau", 0.005, 0.2)]
    public void A_swept_per_member_hyperparameter_trains_each_run_as_rlk_train_with_its_flag(string algo, string key, double first, double second)
    {
        // The key varies per member: 2 values × 2 seeds = one batch of 4 runs, trained as one population.
        bool continuous = RlKernels.Algorithms.Deep.DeepAlgorithms.Get(algo).Needs == RlKernels.Algorithms.Deep.ActionNeed.Continuous;
        string env = continuous ? "Pendulum-v1" : "CartPole-v1";
        long steps = continuous ? 2600 : 1536; // SAC past its warm-up
        string root = NewRoot(out string spec,
            $"env = \"{env}\"\nalgo = \"{algo}\"\nseeds = [5, 9]\neval_episodes = 7\nenvs = 8\nsteps = {steps}\n[search]\n{key} = [{first.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, {second.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}]\n");
        RunSweep(spec, Path.Combine(root, "sweep"), jobs: 1);
        double[] values = [first, second];
        RlKernels.Algorithms.Deep.MemberParam param = RlKernels.Algorithms.Deep.MemberParam.All.Single(p => p.Key == key);
        AssertMembersEqualRunsAlone(root, 4, ["c0-s9", "c1-s5"], id => new()
        {
            Env = env, Algo = algo, Steps = steps, Hyperparameters = new Dictionary<RlKernels.Algorithms.Deep.MemberParam, double> { [param] = values[int.Parse(id[1..2])] },
        });
        Assert.Single(File.ReadAllLines(Path.Combine(root, "sweep", "runs.csv")).Skip(1).Select(l => l.Split(',')[3]).Distinct());
        // The two values differ in what they learn from the same seed.
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(root, "sweep", "runs", "c0-s5", "model.safetensors")),
            File.ReadAllBytes(Path.Combine(root, "sweep", "runs", "c1-s5", "model.safetensors")));
        Directory.Delete(root, true);
    }

    /// <summary>
    /// The sweep in ROOT/sweep holds <paramref name="runCount"/> rows; each run of <paramref name="ids"/> (cC-sS) has
    /// the curve, model and evaluation of <c>rlk train ENV --algo ALGO --seed S --envs 8 --steps STEPS --no-stop</c> with
    /// the env, algorithm (default ppo), steps (default 1536) and parameters <paramref name="parameters"/> gives for it.
    /// </summary>
    private static void AssertMembersEqualRunsAlone(string root, int runCount, string[] ids, Func<string, RlKernels.Cli.Commands.DeepTrainSettings> parameters)
    {
        var rows = File.ReadAllLines(Path.Combine(root, "sweep", "runs.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(runCount, rows.Length);
        foreach (string id in ids)
        {
            string[] row = rows.Single(f => f[0] == id);
            string alone = Path.Combine(root, "alone-" + id);
            var settings = parameters(id);
            var train = CliRun.Train(settings with
            {
                Seed = ulong.Parse(id[4..]), Envs = 8, Steps = settings.Steps ?? 1536, NoStop = true, EvalEpisodes = 7, OutDir = alone, Json = true,
            });
            Assert.True(train.Code == ExitCodes.Ok, train.Err);
            string member = Path.Combine(root, "sweep", "runs", id);
            Assert.Equal(File.ReadAllBytes(Path.Combine(alone, "curve.csv")), File.ReadAllBytes(Path.Combine(member, "curve.csv")));
            Assert.Equal(File.ReadAllBytes(Path.Combine(alone, "model.safetensors")), File.ReadAllBytes(Path.Combine(member, "model.safetensors")));
            using var json = System.Text.Json.JsonDocument.Parse(train.Out);
            double final = json.RootElement.GetProperty("final_mean_return").GetDouble();
            Assert.Equal(final, double.Parse(row[5], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void A_ppo_sweep_on_gpu_cpu_trains_its_population_on_the_device()
    {
        // 2 learning rates × 2 seeds: one population of 4 members through DevicePpo (the whole loop on ILGPU's CPU
        // accelerator), 2 updates each.
        string root = NewRoot(out string spec,
            "env = \"CartPole-v1\"\nalgo = \"ppo\"\nbackend = \"gpu-cpu\"\nseeds = [5, 9]\neval_episodes = 3\nenvs = 4\nsteps = 256\n[search]\nlr = [3e-4, 1e-3]\n");
        RunSweep(spec, Path.Combine(root, "sweep"), jobs: 1);
        string[] rows = File.ReadAllLines(Path.Combine(root, "sweep", "runs.csv")).Skip(1).ToArray();
        Assert.Equal(4, rows.Length);
        foreach (string id in new[] { "c0-s5", "c0-s9", "c1-s5", "c1-s9" })
        {
            Assert.Single(rows, r => r.StartsWith(id + ",", StringComparison.Ordinal));
            Assert.True(File.Exists(Path.Combine(root, "sweep", "runs", id, "model.safetensors")), id);
        }
        // The two learning rates learn differently from the same seed: each member had its own.
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(root, "sweep", "runs", "c0-s5", "model.safetensors")),
            File.ReadAllBytes(Path.Combine(root, "sweep", "runs", "c1-s5", "model.safetensors")));
        Directory.Delete(root, true);
    }

    [Fact]
    public void A_diverging_configuration_is_marked_diverged_and_the_rest_of_its_population_finish()
    {
        // lr 1e38: Adam's first step overflows the weights, so the loss turns non-finite within a few updates.
        // (lr 10 does not: with Adam and gradient clipping it collapses CartPole's policy to one action, a return
        // of about 9, with every number finite — a poor run, ranked last, not a diverged one.)
        string root = NewRoot(out string spec,
            "env = \"CartPole-v1\"\nalgo = \"ppo\"\nseeds = [3]\neval_episodes = 5\nenvs = 8\nsteps = 2048\n[search]\nlr = [1e-3, 1e38, 3e-3]\n");
        RunSweep(spec, Path.Combine(root, "sweep"), jobs: 1);
        var rows = File.ReadAllLines(Path.Combine(root, "sweep", "runs.csv")).Skip(1).ToArray();
        Assert.Equal(3, rows.Length);
        string bad = rows.Single(r => r.StartsWith("c1-", StringComparison.Ordinal));
        Assert.Contains("diverged", bad);
        Assert.Contains("env step", bad);
        foreach (string ok in rows.Where(r => !r.StartsWith("c1-", StringComparison.Ordinal)))
            Assert.EndsWith(",\"ok\"", ok);
        Assert.True(File.Exists(Path.Combine(root, "sweep", "runs", "c1-s3", "model.safetensors")), "the last good policy is kept");

        // The others are unchanged by their diverging neighbour: the same bytes as a sweep without it.
        string cleanRoot = NewRoot(out string cleanSpec,
            "env = \"CartPole-v1\"\nalgo = \"ppo\"\nseeds = [3]\neval_episodes = 5\nenvs = 8\nsteps = 2048\n[search]\nlr = [1e-3, 3e-3]\n");
        RunSweep(cleanSpec, Path.Combine(cleanRoot, "sweep"), jobs: 1);
        foreach (var (mixed, clean) in new[] { ("c0-s3", "c0-s3"), ("c2-s3", "c1-s3") })
            foreach (string file in new[] { "model.safetensors", "curve.csv" })
                Assert.Equal(File.ReadAllBytes(Path.Combine(cleanRoot, "sweep", "runs", clean, file)),
                    File.ReadAllBytes(Path.Combine(root, "sweep", "runs", mixed, file)));
        Directory.Delete(cleanRoot, true);
        Directory.Delete(root, true);
    }

    [Fact]
    public void Three_shards_merged_equal_the_unsharded_sweep_row_for_row()
    {
        string root = NewRoot(out string spec);
        RunSweep(spec, Path.Combine(root, "all"));
        var shardDirs = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            string d = Path.Combine(root, $"shard{i}");
            RunSweep(spec, d, $"{i}/3");
            shardDirs.Add(d);
        }
        var merged = CliRun.Capture((o, e) => SweepCommand.Merge(shardDirs, Path.Combine(root, "merged"), o, e));
        Assert.True(merged.Code == ExitCodes.Ok, merged.Err);
        Assert.Equal(1 + 16, Rows(Path.Combine(root, "all")).Length);
        Assert.Equal(Rows(Path.Combine(root, "all")), Rows(Path.Combine(root, "merged")));
        Assert.Equal(File.ReadAllText(Path.Combine(root, "all", "summary.csv")), File.ReadAllText(Path.Combine(root, "merged", "summary.csv")));
        // report: the ranked table and the plots (score against each swept parameter, top curves).
        var report = CliRun.Capture((o, e) => SweepCommand.Report(Path.Combine(root, "all"), o, e));
        Assert.True(report.Code == ExitCodes.Ok, report.Err);
        foreach (string png in new[] { "score-vs-lr.png", "score-vs-envs.png", "score-vs-steps.png", "top-curves.png" })
            Assert.True(new FileInfo(Path.Combine(root, "all", png)).Length > 1000, png);
        CliRun.AssertBadInputLine(CliRun.Capture((o, e) => SweepCommand.Report(root, o, e)), "rlk sweep: ");
        Directory.Delete(root, true);
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public async Task Killed_at_random_points_and_resumed_equals_uninterrupted()
    {
        string root = NewRoot(out string spec);
        string clean = Path.Combine(root, "clean"), killed = Path.Combine(root, "killed");
        var full = await CliRun.FinishAsync(CliRun.Start(CliRun.DotnetHost, [CliRun.RlkDll, "sweep", "run", spec, "--out", clean]));
        Assert.True(full.Code == ExitCodes.Ok, full.Err);
        var rng = new Random();
        for (int attempt = 0; attempt < 3; attempt++)
        {
            using var p = CliRun.Start(CliRun.DotnetHost, [CliRun.RlkDll, "sweep", "run", spec, "--out", killed]);
            await Task.Delay(rng.Next(200, 2500), TestContext.Current.CancellationToken);
            if (!p.HasExited) p.Kill(entireProcessTree: true); // SIGKILL
            await p.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
        var resumed = await CliRun.FinishAsync(CliRun.Start(CliRun.DotnetHost, [CliRun.RlkDll, "sweep", "run", spec, "--out", killed]));
        Assert.True(resumed.Code == ExitCodes.Ok, resumed.Err);
        Assert.Equal(Rows(clean), Rows(killed));
        Directory.Delete(root, true);
    }
}
