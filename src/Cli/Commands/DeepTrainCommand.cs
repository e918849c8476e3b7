using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using RlKernels.Algorithms.Deep;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.IO;
using Spectre.Console;

namespace RlKernels.Cli.Commands;

/// <summary>What <c>rlk train ENV --algo ALGO</c> does for a deep (non-tabular) algorithm.</summary>
public sealed record DeepTrainSettings
{
    public required string Env { get; init; }
    public string Algo { get; init; } = "ppo";
    /// <summary>Env options KEY=VALUE (Gymnasium kwargs and wrappers such as frame_stack), as given on the command line.</summary>
    public IReadOnlyList<string> EnvArgs { get; init; } = [];
    public ulong Seed { get; init; } = 1;
    /// <summary>Backend name (see <see cref="BackendNames"/>): cpu backends step the envs there and run the networks on the CPU; gpu and gpu-cpu run ppo's whole loop on the device.</summary>
    public string Backend { get; init; } = "cpu";
    /// <summary>Env copies; null = the algorithm's default.</summary>
    public int? Envs { get; init; }
    /// <summary>Env-step budget; null = the algorithm's default.</summary>
    public long? Steps { get; init; }
    /// <summary>Learning rate; null = the algorithm's default.</summary>
    public float? LearningRate { get; init; }
    /// <summary>Discount γ in (0, 1]; null = the algorithm's default.</summary>
    public double? Gamma { get; init; }
    /// <summary>
    /// Values of the per-member hyperparameters given beyond the learning rate and γ (<see cref="MemberParam.All"/>:
    /// <c>--lambda</c>, <c>--ent-coef</c>, <c>--clip</c>, …): the run's one member takes them as a sweep's member would (<see cref="MemberParam.Set"/>); absent: the algorithm's.
    /// </summary>
    public IReadOnlyDictionary<MemberParam, double> Hyperparameters { get; init; } = new Dictionary<MemberParam, double>();
    /// <summary>Replay buffer size in transitions (algorithms with a replay buffer); null = the algorithm's default.</summary>
    public int? BufferSize { get; init; }
    /// <summary>Transitions per gradient step (algorithms with a replay buffer); null = the algorithm's default.</summary>
    public int? BatchSize { get; init; }
    /// <summary>CPU threads; 0 = all cores.</summary>
    public int Threads { get; init; }
    /// <summary>Keep training to the step budget after the target return is reached.</summary>
    public bool NoStop { get; init; }
    /// <summary>Episodes of the final evaluation.</summary>
    public int EvalEpisodes { get; init; } = 100;
    /// <summary>Folder for curve.csv, curve.png, timing.csv and model.safetensors; null = runs/ENV-ALGO-sSEED.</summary>
    public string? OutDir { get; init; }
    /// <summary>Overwrite the outputs of an earlier run in <see cref="OutDir"/> (else such a folder is refused).</summary>
    public bool Force { get; init; }
    public bool Json { get; init; }
}

/// <summary>The <c>--json</c> result of a training run.</summary>
public sealed record DeepTrainReport
{
    [JsonPropertyName("env")] public required string Env { get; init; }
    [JsonPropertyName("algo")] public required string Algo { get; init; }
    [JsonPropertyName("seed")] public required ulong Seed { get; init; }
    [JsonPropertyName("env_steps")] public required long EnvSteps { get; init; }
    /// <summary>Wall time from process start to the end of the final evaluation.</summary>
    [JsonPropertyName("seconds")] public required double Seconds { get; init; }
    /// <summary>Mean return of the greedy policy over the final evaluation's fresh episodes (null: not finite).</summary>
    [JsonPropertyName("final_mean_return")] public required double? FinalMeanReturn { get; init; }
    /// <summary>Standard deviation of the final evaluation's episode returns (null when not finite).</summary>
    [JsonPropertyName("final_std_return")] public required double? FinalStdReturn { get; init; }
    /// <summary>Wall time from process start at which the last 100 training episodes first averaged the target.</summary>
    [JsonPropertyName("solved_at_seconds")] public required double? SolvedAtSeconds { get; init; }
    /// <summary>Mean return of the last training episodes; null when no training episode finished.</summary>
    [JsonPropertyName("train_mean_return")] public required double? TrainMeanReturn { get; init; }
    /// <summary>Training episodes member 0 finished.</summary>
    [JsonPropertyName("train_episodes")] public required long TrainEpisodes { get; init; }
    [JsonPropertyName("train_seconds")] public required double TrainSeconds { get; init; }
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("curve_csv")] public required string CurveCsv { get; init; }
    [JsonPropertyName("curve_png")] public required string? CurvePng { get; init; }
    /// <summary>Wall time per curve row (timing.csv): apart from curve.csv, which is the same for the same seed whatever the thread count.</summary>
    [JsonPropertyName("timing_csv")] public required string TimingCsv { get; init; }
}

