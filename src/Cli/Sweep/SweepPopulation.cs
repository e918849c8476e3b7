using System.Globalization;
using RlKernels.Algorithms.Deep;
using RlKernels.Cli.Commands;
using RlKernels.Envs.Registry;

namespace RlKernels.Cli.Sweep;

/// <summary>
/// Trains runs of one batch (same env, algorithm, envs and steps; differing only in seed and per-member hyperparameters:
/// <see cref="MemberParam.All"/>) as
/// one population, then writes each member's folder as <c>rlk train --no-stop</c> would write it for that run
/// alone: the same model.safetensors and curve.csv bytes, the same evaluation (tested). Sweeps train every run
/// for its whole step budget, so runs compare over equal budgets.
/// </summary>
public static class SweepPopulation
{
    /// <summary>Seed offset of the final evaluation episodes, as <c>rlk train</c> uses it.</summary>
    public const ulong EvalSeedOffset = 0x5EED_0000UL;

    /// <summary>
    /// Trains <paramref name="runs"/> (one batch) together on <paramref name="threads"/> threads into
    /// DIR/runs/ID. A population in which a member diverges is split in two halves, each trained again as a
    /// population, down to the diverging runs alone: only they are marked diverged, and the others stay batched
    /// (members are independent, so a member trains in any population exactly as alone: tested).
    /// </summary>
    /// <returns>One row per run, in the order given, and the env steps each took.</returns>
    public static IReadOnlyList<(SweepRow Row, long EnvSteps)> Train(SweepSpec spec, IReadOnlyList<SweepRun> runs, string dir, int threads)
    {
        try
        {
            return TrainTogether(spec, runs, dir, threads);
        }
        catch (TrainingDivergedException) when (runs.Count > 1)
        {
            // A member diverged (which one is not known: the check names a tensor, and the loss is member 0's).
            // Halving finds the diverging runs in a few retrains of shrinking populations; one run at a time
            // would train every other member alone too.
            int half = runs.Count / 2;
            return [.. Train(spec, runs.Take(half).ToArray(), dir, threads), .. Train(spec, runs.Skip(half).ToArray(), dir, threads)];
        }
        catch (TrainingDivergedException e)
        {
            string why = e.Message.ReplaceLineEndings(" ");
            SweepRun r = runs[0];
            e.LastGood?.Save(Path.Combine(RunFolder(dir, r), "model.safetensors"), Metadata(spec, r));
            return [(Failed(r, $"diverged: {why}"), 0)];
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or IOException)
        {
            string why = CliErrors.Message(e).ReplaceLineEndings(" ");
            return runs.Select(r => (Failed(r, $"failed: {why}"), 0L)).ToArray();
        }
    }

