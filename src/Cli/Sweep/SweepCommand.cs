using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RlKernels.Algorithms.Deep;
using RlKernels.Cli.Commands;

namespace RlKernels.Cli.Sweep;

/// <summary>
/// <c>rlk sweep plan|run|report|merge</c>: expands a spec into runs, trains them (resumable, shardable),
/// and ranks the configurations by IQM across seeds. Bad input is one line on stderr, exit 2, nothing written.
/// </summary>
public static class SweepCommand
{
    /// <summary>The <c>sweep</c> command and its subcommands.</summary>
    public static Command Create()
    {
        var sweep = new Command("sweep", "Hyperparameter sweeps: plan, run (resumable, shardable), report, merge.");

        var planSpec = new Argument<string>("spec") { Description = "Sweep spec (TOML)." };
        var plan = new Command("plan", "Print the expanded runs: id, parameters, batch.") { planSpec };
        plan.SetAction(p => (Plan(p.GetValue(planSpec)!, Console.Out, Console.Error)));
        sweep.Subcommands.Add(plan);

        var runSpec = new Argument<string>("spec") { Description = "Sweep spec (TOML)." };
        var outOpt = new Option<string>("--out") { Description = "Results folder.", Required = true };
        var shard = new Option<string?>("--shard") { Description = "Run shard I/N (0-based) of the batches.", HelpName = "I/N" };
        var shards = new Option<int?>("--shards") { Description = "Shard count N; I from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX." };
        var jobs = new Option<int>("--jobs") { Description = "Cores to train on: populations (batches of runs) trained at once; 0 = all cores.", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "One JSON line per finished run." };
        var run = new Command("run", "Train every run of the spec; skips runs already in --out.") { runSpec, outOpt, shard, shards, jobs, json };
        run.SetAction(p => (Run(p.GetValue(runSpec)!, p.GetValue(outOpt)!, p.GetValue(shard), p.GetValue(shards), p.GetValue(jobs),
            p.GetValue(json), Console.Out, Console.Error)));
        sweep.Subcommands.Add(run);

        var reportDir = new Argument<string>("dir") { Description = "Results folder." };
        var report = new Command("report", "Print the ranked configurations of a results folder.") { reportDir };
        report.SetAction(p => (Report(p.GetValue(reportDir)!, Console.Out, Console.Error)));
        sweep.Subcommands.Add(report);

        var mergeDirs = new Argument<string[]>("dirs") { Description = "Shard folders.", Arity = ArgumentArity.OneOrMore };
        var mergeOut = new Option<string>("--out") { Description = "Merged results folder.", Required = true };
        var merge = new Command("merge", "Join shard folders of one spec into one and summarize.") { mergeDirs, mergeOut };
        merge.SetAction(p => (Merge(p.GetValue(mergeDirs)!, p.GetValue(mergeOut)!, Console.Out, Console.Error)));
        sweep.Subcommands.Add(merge);
        return sweep;
    }

    private static int BadInput(TextWriter error, Exception e)
    {
        error.WriteLine($"rlk sweep: {CliErrors.Message(e).ReplaceLineEndings(" ")}");
        return ExitCodes.BadInput;
    }

    /// <summary><c>rlk sweep plan SPEC</c>.</summary>
    public static int Plan(string specPath, TextWriter output, TextWriter error)
    {
        IReadOnlyList<SweepRun> runs;
        try { runs = SweepPlan.Expand(SweepSpec.Load(specPath)); }
        catch (ArgumentException e) { return BadInput(error, e); }
        output.WriteLine("run\tbatch\tseed\tparams");
        foreach (var r in runs) output.WriteLine($"{r.Id}\tb{r.Batch}\t{r.Seed}\t{r.ParamText}");
        int configs = runs.Select(r => r.Config).Distinct().Count(), batches = runs.Select(r => r.Batch).Distinct().Count();
        output.WriteLine($"{Count(runs.Count, "run")}, {Count(configs, "configuration")}, {Count(batches, "batch", "batches")}");
        return ExitCodes.Ok;
    }