/// <summary>
/// <c>rlk train ENV --algo ALGO</c> for the deep algorithms of the registry (<see cref="DeepAlgorithms"/>):
/// trains with a progress bar, writes the learning curve (CSV and PNG) and the policy (safetensors), then
/// evaluates the greedy policy on fresh episodes.
/// </summary>
public static class DeepTrainCommand
{
    /// <summary>True when <paramref name="name"/> is a deep algorithm this command trains.</summary>
    public static bool IsDeepAlgo(string name) => DeepAlgorithms.IsKnown(name);

    /// <summary>Seconds since this process started (what <c>solved_at_seconds</c> is measured in).</summary>
    public static Func<double> ProcessClock()
    {
        double atStart = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalSeconds;
        long tick0 = Stopwatch.GetTimestamp();
        return () => atStart + Stopwatch.GetElapsedTime(tick0).TotalSeconds;
    }

    /// <summary>The files a run writes into its folder; any of them present marks an earlier run's folder.</summary>
    public static readonly IReadOnlyList<string> OutputFiles = ["model.safetensors", "curve.csv", "curve.png", "timing.csv"];

    /// <summary>
    /// Checks everything (settings, counts, the output folder), trains, writes the outputs, evaluates. Returns
    /// <see cref="ExitCodes.BadInput"/> before any work on bad input, <see cref="ExitCodes.RuntimeFailure"/> when
    /// a write fails (the message names the file; files already written stay complete) or training diverges (the
    /// last good policy is saved).
    /// </summary>
    public static int Run(DeepTrainSettings settings, TextWriter output, TextWriter error)
    {
        Func<double> clock = ProcessClock();
        RunSettings run;
        DeepOverrides overrides;
        string dir;
        try
        {
            DeepAlgorithms.CheckFits(settings.Algo, settings.Env);
            var envArgs = RlKernels.Envs.Registry.EnvArgs.Parse(settings.EnvArgs).Values;
            var (defaultEnvs, defaultSteps) = DeepAlgorithms.Defaults(settings.Algo, settings.Env);
            int maxEnvs = DeepLimits.MaxEnvs(settings.Algo, settings.Env, envArgs);
            if (settings.Envs is < 1 || settings.Envs > maxEnvs)
                throw new ArgumentException($"--envs must be between 1 and {maxEnvs} for {settings.Algo} on {settings.Env} (what fits in this machine's memory), got {settings.Envs}.");
            if (settings.Steps is < 1 or > RunSettings.MaxTotalSteps)
                throw new ArgumentException($"--steps must be between 1 and {RunSettings.MaxTotalSteps}, got {settings.Steps}.");
            if (settings.Threads < 0 || settings.Threads > VectorEnvOptions.MaxThreads)
                throw new ArgumentException($"--threads must be between 0 (all cores) and {VectorEnvOptions.MaxThreads} (4 per core), got {settings.Threads}.");
            if (settings.EvalEpisodes < 1 || settings.EvalEpisodes > maxEnvs)
                throw new ArgumentException($"evaluation episodes must be between 1 and {maxEnvs}, got {settings.EvalEpisodes}.");
            (MemberParam Param, double? Value)[] given =
                [(MemberParam.LearningRate, settings.LearningRate), (MemberParam.Gamma, settings.Gamma), .. settings.Hyperparameters.Select(h => (h.Key, (double?)h.Value))];
            foreach (var (param, value) in given)
                if (value is { } v && !param.Valid((float)v)) throw new ArgumentException($"{param.Flag} must be {param.Range} (got {v}).");
            run = new RunSettings
            {
                EnvId = settings.Env,
                EnvArgs = envArgs,
                EnvCount = settings.Envs ?? Math.Min(defaultEnvs, maxEnvs),
                TotalSteps = settings.Steps ?? defaultSteps,
                Seed = settings.Seed,
                Backend = BackendNames.Parse(settings.Backend),
                Threads = settings.Threads,
                TargetReturn = DeepAlgorithms.TargetReturn(settings.Env),
                StopAtTarget = !settings.NoStop,
                Clock = clock,
            };
            foreach (var (param, value) in settings.Hyperparameters)
            {
                DeepAlgorithms.CheckHas(settings.Algo, param, param.Flag);
                run = param.Set(run, [(float)value]);
            }
            run.Validate();
            if (settings.BufferSize is { } buffer && (buffer < 1 || buffer > DeepLimits.MaxReplay(settings.Env, envArgs)))
                throw new ArgumentException($"--buffer-size must be between 1 and {DeepLimits.MaxReplay(settings.Env, envArgs)} transitions for {settings.Env} (what fits in this machine's memory), got {buffer}.");
            if (settings.BatchSize is < 1)
                throw new ArgumentException($"--batch-size must be at least 1 (and at most the replay buffer's size), got {settings.BatchSize}.");
            overrides = new DeepOverrides
            {
                LearningRate = settings.LearningRate, Gamma = (float?)settings.Gamma, ReplayCapacity = settings.BufferSize, BatchSize = settings.BatchSize,
            };
            // The algorithm's own checks of the config these make (a batch larger than the buffer, a buffer beyond memory).
            DeepAlgorithms.CheckOverrides(settings.Algo, run, overrides);
            // Bad env options, and a backend this machine lacks (the gpu backend without a GPU), fail here, not mid-run.
            using (RlKernels.Envs.Registry.EnvRegistry.Make(run.EnvId, 1, new VectorEnvOptions { Backend = run.Backend }, run.EnvArgs)) { }
            // Last, so that bad input above leaves the disk untouched; created (and probed) before any training.
            dir = OutputFolder.Prepare(settings.OutDir ?? Path.Combine("runs", $"{settings.Env}-{settings.Algo}-s{settings.Seed}"), OutputFiles, settings.Force);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
        {
            error.WriteLine($"rlk train: {CliErrors.Message(e)}");
            return ExitCodes.BadInput;
        }

        string modelPath = Path.Combine(dir, "model.safetensors");
        var meta = new Dictionary<string, string> { ["algo"] = settings.Algo, ["seed"] = settings.Seed.ToString(CultureInfo.InvariantCulture) };
        // A JSON array of "KEY=VALUE" strings: values may hold commas (FrozenLake's desc). rlk eval reads it back.
        if (settings.EnvArgs.Count > 0) meta["env_args"] = JsonSerializer.Serialize(settings.EnvArgs);

        TrainResult result;
        string csvPath = Path.Combine(dir, "curve.csv"), timingPath = Path.Combine(dir, "timing.csv");
        string? pngPath = Path.Combine(dir, "curve.png"), plotError;
        try
        {
            try
            {
                result = TrainWithProgress(settings, run, overrides, output);
            }
            catch (TrainingDivergedException e)
            {
                // A runtime failure, not bad input: keep what is worth keeping, the last good policy.
                e.LastGood?.Save(modelPath, meta);
                error.WriteLine($"rlk train: {e.Message}{(e.LastGood is null ? "" : $" Saved it to {modelPath}.")}");
                return ExitCodes.RuntimeFailure;
            }
            // Each file is written whole under a temporary name and renamed: a failed write leaves no partial file.
            result.Policy!.Save(modelPath, meta);
            WriteCurve(csvPath, result.Curve);
            WriteTiming(timingPath, result.Curve);
            plotError = CurvePlot.TryWrite(pngPath, result.Curve, $"{settings.Env} {settings.Algo} seed {settings.Seed}");
            if (plotError is not null) pngPath = null;
        }
        catch (IOException e)
        {
            error.WriteLine($"rlk train: {CliErrors.Message(e).ReplaceLineEndings(" ")}");
            return ExitCodes.RuntimeFailure;
        }

        var (evalMeans, evalStds) = Evaluation.Returns(result.Policy, settings.EvalEpisodes, settings.Seed + 0x5EED_0000UL,
            run.Backend, run.EnvArgs, settings.Threads);
        double evalReturn = evalMeans[0];
        long trainEpisodes = result.Curve.LastOrDefault(c => c.Member == 0).Episodes;
        var report = new DeepTrainReport
        {
            Env = settings.Env, Algo = settings.Algo, Seed = settings.Seed, EnvSteps = result.EnvSteps,
            Seconds = Math.Round(clock(), 3), FinalMeanReturn = CliJson.Finite(Math.Round(evalReturn, 2)),
            FinalStdReturn = CliJson.Finite(Math.Round(evalStds[0], 2)),
            SolvedAtSeconds = result.SolvedAtSeconds is { } s ? Math.Round(s, 3) : null,
            TrainMeanReturn = CliJson.Finite(Math.Round(result.FinalRecentMean[0], 2)), TrainEpisodes = trainEpisodes,
            TrainSeconds = Math.Round(result.Seconds, 3),
            Model = modelPath, CurveCsv = csvPath, CurvePng = pngPath, TimingCsv = timingPath,
        };
        if (settings.Json)
        {
            output.WriteLine(CliJson.Serialize(report));
            return ExitCodes.Ok;
        }
        var console = CliConsole.For(output);
        var grid = new Grid().AddColumn().AddColumn();
        void Row(string k, string v) => grid.AddRow(new Text(k), new Text(v));
        Row("env / algo / seed", $"{report.Env} / {report.Algo} / {report.Seed}");
        Row("env steps", report.EnvSteps.ToString("N0", CultureInfo.InvariantCulture));
        Row("training", report.TrainMeanReturn is { } trainMean
            ? $"{report.TrainSeconds:F2} s, last-100 mean return {trainMean:F1}"
            : $"{report.TrainSeconds:F2} s, no episode finished");
        Row("solved at", report.SolvedAtSeconds is { } at ? $"{at:F2} s after process start" : "not solved");
        Row($"evaluation ({settings.EvalEpisodes} episodes)", report.FinalMeanReturn is { } final ? $"mean return {final:F1}" : "no finite mean return");
        Row("model", modelPath);
        Row("curve", pngPath is null ? $"{csvPath} (no PNG: {plotError})" : $"{csvPath}, {pngPath}");
        console.Write(grid);
        return ExitCodes.Ok;
    }

    private static TrainResult TrainWithProgress(DeepTrainSettings settings, RunSettings run, DeepOverrides overrides, TextWriter output)
    {
        bool terminal = !settings.Json && ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        if (!terminal) return DeepAlgorithms.Train(settings.Algo, run, overrides);
        TrainResult? result = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"{settings.Algo} on {settings.Env}", maxValue: run.TotalSteps);
                result = DeepAlgorithms.Train(settings.Algo, run with
                {
                    Progress = p =>
                    {
                        task.Value = p.EnvSteps;
                        task.Description = string.Create(CultureInfo.InvariantCulture,
                            $"{settings.Algo} on {settings.Env}: {p.EnvSteps / Math.Max(p.Seconds, 1e-9):N0} steps/s, mean return {p.RecentMeanReturn:F1}");
                    },
                }, overrides);
                task.Value = task.MaxValue;
            });
        return result!;
    }

    /// <summary>Header of curve.csv: one row per update and member; mean_return is empty before the first finished episode.</summary>
    public const string CurveHeader = "env_steps,member,mean_return,episodes";

    /// <summary>
    /// Writes the learning curve (atomically). It holds no wall time, so the same seed gives the same bytes
    /// whatever the thread count; wall time goes to timing.csv.
    /// </summary>
    public static void WriteCurve(string path, IReadOnlyList<CurvePoint> curve)
    {
        var sb = new StringBuilder(CurveHeader).Append('\n');
        foreach (var c in curve)
        {
            string mean = double.IsFinite(c.RecentMeanReturn) ? c.RecentMeanReturn.ToString("F3", CultureInfo.InvariantCulture) : "";
            sb.Append(CultureInfo.InvariantCulture, $"{c.EnvSteps},{c.Member},{mean},{c.Episodes}\n");
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>Header of timing.csv: seconds since training started at each curve row.</summary>
    public const string TimingHeader = "env_steps,member,seconds";

    /// <summary>Writes the wall time of each curve row (atomically).</summary>
    public static void WriteTiming(string path, IReadOnlyList<CurvePoint> curve)
    {
        var sb = new StringBuilder(TimingHeader).Append('\n');
        foreach (var c in curve)
            sb.Append(CultureInfo.InvariantCulture, $"{c.EnvSteps},{c.Member},{c.Seconds:F4}\n");
        AtomicFile.WriteAllText(path, sb.ToString());
    }
}