    private static IReadOnlyList<(SweepRow Row, long EnvSteps)> TrainTogether(SweepSpec spec, IReadOnlyList<SweepRun> runs, string dir, int threads)
    {
        DeepAlgorithms.CheckFits(spec.Algo, spec.Env);
        var envArgs = EnvArgs.Parse(spec.EnvArgs).Values;
        var (defaultEnvs, defaultSteps) = DeepAlgorithms.Defaults(spec.Algo, spec.Env);
        SweepRun first = runs[0];
        int maxEnvs = DeepLimits.MaxEnvs(spec.Algo, spec.Env, envArgs);
        var run = new RunSettings
        {
            EnvId = spec.Env,
            EnvArgs = envArgs,
            EnvCount = first.Get("envs") is { } e ? (int)e : spec.Envs ?? Math.Min(defaultEnvs, maxEnvs),
            TotalSteps = first.Get("steps") is { } s ? (long)s : spec.Steps ?? defaultSteps,
            Seed = first.Seed,
            Seeds = runs.Select(r => r.Seed).ToArray(),
            Backend = BackendNames.Parse(spec.Backend),
            Threads = threads,
            TargetReturn = DeepAlgorithms.TargetReturn(spec.Env),
            StopAtTarget = false,
        };
        foreach (MemberParam param in MemberParam.All) run = param.Set(run, PerMember(runs, param.Key));
        run.Validate();
        TrainResult result = DeepAlgorithms.Train(spec.Algo, run);
        var (means, stds) = Evaluation.Returns(result.Policy!, spec.EvalEpisodes,
            runs.Select(r => unchecked(r.Seed + EvalSeedOffset)).ToArray(), run.Backend, envArgs, threads);

        var rows = new List<(SweepRow, long)>(runs.Count);
        for (int k = 0; k < runs.Count; k++)
        {
            SweepRun r = runs[k];
            string runDir = RunFolder(dir, r);
            // Member k's points, renumbered as member 0: the curve its run alone records.
            var curve = result.Curve.Where(c => c.Member == k).Select(c => c with { Member = 0 }).ToArray();
            result.Policy!.Member(k).Save(Path.Combine(runDir, "model.safetensors"), Metadata(spec, r));
            DeepTrainCommand.WriteCurve(Path.Combine(runDir, "curve.csv"), curve);
            DeepTrainCommand.WriteTiming(Path.Combine(runDir, "timing.csv"), curve);
            CurvePlot.TryWrite(Path.Combine(runDir, "curve.png"), curve, $"{spec.Env} {spec.Algo} seed {r.Seed}");
            double? final = double.IsFinite(means[k]) ? Math.Round(means[k], 2) : null;
            double? finalStd = double.IsFinite(stds[k]) ? Math.Round(stds[k], 2) : null;
            var (auc, solvedSteps, solvedSeconds) = CurveFacts(curve, run.TargetReturn);
            rows.Add((new SweepRow(r.Id, r.Config, r.Seed, r.Batch, r.ParamText, final, finalStd, auc, solvedSteps, solvedSeconds,
                final is null ? "diverged: no finite evaluation return" : "ok"), result.EnvSteps));
        }
        return rows;
    }

    /// <summary>Each run's value of <paramref name="name"/> ([P]), or null when no run sets it (the algorithm's default).</summary>
    private static float[]? PerMember(IReadOnlyList<SweepRun> runs, string name)
    {
        bool any = runs.Any(r => r.Get(name) is not null);
        if (any && runs.Any(r => r.Get(name) is null))
            throw new ArgumentException($"runs of one batch must all set {name} or all leave it to the algorithm.");
        return any ? runs.Select(r => (float)r.Get(name)!.Value).ToArray() : null;
    }

    /// <summary>The run's model metadata, as <c>rlk train</c> writes it.</summary>
    private static Dictionary<string, string> Metadata(SweepSpec spec, SweepRun r)
    {
        var meta = new Dictionary<string, string> { ["algo"] = spec.Algo, ["seed"] = r.Seed.ToString(CultureInfo.InvariantCulture) };
        if (spec.EnvArgs.Count > 0) meta["env_args"] = System.Text.Json.JsonSerializer.Serialize(spec.EnvArgs);
        return meta;
    }

    /// <summary>DIR/runs/ID, created.</summary>
    private static string RunFolder(string dir, SweepRun r)
    {
        string runDir = Path.Combine(dir, "runs", r.Id);
        Directory.CreateDirectory(runDir);
        return runDir;
    }

    private static SweepRow Failed(SweepRun r, string status) =>
        new(r.Id, r.Config, r.Seed, r.Batch, r.ParamText, null, null, null, null, null, status);

    /// <summary>Area under the curve (mean of its recent-mean returns), and the first step and second at the target.</summary>
    private static (double? Auc, long? SolvedSteps, double? SolvedSeconds) CurveFacts(IReadOnlyList<CurvePoint> curve, float? target)
    {
        double sum = 0; int n = 0; long? steps = null; double? seconds = null;
        foreach (var c in curve)
        {
            if (!double.IsFinite(c.RecentMeanReturn)) continue;
            // As curve.csv holds it (3 decimals), so the figures match those read back from a run's file.
            double v = Math.Round(c.RecentMeanReturn, 3);
            sum += v; n++;
            if (steps is null && target is { } t && v >= t) { steps = c.EnvSteps; seconds = Math.Round(c.Seconds, 3); }
        }
        return (n > 0 ? Math.Round(sum / n, 3) : null, steps, seconds);
    }
}