    /// <summary>Shard (I, N) from --shard I/N, or --shards N with the index from Slurm or Kubernetes.</summary>
    public static (int Index, int Count) ResolveShard(string? shard, int? shards, Func<string, string?> env)
    {
        if (shard is not null)
        {
            string[] parts = shard.Split('/');
            if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out int i) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int n))
                throw new ArgumentException($"--shard must be I/N, got '{shard}'.");
            if (n < 1 || i < 0 || i >= n) throw new ArgumentException($"--shard {shard}: the index must be in [0, {n - 1}] and N ≥ 1.");
            return (i, n);
        }
        if (shards is null) return (0, 1);
        if (shards < 1) throw new ArgumentException($"--shards must be ≥ 1, got {shards}.");
        string? text = env("SLURM_ARRAY_TASK_ID") ?? env("JOB_COMPLETION_INDEX");
        if (text is null) throw new ArgumentException("--shards needs SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX in the environment (or use --shard I/N).");
        if (!int.TryParse(text, CultureInfo.InvariantCulture, out int index) || index < 0 || index >= shards)
            throw new ArgumentException($"shard index '{text}' from the environment is out of range [0, {shards - 1}].");
        if (env("SLURM_ARRAY_TASK_COUNT") is { } count && count != shards.Value.ToString(CultureInfo.InvariantCulture))
            throw new ArgumentException($"--shards {shards} disagrees with SLURM_ARRAY_TASK_COUNT={count}.");
        return (index, shards.Value);
    }

    /// <summary><c>rlk sweep run SPEC --out DIR</c>.</summary>
    public static int Run(string specPath, string outDir, string? shardText, int? shards, int jobs, bool json, TextWriter output, TextWriter error)
    {
        SweepSpec spec;
        IReadOnlyList<SweepRun> runs;
        string dir;
        try
        {
            spec = SweepSpec.Load(specPath);
            var (index, count) = ResolveShard(shardText, shards, Environment.GetEnvironmentVariable);
            if (jobs < 0 || jobs > 4 * Environment.ProcessorCount) throw new ArgumentException($"--jobs must be between 0 and {4 * Environment.ProcessorCount}, got {jobs}.");
            if (!DeepAlgorithms.IsKnown(spec.Algo)) throw new ArgumentException($"algo '{spec.Algo}' is not a deep algorithm; known: {string.Join(", ", DeepAlgorithms.Names)}.");
            runs = SweepPlan.Shard(SweepPlan.Expand(spec), index, count);
            string full = Path.GetFullPath(outDir);
            if (File.Exists(full)) throw new ArgumentException($"--out '{outDir}' is an existing file, not a folder.");
            string? owner = Directory.Exists(full) ? SweepResults.ReadHash(full) : null;
            if (owner is not null && owner != spec.Hash)
                throw new ArgumentException($"--out '{outDir}' holds the results of another spec (hash {owner[..12]}…, this one {spec.Hash[..12]}…); use another folder.");
            if (owner is null && Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
                throw new ArgumentException($"--out '{outDir}' is not empty and holds no sweep; use an empty or new folder.");
            dir = full;
        }
        catch (ArgumentException e) { return BadInput(error, e); }

        Directory.CreateDirectory(dir);
        RlKernels.Kernels.IO.AtomicFile.WriteAllText(Path.Combine(dir, SweepResults.HashFile), spec.Hash + "\n");
        var rows = SweepResults.ReadRows(dir);
        var done = rows.Select(r => r.Id).ToHashSet();
        var todo = runs.Where(r => !done.Contains(r.Id)).ToArray();
        int parallel = jobs == 0 ? Environment.ProcessorCount : jobs;
        var gate = new object();
        var watch = Stopwatch.StartNew();
        int finished = runs.Count - todo.Length;
        long steps = 0;
        // Runs of one batch train together as populations, split into as many as keep every core busy (at most
        // MaxMembers members each, which also bounds what a crash loses); each population trains on one thread.
        var populations = Populations(todo, parallel);
        int threadsEach = Math.Max(1, parallel / Math.Max(1, populations.Count));
        Parallel.ForEach(populations, new ParallelOptions { MaxDegreeOfParallelism = parallel }, members =>
        {
            var trained = SweepPopulation.Train(spec, members, dir, threadsEach);
            lock (gate)
            {
                foreach (var (row, envSteps) in trained)
                {
                    rows.Add(row);
                    finished++;
                    steps += envSteps;
                }
                SweepResults.WriteRows(dir, rows);
                double rate = steps / Math.Max(watch.Elapsed.TotalSeconds, 1e-9);
                double eta = watch.Elapsed.TotalSeconds / Math.Max(1, finished - (runs.Count - todo.Length)) * (runs.Count - finished);
                var best = SweepResults.Summarize(rows).FirstOrDefault();
                foreach (var (row, _) in trained)
                {
                    if (json)
                        output.WriteLine(JsonSerializer.Serialize(new { run = row.Id, status = row.Status, final_mean = row.FinalMean, done = finished, total = runs.Count, steps_per_s = Math.Round(rate), eta_s = Math.Round(eta, 1), best_config = best?.Config }));
                    else
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"[{finished}/{runs.Count}] {row.Id} {row.Status} final {row.FinalMean?.ToString("F1", CultureInfo.InvariantCulture) ?? "-"} | {rate:N0} steps/s, ETA {eta:F0} s, best c{best?.Config} IQM {best?.Iqm:F1}"));
                }
            }
        });
        SweepResults.WriteRows(dir, rows);
        var summary = SweepResults.Summarize(rows);
        SweepResults.WriteSummary(dir, summary);
        var plots = SweepPlots.Write(dir, rows, summary);
        if (!json)
        {
            PrintTable(summary, output);
            foreach (string png in plots) output.WriteLine($"plot: {png}");
        }
        return ExitCodes.Ok;
    }

    /// <summary>Most members in one population.</summary>
    public const int MaxMembers = 32;

    /// <summary>
    /// The runs grouped by batch, each batch cut into populations of equal size (at most <see cref="MaxMembers"/>),
    /// into at least <paramref name="parallel"/> populations where there are that many runs.
    /// </summary>
    public static IReadOnlyList<SweepRun[]> Populations(IReadOnlyList<SweepRun> runs, int parallel)
    {
        var batches = runs.GroupBy(r => r.Batch).Select(g => g.ToArray()).ToArray();
        int total = runs.Count;
        var populations = new List<SweepRun[]>();
        foreach (var batch in batches)
        {
            // This batch's share of the cores, by its share of the runs (at least one population).
            int wanted = Math.Max(1, (int)Math.Round((double)parallel * batch.Length / Math.Max(1, total)));
            int count = Math.Max(wanted, (batch.Length + MaxMembers - 1) / MaxMembers);
            count = Math.Min(count, batch.Length);
            int size = (batch.Length + count - 1) / count;
            for (int i = 0; i < batch.Length; i += size) populations.Add(batch[i..Math.Min(batch.Length, i + size)]);
        }
        return populations;
    }

    private static void PrintTable(IReadOnlyList<SweepResults.ConfigSummary> summary, TextWriter output)
    {
        output.WriteLine("rank\tconfig\tIQM [95% CI]\tmean\tmedian\tok/seeds\tparams");
        foreach (var s in summary)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.Rank}\tc{s.Config}\t{s.Iqm:F1} [{s.CiLow:F1}, {s.CiHigh:F1}]\t{s.Mean:F1}\t{s.Median:F1}\t{s.Ok}/{s.Seeds}\t{s.Params}"));
    }

    /// <summary><c>rlk sweep report DIR</c>: recomputes the summary from runs.csv and prints the ranking.</summary>
    public static int Report(string dir, TextWriter output, TextWriter error)
    {
        if (!File.Exists(Path.Combine(dir, "runs.csv")))
            return BadInput(error, new ArgumentException($"'{dir}' holds no runs.csv; give a sweep results folder."));
        var rows = SweepResults.ReadRows(dir);
        var summary = SweepResults.Summarize(rows);
        SweepResults.WriteSummary(dir, summary);
        PrintTable(summary, output);
        foreach (string png in SweepPlots.Write(dir, rows, summary)) output.WriteLine($"plot: {png}");
        return ExitCodes.Ok;
    }

    /// <summary><c>rlk sweep merge DIR... --out DIR</c>: shard folders of one spec joined row for row.</summary>
    public static int Merge(IReadOnlyList<string> dirs, string outDir, TextWriter output, TextWriter error)
    {
        string? hash = null;
        try
        {
            foreach (string d in dirs)
            {
                string? h = SweepResults.ReadHash(d) ?? throw new ArgumentException($"'{d}' is not a sweep results folder (no {SweepResults.HashFile}).");
                if (hash is not null && h != hash) throw new ArgumentException($"'{d}' holds another spec's results; merge shards of one spec only.");
                hash = h;
            }
            string? owner = Directory.Exists(outDir) ? SweepResults.ReadHash(outDir) : null;
            if (owner is not null && owner != hash) throw new ArgumentException($"--out '{outDir}' holds the results of another spec; use another folder.");
        }
        catch (ArgumentException e) { return BadInput(error, e); }
        var rows = dirs.SelectMany(SweepResults.ReadRows).GroupBy(r => r.Id).Select(g => g.First()).ToList();
        Directory.CreateDirectory(outDir);
        RlKernels.Kernels.IO.AtomicFile.WriteAllText(Path.Combine(outDir, SweepResults.HashFile), hash + "\n");
        SweepResults.WriteRows(outDir, rows);
        var summary = SweepResults.Summarize(rows);
        SweepResults.WriteSummary(outDir, summary);
        PrintTable(summary, output);
        return ExitCodes.Ok;
    }

    /// <summary>"1 run", "2 runs".</summary>
    private static string Count(int n, string one, string? many = null) => n == 1 ? $"1 {one}" : $"{n} {many ?? one + "s"}";
}
