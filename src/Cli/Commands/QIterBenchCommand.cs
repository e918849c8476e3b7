using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using RlKernels.Algorithms.Tabular;
using RlKernels.Envs.Tabular;
using RlKernels.Kernels.Hardware;
using RlKernels.Kernels.Gpu;
using Spectre.Console;

namespace RlKernels.Cli.Commands;

/// <summary>What <c>rlk bench qiter</c> measures.</summary>
public sealed record QIterBenchSettings : TimedBenchSettings
{
    /// <summary>State counts S of the random sparse MDPs.</summary>
    public IReadOnlyList<int> States { get; init; } = [10_000, 100_000, 1_000_000];
    /// <summary>Actions per state.</summary>
    public int Actions { get; init; } = 4;
    /// <summary>Outcomes (next states) per (s, a).</summary>
    public int Outcomes { get; init; } = 8;
    /// <summary>Discount of the sweeps.</summary>
    public double Gamma { get; init; } = 0.99;
    /// <summary>Bytes of the streaming-read probe.</summary>
    public long BandwidthBytes { get; init; } = 512L << 20;
    /// <summary>FrozenLake-8x8 instances of the batched-versus-one-by-one row; 0 = skip it.</summary>
    public int FrozenLakeInstances { get; init; } = 1000;
}

/// <summary>One row of <c>rlk bench qiter</c>: a sweep measurement, or the batched FrozenLake comparison.</summary>
public sealed record QIterBenchRow
{
    /// <summary>"sweep" or "batched_frozenlake".</summary>
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    [JsonPropertyName("backend")] public required string Backend { get; init; }
    [JsonPropertyName("states")] public required int States { get; init; }
    [JsonPropertyName("actions")] public required int Actions { get; init; }
    [JsonPropertyName("outcomes")] public required int Outcomes { get; init; }
    [JsonPropertyName("threads")] public required int Threads { get; init; }
    /// <summary>S·A·K backed-up transitions per second (median).</summary>
    [JsonPropertyName("transitions_per_second")] public required double TransitionsPerSecond { get; init; }
    /// <summary>Counted bytes (<see cref="SlicedMdp.BytesPerSweep"/>) per second, 10^9.</summary>
    [JsonPropertyName("gb_per_second")] public required double GbPerSecond { get; init; }
    /// <summary>The yardstick, 10^9 bytes/s: on cpu rows the machine's streaming-read bandwidth (all cores); on gpu rows the
    /// device's copy bandwidth (read + write bytes, <see cref="GpuCeilings"/>), measured on it in the same run.</summary>
    [JsonPropertyName("bandwidth_gb_per_second")] public required double BandwidthGbPerSecond { get; init; }
    /// <summary>gb_per_second / bandwidth_gb_per_second.</summary>
    [JsonPropertyName("bandwidth_fraction")] public required double BandwidthFraction { get; init; }
    [JsonPropertyName("bytes_per_sweep")] public required long BytesPerSweep { get; init; }
    [JsonPropertyName("seconds_per_sweep")] public required double SecondsPerSweep { get; init; }
    [JsonPropertyName("repeats")] public required int Repeats { get; init; }
    [JsonPropertyName("speedup_vs_cpu_scalar")] public double? SpeedupVsCpuScalar { get; set; }
    /// <summary>cpu sweep rows: how V(Next) was read, "hardware" (AVX2 gather), "loads" (8 scalar loads per vector)
    /// or "scalar" (no AVX2/FMA), the faster measured at the first sweep.</summary>
    [JsonPropertyName("gather"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Gather { get; init; }
    /// <summary>batched_frozenlake: instances solved.</summary>
    [JsonPropertyName("instances"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Instances { get; init; }
    /// <summary>batched_frozenlake: seconds of BatchedQIteration.SolveModels over all instances.</summary>
    [JsonPropertyName("batched_seconds"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? BatchedSeconds { get; init; }
    /// <summary>batched_frozenlake: seconds of QIteration.Solve on each instance in turn.</summary>
    [JsonPropertyName("one_by_one_seconds"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? OneByOneSeconds { get; init; }
    /// <summary>batched_frozenlake: one_by_one_seconds / batched_seconds.</summary>
    [JsonPropertyName("speedup_batched"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? SpeedupBatched { get; init; }
    /// <summary>batched_frozenlake: seconds of the batched call on one thread (one by one is one thread too).</summary>
    [JsonPropertyName("batched_one_thread_seconds"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? BatchedOneThreadSeconds { get; init; }
    /// <summary>batched_frozenlake: one_by_one_seconds / batched_one_thread_seconds (the per-core gain).</summary>
    [JsonPropertyName("speedup_batched_one_thread"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? SpeedupBatchedOneThread { get; init; }
}

/// <summary>
/// <c>rlk bench qiter</c>: synchronous float32 Q-iteration sweeps (<see cref="SlicedQIteration"/>,
/// <see cref="GpuSlicedQIteration"/>) over random sparse MDPs, in transitions/s and GB/s against the
/// machine's streaming-read bandwidth measured in the same run; plus batched against one-by-one solving
/// of FrozenLake-8x8 instances.
/// </summary>
public static class QIterBenchCommand
{
    public static Command Create()
    {
        var states = new Option<int[]>("--states") { Description = "States S (repeatable). Default: 10000, 100000, 1000000.", HelpName = "S" };
        var actions = new Option<int>("--actions") { Description = "Actions per state.", DefaultValueFactory = _ => 4 };
        var outcomes = new Option<int>("--outcomes") { Description = "Next states per (s, a).", DefaultValueFactory = _ => 8 };
        var timed = new TimedBenchOptions();
        var gamma = new Option<double>("--gamma") { Description = "Discount in [0, 1].", DefaultValueFactory = _ => 0.99 };
        var frozen = new Option<int>("--frozenlake") { Description = "FrozenLake-8x8 instances for the batched-vs-one-by-one row (0 = skip).", DefaultValueFactory = _ => 1000 };
        var command = new Command("qiter", "Measure Q-iteration sweeps (transitions/s, GB/s vs measured memory bandwidth) and batched FrozenLake solving.")
        {
            states, actions, outcomes, timed.Backend, gamma, timed.Seconds, timed.Repeats, frozen, timed.Json,
        };
        command.SetAction(parse => Run(timed.Read(parse, new QIterBenchSettings
        {
            States = parse.GetValue(states) is { Length: > 0 } s ? s : [10_000, 100_000, 1_000_000],
            Actions = parse.GetValue(actions),
            Outcomes = parse.GetValue(outcomes),
            Gamma = parse.GetValue(gamma),
            FrozenLakeInstances = parse.GetValue(frozen),
        }), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>FrozenLake-8x8 instances of the batched row: a million is ~10 GB of models, and minutes one by one.</summary>
    public const int MaxFrozenLakeInstances = 100_000;

    /// <summary>
    /// Upper estimate of a random model's bytes: per transition a next state and a probability (and the
    /// GPU or lane copy of both), per (s, a) a reward and Q, per state V.
    /// </summary>
    public static long EstimatedBytes(int states, int actions, int outcomes) =>
        16L * states * actions * outcomes + 16L * states * actions + 16L * states;

    /// <summary>Runs the benchmark. Returns 0, or <see cref="ExitCodes.BadInput"/> after a message on <paramref name="error"/>.</summary>
    public static int Run(QIterBenchSettings settings, TextWriter output, TextWriter error)
    {
        // CHECK INPUT before any time is spent: sizes, names, and a GPU when gpu is asked for.
        List<string> backends;
        try
        {
            if (settings.States.Count == 0) throw new ArgumentException("Give at least one --states value.");
            foreach (int s in settings.States)
                if (s <= 0) throw new ArgumentException($"--states must be at least 1, got {s}.");
            if (settings.Actions < 1) throw new ArgumentException($"--actions must be at least 1, got {settings.Actions}.");
            if (settings.Outcomes < 1) throw new ArgumentException($"--outcomes must be at least 1, got {settings.Outcomes}.");
            foreach (int s in settings.States)
                if ((long)s * settings.Actions * settings.Outcomes > int.MaxValue / 2)
                    throw new ArgumentException($"S·A·K = {(long)s * settings.Actions * settings.Outcomes} is too large (S={s}).");
            Bellman.CheckGamma(settings.Gamma, "--gamma");
            foreach (int s in settings.States)
                CliLimits.CheckMemory(EstimatedBytes(s, settings.Actions, settings.Outcomes), $"A random MDP with S={s}, A={settings.Actions}, K={settings.Outcomes}");
            CliLimits.CheckSeconds(settings.Seconds);
            CliLimits.CheckRepeats(settings.Repeats);
            if (settings.FrozenLakeInstances < 0 || settings.FrozenLakeInstances > MaxFrozenLakeInstances)
                throw new ArgumentException($"--frozenlake must be between 0 and {MaxFrozenLakeInstances}, got {settings.FrozenLakeInstances}.");
            if (settings.BandwidthBytes < 1 << 20) throw new ArgumentException($"The bandwidth probe needs at least 1 MiB, got {settings.BandwidthBytes} bytes.");
            backends = settings.ResolveBackends("qiter");
        }
        catch (Exception e)
        {
            error.WriteLine($"rlk bench qiter: {CliErrors.Message(e)}");
            return ExitCodes.BadInput;
        }

        var otherLoad = OtherCpuLoad.Start();
        // MEASURE: the bandwidth yardstick first, then every S × backend, then the FrozenLake batch.
        if (settings.Progress) error.WriteLine("bench qiter: streaming-read bandwidth …");
        double bandwidth = MemoryBandwidth.MeasureReadGBps(settings.BandwidthBytes);
        // The gpu rows' yardstick is the device's own copy bandwidth, measured on it in this run.
        double? deviceBandwidth = null;
        if (backends.Contains("gpu"))
        {
            if (settings.Progress) error.WriteLine("bench qiter: device copy bandwidth …");
            using var device = GpuDevice.Open(GpuDeviceKind.Cuda);
            deviceBandwidth = GpuCeilings.MeasureCopyAtDeviceSize(device, settings.Repeats);
        }
        var rows = new List<QIterBenchRow>();
        foreach (int stateCount in settings.States.Distinct())
        {
            var model = SlicedMdp.Random(stateCount, settings.Actions, settings.Outcomes, settings.Seed);
            foreach (string b in backends)
            {
                if (settings.Progress) error.WriteLine($"bench qiter {b} S={stateCount} …");
                rows.Add(MeasureSweeps(model, b, b == "gpu" ? deviceBandwidth!.Value : bandwidth, settings));
            }
        }
        foreach (var row in rows)
        {
            var scalar = rows.FirstOrDefault(r => r.States == row.States && r.Backend == "cpu-scalar");
            if (scalar is not null && scalar.TransitionsPerSecond > 0) row.SpeedupVsCpuScalar = row.TransitionsPerSecond / scalar.TransitionsPerSecond;
        }
        if (settings.FrozenLakeInstances > 0)
        {
            if (settings.Progress) error.WriteLine($"bench qiter: {settings.FrozenLakeInstances} FrozenLake-8x8 instances, batched and one by one …");
            rows.Add(MeasureFrozenLake(settings, bandwidth));
        }

        // REPORT
        if (settings.Json) output.WriteLine(CliJson.Serialize(rows, indented: true));
        else WriteTable(rows, bandwidth, output);
        otherLoad?.WarnIfShared("rlk bench qiter", error);
        return ExitCodes.Ok;
    }

    /// <summary>Median sweep rate of one backend on one model (a fresh Q = 0 per backend).</summary>
    private static QIterBenchRow MeasureSweeps(SlicedMdp model, string backend, double bandwidth, QIterBenchSettings settings)
    {
        int threads;
        Func<int, double> timeSweeps;  // sweeps → seconds
        IDisposable owner;
        Func<string?> gather = () => null; // cpu rows: how the sweep read V(Next), chosen at its first sweep
        GpuDevice? device = null;
        if (backend == "gpu")
        {
            device = GpuDevice.Open(GpuDeviceKind.Cuda);
            var gpu = new GpuSlicedQIteration(model, settings.Gamma, device);
            owner = gpu;
            threads = model.PaddedStateCount;
            timeSweeps = n =>
            {
                gpu.Synchronize();
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < n; i++) gpu.Sweep();
                gpu.Synchronize();
                return Stopwatch.GetElapsedTime(start).TotalSeconds;
            };
        }
        else
        {
            var cpu = new SlicedQIteration(model, settings.Gamma, backend == "cpu-scalar" ? 1 : 0);
            owner = cpu;
            threads = backend == "cpu-scalar" ? 1 : cpu.ThreadCount;
            bool scalar = backend == "cpu-scalar";
            if (!scalar) gather = () => cpu.Gather.ToString().ToLowerInvariant();
            timeSweeps = n =>
            {
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < n; i++)
                {
                    if (scalar) cpu.SweepScalar();
                    else cpu.Sweep();
                }
                return Stopwatch.GetElapsedTime(start).TotalSeconds;
            };
        }
        try
        {
            // WARM UP (JIT tiers, page faults, kernel load), then size a repeat to about Seconds.
            double once = timeSweeps(1);
            for (int i = 0; i < 3; i++) once = Math.Min(once, timeSweeps(1));
            int sweeps = (int)Math.Clamp(settings.Seconds / Math.Max(once, 1e-9), 1, 1_000_000);
            var perSweep = new double[settings.Repeats];
            for (int r = 0; r < settings.Repeats; r++) perSweep[r] = timeSweeps(sweeps) / sweeps;
            Array.Sort(perSweep);
            double median = perSweep.Length % 2 == 1 ? perSweep[perSweep.Length / 2] : (perSweep[perSweep.Length / 2 - 1] + perSweep[perSweep.Length / 2]) / 2;
            double gbps = model.BytesPerSweep / median / 1e9;
            return new QIterBenchRow
            {
                Kind = "sweep",
                Backend = backend,
                States = model.StateCount,
                Actions = model.ActionCount,
                Outcomes = model.OutcomeSlots,
                Threads = threads,
                TransitionsPerSecond = model.TransitionCount / median,
                GbPerSecond = gbps,
                BandwidthGbPerSecond = bandwidth,
                BandwidthFraction = gbps / bandwidth,
                BytesPerSweep = model.BytesPerSweep,
                SecondsPerSweep = median,
                Repeats = settings.Repeats,
                Gather = gather(),
            };
        }
        finally
        {
            owner.Dispose();
            device?.Dispose();
        }
    }

    /// <summary>The same instances solved by one batched call (all cores, and one thread) and by Q-iteration one at a
    /// time on one thread: float64 on both sides, the same tolerance (1e-10), the same synchronous sweeps from Q = 0.</summary>
    private static QIterBenchRow MeasureFrozenLake(QIterBenchSettings settings, double bandwidth)
    {
        var models = RandomFrozenLakeMaps.Models(settings.FrozenLakeInstances, settings.Seed);
        var batchedConfig = new BatchedQIterationConfig { Precision = TabularPrecision.Double };
        var singleConfig = new QIterationConfig { Gamma = settings.Gamma, Tolerance = batchedConfig.Tolerance, MaxIterations = batchedConfig.MaxIterations };
        double[] gamma = [settings.Gamma];
        // Warm-up on a few instances so neither side pays for JIT compilation.
        BatchedQIteration.SolveModels(models.Take(Math.Min(models.Count, 32)).ToList(), gamma, batchedConfig);
        foreach (var model in models.Take(8)) QIteration.Solve(model, singleConfig);
        var oneThreadConfig = batchedConfig with { Threads = 1 };
        var batched = new double[settings.Repeats];
        var batchedOneThread = new double[settings.Repeats];
        var single = new double[settings.Repeats];
        for (int r = 0; r < settings.Repeats; r++)
        {
            long start = Stopwatch.GetTimestamp();
            BatchedQIteration.SolveModels(models, gamma, batchedConfig);
            batched[r] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            start = Stopwatch.GetTimestamp();
            BatchedQIteration.SolveModels(models, gamma, oneThreadConfig);
            batchedOneThread[r] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            start = Stopwatch.GetTimestamp();
            foreach (var model in models) QIteration.Solve(model, singleConfig);
            single[r] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Array.Sort(batched);
        Array.Sort(batchedOneThread);
        Array.Sort(single);
        double b = batched[settings.Repeats / 2], b1 = batchedOneThread[settings.Repeats / 2], s = single[settings.Repeats / 2];
        return new QIterBenchRow
        {
            Kind = "batched_frozenlake",
            Backend = "cpu",
            States = 64,
            Actions = 4,
            Outcomes = 3,
            Threads = Environment.ProcessorCount,
            TransitionsPerSecond = 0,
            GbPerSecond = 0,
            BandwidthGbPerSecond = bandwidth,
            BandwidthFraction = 0,
            BytesPerSweep = 0,
            SecondsPerSweep = 0,
            Repeats = settings.Repeats,
            Instances = models.Count,
            BatchedSeconds = b,
            OneByOneSeconds = s,
            SpeedupBatched = s / b,
            BatchedOneThreadSeconds = b1,
            SpeedupBatchedOneThread = s / b1,
        };
    }

    private static void WriteTable(IReadOnlyList<QIterBenchRow> rows, double bandwidth, TextWriter output)
    {
        var console = CliConsole.For(output);
        var table = CliConsole.FigureTable(["backend"],
            "S", "threads", "transitions/s", "GB/s", "% of bandwidth", "ms/sweep", "vs cpu-scalar");
        foreach (var row in rows.Where(r => r.Kind == "sweep"))
            table.AddRow(Markup.Escape(row.Backend), row.States.ToString("N0", CultureInfo.InvariantCulture),
                row.Threads.ToString(CultureInfo.InvariantCulture), BenchCommand.FormatRate(row.TransitionsPerSecond),
                row.GbPerSecond.ToString("0.0", CultureInfo.InvariantCulture), (100 * row.BandwidthFraction).ToString("0", CultureInfo.InvariantCulture) + "%",
                (1e3 * row.SecondsPerSweep).ToString("0.00", CultureInfo.InvariantCulture),
                row.SpeedupVsCpuScalar is double s ? s.ToString("0.0", CultureInfo.InvariantCulture) + "×" : "");
        console.Write(table);
        console.WriteLine($"Measured streaming-read bandwidth: {bandwidth.ToString("0.0", CultureInfo.InvariantCulture)} GB/s (all cores)" +
            (rows.FirstOrDefault(r => r.Kind == "sweep" && r.Backend == "gpu") is { } g ? $"; gpu rows against the device's copy bandwidth, {g.BandwidthGbPerSecond.ToString("0", CultureInfo.InvariantCulture)} GB/s" : "") + ". " +
            "Bytes counted per sweep: next + weight (8 per slot), R, old Q and new Q (12 per (s, a)), V once and V' (8 per state)." +
            (rows.Where(r => r.Gather is not null).Select(r => r.Gather).Distinct().ToArray() is { Length: > 0 } ways
                ? $" cpu rows read V(Next) by {string.Join(" / ", ways)} (the faster, measured at each model's first sweep)." : ""));
        foreach (var row in rows.Where(r => r.Kind == "batched_frozenlake"))
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"FrozenLake-8x8 × {row.Instances} (float64, tolerance 1e-10 on both sides): batched {row.BatchedSeconds:0.000} s " +
                $"({row.Threads} threads), one by one {row.OneByOneSeconds:0.000} s (1 thread), speed-up {row.SpeedupBatched:0.0}×; " +
                $"batched on 1 thread {row.BatchedOneThreadSeconds:0.000} s, {row.SpeedupBatchedOneThread:0.0}×."));
    }
}
