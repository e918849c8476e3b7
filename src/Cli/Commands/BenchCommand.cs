using System.CommandLine;
using System.Globalization;
using System.Text.Json.Serialization;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Gpu;
using RlKernels.Kernels.Hardware;
using Spectre.Console;

namespace RlKernels.Cli.Commands;

/// <summary>What <c>rlk bench</c> measures; each list is one axis of the grid env × backend × envCount.</summary>
public sealed record BenchSettings
{
    /// <summary>Env ids; empty = every registered id.</summary>
    public IReadOnlyList<string> Envs { get; init; } = [];
    /// <summary>Backend names (see <see cref="BackendNames"/>).</summary>
    public IReadOnlyList<string> Backends { get; init; } = ["cpu", "cpu-scalar"];
    /// <summary>Batch sizes.</summary>
    public IReadOnlyList<int> EnvCounts { get; init; } = [1, 64, 1024, 16384, 65536];
    /// <summary>Seconds per timed repeat.</summary>
    public double Seconds { get; init; } = 0.5;
    /// <summary>Timed repeats per measurement; the median is reported.</summary>
    public int Repeats { get; init; } = 5;
    /// <summary>Seconds of untimed steps before the first repeat, so tiered JIT compilation settles.</summary>
    public double WarmupSeconds { get; init; } = 0.3;
    /// <summary>KEY=VALUE env options passed to every env.</summary>
    public IReadOnlyList<string> EnvArgs { get; init; } = [];
    /// <summary>One JSON array on stdout instead of a table.</summary>
    public bool Json { get; init; }
    /// <summary>A line on stderr as each measurement starts.</summary>
    public bool Progress { get; init; }
    /// <summary>Beside each StepRandom row, a row timing one-step <c>Step(actions)</c> calls with preallocated random
    /// actions from the caller: the path every embedding (C, Python, a .NET training loop) uses.</summary>
    public bool CallerActions { get; init; }
    /// <summary>Measure the ceilings in the same run (CartPole SoA loop per batch size, memory read and copy, FMA peak).</summary>
    public bool Ceilings { get; init; } = true;
    /// <summary>Bytes the bandwidth probes stream (far above the last-level cache).</summary>
    public long BandwidthBytes { get; init; } = 256L << 20;
    /// <summary>Add Gymnasium's NumPy CartPoleVectorEnv (CartPole-v1 only) through a Python subprocess.</summary>
    public bool Peers { get; init; }
    /// <summary>The interpreter the peer runs under when none is given.</summary>
    public const string DefaultPython = "python3";
    /// <summary>The Python interpreter the peer runs under.</summary>
    public string PythonCommand { get; init; } = DefaultPython;
    /// <summary>True when --python was given on the command line (it means something with --peers only).</summary>
    public bool PythonGiven { get; init; }
    /// <summary>
    /// Variants of every env, each "KEY=VALUE[,KEY=VALUE…]" env options over <see cref="EnvArgs"/> (a wrapper such as
    /// frame_stack=4): one more row per backend, timed in the same rounds as the plain env, with its ratio to it.
    /// </summary>
    public IReadOnlyList<string> Variants { get; init; } = [];
}

/// <summary>
/// One row of <c>rlk bench</c>: a measured cell of the grid (<see cref="Kind"/> "env"), a peer library on the
/// same machine ("peer") or a ceiling measured in the same run ("ceiling"). Rates are env-steps per second.
/// </summary>
public sealed record BenchRow
{
    /// <summary>"env", "peer" or "ceiling".</summary>
    [JsonPropertyName("kind")] public string Kind { get; init; } = BenchKinds.Env;
    [JsonPropertyName("env")] public required string Env { get; init; }
    [JsonPropertyName("backend")] public required string Backend { get; init; }
    [JsonPropertyName("envs")] public required int Envs { get; init; }
    [JsonPropertyName("steps_per_second")] public required double StepsPerSecond { get; init; }
    [JsonPropertyName("min")] public required double Min { get; init; }
    [JsonPropertyName("max")] public required double Max { get; init; }
    [JsonPropertyName("repeats")] public required int Repeats { get; init; }
    [JsonPropertyName("lanes")] public required int Lanes { get; init; }
    [JsonPropertyName("threads")] public required int Threads { get; init; }
    [JsonPropertyName("bytes_per_env")] public required long BytesPerEnv { get; init; }
    /// <summary>Steps per <c>StepRandom</c> call in the timed loop.</summary>
    [JsonPropertyName("steps_per_call")] public required int StepsPerCall { get; init; }
    /// <summary>Median rate over the cpu-scalar median at the same env and envs, the two timed in rounds; null when
    /// cpu-scalar was not measured.</summary>
    [JsonPropertyName("speedup_vs_cpu_scalar")] public double? SpeedupVsCpuScalar { get; set; }
    /// <summary>"random" (<c>StepRandom</c>) or "caller" (<c>Step(actions)</c>, one step per call; <c>--caller-actions</c>).</summary>
    [JsonPropertyName("actions")] public string Actions { get; init; } = "random";
    /// <summary>Caller rows: median rate over the StepRandom row's median, the two timed in rounds; null otherwise.</summary>
    [JsonPropertyName("vs_step_random")] public double? VsStepRandom { get; init; }
    /// <summary>Variant rows (<c>--variant</c>): the env options the variant adds, as given; null for the plain env.</summary>
    [JsonPropertyName("variant")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Variant { get; init; }
    /// <summary>
    /// Variant rows: the median over rounds of this row's rate over the plain env's in the same round (same backend):
    /// adjacent repeats share the machine's speed of that moment, so the ratio does not follow its drift.
    /// </summary>
    [JsonPropertyName("vs_plain")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? VsPlain { get; init; }
    /// <summary>
    /// Env-steps per second of this process's CPU time (all its threads; median): what the rows compare by when
    /// other processes share the cores, since time spent descheduled does not count. Not comparable with peers.
    /// </summary>
    [JsonPropertyName("steps_per_cpu_second")] public double? StepsPerCpuSecond { get; init; }
    /// <summary>The CartPole ceiling measured in this run at the same envs (env and peer rows): for the host backends'
    /// rows, the median of the ceiling loop's repeats timed in rounds with this row's (<see cref="InterleavedTiming"/>).</summary>
    [JsonPropertyName("ceiling_steps_per_second")] public double? CeilingStepsPerSecond { get; set; }
    /// <summary>100 × steps_per_second / ceiling_steps_per_second.</summary>
    [JsonPropertyName("percent_of_ceiling")] public double? PercentOfCeiling { get; set; }
    /// <summary>Median rate over Gymnasium's at the same envs (CartPole-v1 rows, with --peers).</summary>
    [JsonPropertyName("speedup_vs_peer")] public double? SpeedupVsPeer { get; set; }
    /// <summary>Ceiling rows: the measured value in <see cref="Unit"/> (steps/s, GB/s or GFLOP/s).</summary>
    [JsonPropertyName("value")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Value { get; init; }
    /// <summary>Unit of <see cref="Value"/>.</summary>
    [JsonPropertyName("unit")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Unit { get; init; }
    /// <summary>Peer rows: the library versions, or why the peer is not available.</summary>
    [JsonPropertyName("note")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Note { get; init; }
}

/// <summary>Values of <see cref="BenchRow.Kind"/> and the names of the ceiling rows.</summary>
public static class BenchKinds
{
    /// <summary>An env × backend × envs measurement.</summary>
    public const string Env = "env";
    /// <summary>Another library measured in the same run.</summary>
    public const string Peer = "peer";
    /// <summary>What the machine allows, measured in the same run.</summary>
    public const string Ceiling = "ceiling";
    /// <summary>Ceiling row: the hand-written CartPole SoA loop (<see cref="RlKernels.Kernels.Hardware.CartPoleCeiling"/>).</summary>
    public const string CartPoleCeiling = "cartpole-soa-loop";
    /// <summary>Ceiling row: streaming read bandwidth.</summary>
    public const string MemoryRead = "memory-read";
    /// <summary>Ceiling row: streaming copy bandwidth (read + write bytes).</summary>
    public const string MemoryCopy = "memory-copy";
    /// <summary>Ceiling row: register-resident FMA chain on all cores.</summary>
    public const string FmaPeak = "fma-peak";
    /// <summary>Ceiling row of a device backend (gpu, gpu-cpu): its copy bandwidth, read + write bytes (<see cref="GpuCeilings"/>).</summary>
    public const string DeviceCopy = "device-copy";
    /// <summary>Ceiling row of a device backend: multiply-add chains on every thread it holds (<see cref="GpuCeilings"/>).</summary>
    public const string DeviceFmaPeak = "device-fma-peak";
    /// <summary>Backend name of the Gymnasium peer rows.</summary>
    public const string Gymnasium = "gymnasium-numpy";
}

/// <summary>
/// <c>rlk bench</c>: env-steps per second for every env × backend × envCount. Each measurement makes the
/// env with a fixed seed, warms it up, then times <see cref="BenchSettings.Repeats"/> repeats of
/// back-to-back <see cref="IVectorEnv.StepRandom"/> calls (random actions from the counter RNG,
/// same-step auto-reset) and reports the median. An env's rows at one batch size (every backend, the caller-actions
/// rows, and the CartPole ceiling loop at that size) are timed in rounds of one repeat each
/// (<see cref="InterleavedTiming"/>), so the ratios between them are taken over the same seconds.
/// </summary>
public static class BenchCommand
{
    /// <summary>Seed of every benchmarked env, so runs are repeatable.</summary>
    public const ulong Seed = 20240611;

    public static Command Create()
    {
        var env = new Option<string[]>("--env")
        {
            Description = "Env id (repeatable). Default: every registered id.",
            HelpName = "ID",
        };
        var backend = new Option<string[]>("--backend")
        {
            Description = $"Backend (repeatable): {BackendNames.List}. Default: cpu and cpu-scalar.",
            HelpName = "NAME",
        };
        var envs = new Option<int[]>("--envs")
        {
            Description = "Env copies per batch (repeatable). Default: 1, 64, 1024, 16384, 65536.",
            HelpName = "N",
        };
        var seconds = new Option<double>("--seconds")
        {
            Description = "Seconds per timed repeat.",
            DefaultValueFactory = _ => 0.5,
            HelpName = "S",
        };
        var repeats = new Option<int>("--repeats")
        {
            Description = "Timed repeats per measurement; the median is reported.",
            DefaultValueFactory = _ => 5,
            HelpName = "R",
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON array instead of a table." };
        var envArg = new Option<string[]>("--env-arg")
        {
            Description = "Env option KEY=VALUE (repeatable), passed to every env: Gymnasium kwargs (g, map_name, is_slippery, …) and wrappers (hide_velocity, frame_stack, frame_stack_actions, frame_stack_padding, normalize_obs, normalize_obs_clip, normalize_obs_epsilon).",
            HelpName = "KEY=VALUE",
        };

        var callerActions = new Option<bool>("--caller-actions")
        {
            Description = "Beside each StepRandom row, time Step(actions) (one step per call, preallocated random actions from the caller).",
        };

        var peers = new Option<bool>("--peers")
        {
            Description = "Also measure Gymnasium's NumPy CartPoleVectorEnv (CartPole-v1) through python3, at the same batch sizes; a \"not available\" row when python3, numpy or gymnasium is missing.",
        };
        var python = new Option<string?>("--python")
        {
            Description = "The Python interpreter --peers runs (default python3); it imports numpy and gymnasium from its own path (PYTHONPATH included).",
            HelpName = "PATH",
        };
        var noCeilings = new Option<bool>("--no-ceilings")
        {
            Description = "Skip the ceilings measured in the same run (CartPole SoA loop, memory read and copy bandwidth, FMA peak).",
        };

        var variant = new Option<string[]>("--variant")
        {
            Description = "A variant of every env, KEY=VALUE[,KEY=VALUE…] env options over the --env-arg ones (repeatable; e.g. frame_stack=4): one more row per backend, timed in the same rounds as the plain env, with its ratio to it.",
            HelpName = "KEY=VALUE[,…]",
        };

        var command = new Command("bench", "Measure env-steps per second for env × backend × batch size, beside the machine's ceilings measured in the same run.")
        {
            env, backend, envs, seconds, repeats, json, envArg, variant, peers, python, noCeilings, callerActions,
        };
        // `rlk bench qiter`: Q-iteration sweeps; `rlk bench mlp`: MLP training steps; `rlk bench` alone keeps measuring envs.
        command.Subcommands.Add(QIterBenchCommand.Create());
        command.Subcommands.Add(MlpBenchCommand.Create());
        command.Subcommands.Add(RolloutBenchCommand.Create());
        command.SetAction(parse =>
        {
            var settings = new BenchSettings
            {
                Envs = parse.GetValue(env) ?? [],
                Backends = parse.GetValue(backend) is { Length: > 0 } b ? b : ["cpu", "cpu-scalar"],
                EnvCounts = parse.GetValue(envs) is { Length: > 0 } n ? n : [1, 64, 1024, 16384, 65536],
                Seconds = parse.GetValue(seconds),
                Repeats = parse.GetValue(repeats),
                Json = parse.GetValue(json),
                EnvArgs = parse.GetValue(envArg) ?? [],
                Variants = parse.GetValue(variant) ?? [],
                CallerActions = parse.GetValue(callerActions),
                Peers = parse.GetValue(peers),
                PythonCommand = parse.GetValue(python) ?? BenchSettings.DefaultPython,
                PythonGiven = parse.GetResult(python) is not null,
                Ceilings = !parse.GetValue(noCeilings),
                Progress = TimedBenchOptions.ShowsProgress(parse),
            };
            return Run(settings, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        });
        return command;
    }

    /// <summary>Runs the benchmark grid. Returns 0, <see cref="ExitCodes.BadInput"/> (checked before measuring) or
    /// <see cref="ExitCodes.RuntimeFailure"/> (a failure while measuring) after one line on <paramref name="error"/>.</summary>
    public static int Run(BenchSettings settings, TextWriter output, TextWriter error)
    {
        // CHECK INPUT: everything that can be wrong is reported before any time is spent measuring.
        List<string> ids;
        List<Backend> backends;
        IReadOnlyDictionary<string, string> envArgs;
        List<BenchVariant> variants;
        try
        {
            ids = settings.Envs.Count > 0 ? settings.Envs.Distinct().ToList() : EnvRegistry.Ids.ToList();
            foreach (string id in ids) EnvRegistry.Get(id);
            backends = settings.Backends.Select(BackendNames.Parse).Distinct().ToList();
            CliLimits.CheckSeconds(settings.Seconds);
            CliLimits.CheckRepeats(settings.Repeats);
            envArgs = EnvArgs.Parse(settings.EnvArgs).Values;
            variants = settings.Variants.Select(v => BenchVariant.Parse(v, envArgs)).ToList();
            // Env counts: at least one, at most what fits in memory for every env measured, plain and variants.
            foreach (string id in ids)
            {
                int max = variants.Select(v => v.MaxEnvCount(id)).Prepend(EnvRegistry.MaxEnvCount(id, envArgs)).Min();
                foreach (int n in settings.EnvCounts)
                    if (n < 1 || n > max) throw new ArgumentException($"--envs must be between 1 and {max} for {id} (what fits in memory), got {n}.");
            }
            if (settings.PythonGiven && !settings.Peers)
                throw new ArgumentException("--python names the interpreter of --peers: add --peers, or leave --python out.");
            if (string.IsNullOrWhiteSpace(settings.PythonCommand))
                throw new ArgumentException("--python must name an interpreter (a command or a path), got an empty value.");
            if (settings.Peers && !ids.Contains(PeerEnv))
                throw new ArgumentException($"--peers measures Gymnasium's CartPoleVectorEnv: add --env {PeerEnv} (or leave --env out).");
            // Building one copy per env and backend checks env arguments and device availability
            // (the gpu backend on a machine without a GPU) up front.
            foreach (string id in ids)
                foreach (Backend b in backends)
                {
                    MakeOrExplain(id, b, envArgs);
                    foreach (var v in variants) MakeOrExplain(id, b, v.Args, $"--variant '{v.Name}': ");
                }
        }
        catch (Exception e) when (CliErrors.DeviceError(e) is null)
        {
            error.WriteLine($"rlk bench: {CliErrors.Message(e)}");
            return ExitCodes.BadInput;
        }

        var otherLoad = OtherCpuLoad.Start();
        // MEASURE: the memory and FMA ceilings first; then, batch size by batch size, each env's rows timed in rounds
        // together with the CartPole ceiling loop at that size (InterleavedTiming); then the peers.
        var rows = new List<BenchRow>();
        var ceilingRows = new List<BenchRow>();
        var hardwareRows = new List<BenchRow>();
        try
        {
            if (settings.Ceilings) hardwareRows.AddRange(MeasureHardwareCeilings(settings, backends, error));
        }
        catch (Exception e) when (CliErrors.DeviceError(e) is null)
        {
            error.WriteLine($"rlk bench: ceilings: {CliErrors.Message(e).ReplaceLineEndings(" ")}");
            return ExitCodes.RuntimeFailure;
        }
        // The ceiling loop is timed with the rows it is the ceiling of: the host backends'.
        bool pairCeiling = backends.Any(b => b is not (Backend.Gpu or Backend.GpuCpuAccelerator));
        foreach (int envCount in settings.EnvCounts.Distinct())
        {
            CartPoleCeilingLoop? ceiling = null;
            var ceilingRates = new List<double>();
            try
            {
                if (settings.Ceilings)
                {
                    if (settings.Progress) error.WriteLine($"bench ceiling {BenchKinds.CartPoleCeiling} envs={envCount} …");
                    try
                    {
                        ceiling = CartPoleCeilingLoop.Create(envCount);
                        ceiling.WarmUp();
                    }
                    catch (Exception e) when (CliErrors.DeviceError(e) is null)
                    {
                        error.WriteLine($"rlk bench: ceilings: {CliErrors.Message(e).ReplaceLineEndings(" ")}");
                        return ExitCodes.RuntimeFailure;
                    }
                }
                foreach (string id in ids)
                {
                    if (settings.Progress)
                        error.WriteLine($"bench {id} {string.Join(", ", backends.Select(BackendNames.Name))} envs={envCount} …");
                    try
                    {
                        rows.AddRange(MeasureEnv(id, envCount, backends, envArgs, variants, settings, pairCeiling ? ceiling : null, ceilingRates));
                    }
                    catch (Exception e)
                    {
                        // The input was checked above: a failure while measuring is the machine's (memory, device).
                        error.WriteLine($"rlk bench: {id} with {envCount} envs: {CliErrors.Message(e).ReplaceLineEndings(" ")}");
                        return ExitCodes.RuntimeFailure;
                    }
                }
                if (ceiling is not null)
                {
                    // Not timed with any row (device backends only): its own repeats.
                    if (ceilingRates.Count == 0)
                        for (int r = 0; r < settings.Repeats; r++) ceilingRates.Add(ceiling.TimeRepeat(settings.Seconds));
                    ceilingRows.Add(CeilingRow(envCount, CeilingRate.Of(ceilingRates, ceiling), ceilingRates.Count));
                }
            }
            finally
            {
                ceiling?.Dispose();
            }
        }
        // Rows in the order of the grid's axes: env, then batch size, then backend (the stable sort keeps the rest).
        var idOrder = ids.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        var countOrder = settings.EnvCounts.Distinct().Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);
        rows = rows.OrderBy(r => idOrder[r.Env]).ThenBy(r => countOrder[r.Envs]).ToList();
        ceilingRows.AddRange(hardwareRows);

        var peerRows = new List<BenchRow>();
        if (settings.Peers)
            foreach (int envCount in settings.EnvCounts.Distinct())
            {
                if (settings.Progress)
                    error.WriteLine($"bench {PeerEnv} {BenchKinds.Gymnasium} envs={envCount} …");
                peerRows.Add(PeerRow(GymnasiumPeer.Measure(settings.PythonCommand, envCount, settings.Seconds, settings.Repeats), envCount, settings));
            }

        rows.AddRange(peerRows);
        Relate(rows, ceilingRows);
        rows.AddRange(ceilingRows);

        // REPORT
        if (settings.Json)
            output.WriteLine(CliJson.Serialize(rows, indented: true));
        else
            WriteTable(rows, output);
        otherLoad?.WarnIfShared("rlk bench", error);
        return ExitCodes.Ok;
    }

    /// <summary>The env the peer comparison is about (Gymnasium's vector env exists for it).</summary>
    public const string PeerEnv = "CartPole-v1";

    /// <summary>
    /// Fills the comparisons of the env and peer rows: speed-up over cpu-scalar, over the peer (CartPole-v1 at
    /// the same envs) and the percentage of the CartPole ceiling at the same envs.
    /// </summary>
    internal static void Relate(List<BenchRow> rows, IReadOnlyList<BenchRow> ceilingRows)
    {
        foreach (var row in rows)
        {
            if (row.Kind == BenchKinds.Env)
            {
                var scalar = rows.FirstOrDefault(r => r.Kind == BenchKinds.Env && r.Env == row.Env && r.Envs == row.Envs && r.Backend == "cpu-scalar"
                    && r.Actions == row.Actions && r.Variant == row.Variant);
                if (scalar is not null && scalar.StepsPerSecond > 0)
                    row.SpeedupVsCpuScalar = row.StepsPerSecond / scalar.StepsPerSecond;
                // The peer steps the plain env: a variant row has no peer figure.
                var peer = row.Variant is null ? rows.FirstOrDefault(r => r.Kind == BenchKinds.Peer && r.Env == row.Env && r.Envs == row.Envs) : null;
                if (peer is not null && peer.StepsPerSecond > 0)
                    row.SpeedupVsPeer = row.StepsPerSecond / peer.StepsPerSecond;
            }
            // The CartPole SoA loop is the host's ceiling: a device row is not a percentage of it.
            if (row.Backend is "gpu" or "gpu-cpu") continue;
            // A row timed in rounds with the ceiling loop keeps that pairing's median; others (peers) take the row's.
            double? ceiling = row.CeilingStepsPerSecond
                ?? ceilingRows.FirstOrDefault(r => r.Env == BenchKinds.CartPoleCeiling && r.Envs == row.Envs)?.StepsPerSecond;
            if (ceiling is double c && c > 0 && double.IsFinite(row.StepsPerSecond))
            {
                row.CeilingStepsPerSecond = c;
                row.PercentOfCeiling = 100 * row.StepsPerSecond / c;
            }
        }
    }

    /// <summary>The CartPole ceiling row at <paramref name="envCount"/> envs from <paramref name="repeats"/> timed repeats.</summary>
    private static BenchRow CeilingRow(int envCount, CeilingRate rate, int repeats) => new()
    {
        Kind = BenchKinds.Ceiling,
        Env = BenchKinds.CartPoleCeiling,
        Backend = "cpu",
        Envs = envCount,
        StepsPerSecond = rate.Median,
        Min = rate.Min,
        Max = rate.Max,
        Repeats = repeats,
        Lanes = rate.Lanes,
        Threads = rate.Threads,
        BytesPerEnv = 5L * sizeof(float),
        StepsPerCall = rate.StepsPerCall,
        Value = rate.Median,
        Unit = "steps/s",
    };

    /// <summary>
    /// The hardware ceilings of this run: streaming read and copy bandwidth, and the FMA peak on all cores; for each
    /// device backend measured, the device's own copy bandwidth and FMA peak. (The CartPole SoA loop is timed with
    /// the env rows, batch size by batch size.)
    /// </summary>
    private static List<BenchRow> MeasureHardwareCeilings(BenchSettings settings, IReadOnlyList<Backend> backends, TextWriter error)
    {
        var rows = new List<BenchRow>();
        if (settings.Progress) error.WriteLine("bench ceiling memory and FMA …");
        int passes = Math.Max(3, settings.Repeats);
        rows.Add(HardwareRow(BenchKinds.MemoryRead, MemoryBandwidth.MeasureReadGBps(settings.BandwidthBytes, passes: passes), "GB/s", settings.Repeats));
        rows.Add(HardwareRow(BenchKinds.MemoryCopy, MemoryBandwidth.MeasureCopyGBps(settings.BandwidthBytes, passes: passes), "GB/s", settings.Repeats));
        rows.Add(HardwareRow(BenchKinds.FmaPeak, FmaPeak.MeasureGflops(seconds: Math.Min(0.05, settings.Seconds), repeats: settings.Repeats), "GFLOP/s", settings.Repeats));
        foreach (Backend b in backends.Where(b => b is Backend.Gpu or Backend.GpuCpuAccelerator))
        {
            if (settings.Progress) error.WriteLine($"bench ceiling {BackendNames.Name(b)} copy and FMA …");
            using var device = GpuDevice.Open(b == Backend.Gpu ? GpuDeviceKind.Cuda : GpuDeviceKind.CpuAccelerator);
            rows.Add(HardwareRow(BenchKinds.DeviceCopy, GpuCeilings.MeasureCopyAtDeviceSize(device, settings.Repeats), "GB/s", settings.Repeats)
                with { Backend = BackendNames.Name(b), Threads = 0 });
            rows.Add(HardwareRow(BenchKinds.DeviceFmaPeak, GpuCeilings.MeasureFmaAtDeviceSize(device, settings.Repeats), "GFLOP/s", settings.Repeats)
                with { Backend = BackendNames.Name(b), Threads = 0 });
        }
        return rows;
    }

    private static BenchRow HardwareRow(string name, double value, string unit, int repeats) => new()
    {
        Kind = BenchKinds.Ceiling,
        Env = name,
        Backend = "cpu",
        Envs = 0,
        StepsPerSecond = double.NaN,
        Min = double.NaN,
        Max = double.NaN,
        Repeats = repeats,
        Lanes = 0,
        Threads = Environment.ProcessorCount,
        BytesPerEnv = 0,
        StepsPerCall = 0,
        Value = value,
        Unit = unit,
    };

    internal static BenchRow PeerRow(PeerResult peer, int envCount, BenchSettings settings) => new()
    {
        Kind = BenchKinds.Peer,
        Env = PeerEnv,
        Backend = BenchKinds.Gymnasium,
        Envs = envCount,
        StepsPerSecond = peer.Median,
        Min = peer.Min,
        Max = peer.Max,
        Repeats = peer.Repeats,
        Lanes = 0,
        Threads = 1,
        BytesPerEnv = 0,
        StepsPerCall = 1,
        Note = peer.Available ? peer.Note : "not available: " + peer.Note,
    };

    /// <summary>
    /// One env's rows at one batch size: StepRandom on every backend (and, with <see cref="BenchSettings.CallerActions"/>,
    /// one-step caller actions beside each; then each of <paramref name="variants"/>), each on a fresh env warmed up on
    /// its own, then all timed in rounds together with <paramref name="ceiling"/> when given, whose repeats are added to
    /// <paramref name="ceilingRates"/>.
    /// </summary>
    private static List<BenchRow> MeasureEnv(string id, int envCount, IReadOnlyList<Backend> backends, IReadOnlyDictionary<string, string> envArgs,
        IReadOnlyList<BenchVariant> variants, BenchSettings settings, CartPoleCeilingLoop? ceiling, List<double> ceilingRates)
    {
        var envs = new List<IVectorEnv>();
        try
        {
            IVectorEnv Make(Backend b, IReadOnlyDictionary<string, string> args)
            {
                var env = EnvRegistry.Make(id, envCount, new VectorEnvOptions { Backend = b, Seed = Seed }, args);
                envs.Add(env);
                return env;
            }
            // Per backend: its StepRandom loop, its caller loop (or none), its variants' StepRandom loops.
            var randomLoops = new List<StepRandomLoop>();
            var callerLoops = new List<CallerActionsLoop?>();
            var variantLoops = new List<StepRandomLoop[]>();
            foreach (Backend b in backends)
            {
                randomLoops.Add(new StepRandomLoop(Make(b, envArgs), settings.WarmupSeconds));
                callerLoops.Add(settings.CallerActions ? new CallerActionsLoop(Make(b, envArgs), settings.WarmupSeconds, (int)Seed) : null);
                variantLoops.Add(variants.Select(v => new StepRandomLoop(Make(b, v.Args), settings.WarmupSeconds)).ToArray());
            }
            var loops = new List<ITimedLoop>();
            for (int i = 0; i < backends.Count; i++)
            {
                loops.Add(randomLoops[i]);
                if (callerLoops[i] is { } caller) loops.Add(caller);
                loops.AddRange(variantLoops[i]);
            }
            foreach (var loop in loops) loop.WarmUp();
            if (ceiling is not null) loops.Add(new CeilingTimedLoop(ceiling)); // warmed up and calibrated once per batch size
            var rates = InterleavedTiming.Run(loops, settings.Repeats, settings.Seconds);
            double? pairedCeiling = null;
            if (ceiling is not null)
            {
                ceilingRates.AddRange(rates[^1].Select(r => r.PerSecond));
                pairedCeiling = Medians.Of(rates[^1].Select(r => r.PerSecond));
            }

            var rows = new List<BenchRow>();
            int next = 0;
            for (int i = 0; i < backends.Count; i++)
            {
                var random = rates[next++];
                var row = RandomRow(id, envCount, backends[i], randomLoops[i], random, settings.Repeats) with
                {
                    // Device rows are not a percentage of the host's ceiling (see Relate).
                    CeilingStepsPerSecond = backends[i] is Backend.Gpu or Backend.GpuCpuAccelerator ? null : pairedCeiling,
                };
                rows.Add(row);
                if (callerLoops[i] is not null)
                {
                    var caller = rates[next++];
                    double callerMedian = Medians.Of(caller.Select(r => r.PerSecond));
                    rows.Add(row with
                    {
                        Actions = "caller",
                        StepsPerSecond = callerMedian,
                        Min = caller.Min(r => r.PerSecond),
                        Max = caller.Max(r => r.PerSecond),
                        StepsPerCall = 1,
                        StepsPerCpuSecond = null,
                        VsStepRandom = row.StepsPerSecond > 0 ? callerMedian / row.StepsPerSecond : null,
                    });
                }
                for (int v = 0; v < variants.Count; v++)
                {
                    var variant = rates[next++];
                    rows.Add(RandomRow(id, envCount, backends[i], variantLoops[i][v], variant, settings.Repeats) with
                    {
                        CeilingStepsPerSecond = row.CeilingStepsPerSecond,
                        Variant = variants[v].Name,
                        VsPlain = Medians.Of(variant.Zip(random, (a, b) => a.PerSecond / b.PerSecond)),
                    });
                }
            }
            return rows;
        }
        finally
        {
            foreach (var env in envs) env.Dispose();
        }
    }

    /// <summary>The row of one StepRandom loop's timed repeats.</summary>
    private static BenchRow RandomRow(string id, int envCount, Backend backend, StepRandomLoop loop, RepeatRate[] repeats, int repeatCount) => new()
    {
        Env = id,
        Backend = BackendNames.Name(backend),
        Envs = envCount,
        StepsPerSecond = Medians.Of(repeats.Select(r => r.PerSecond)),
        Min = repeats.Min(r => r.PerSecond),
        Max = repeats.Max(r => r.PerSecond),
        Repeats = repeatCount,
        Lanes = loop.Env.LaneWidth,
        Threads = loop.Env.ThreadCount,
        BytesPerEnv = loop.Env.BytesPerEnv,
        StepsPerCall = loop.StepsPerCall,
        StepsPerCpuSecond = Medians.Of(repeats.Select(r => r.PerCpuSecond)),
    };

    /// <summary>Warm-up, then timed repeats of <paramref name="env"/>'s StepRandom (<see cref="StepRandomLoop"/>).</summary>
    /// <returns>Env-steps per second: median, min and max over the repeats; the steps per timed call; the median per CPU second.</returns>
    internal static (double Median, double Min, double Max, int StepsPerCall, double StepsPerCpuSecond) Measure(IVectorEnv env, BenchSettings settings)
    {
        var loop = new StepRandomLoop(env, settings.WarmupSeconds);
        loop.WarmUp();
        var rates = InterleavedTiming.Run([loop], settings.Repeats, settings.Seconds)[0];
        return (Medians.Of(rates.Select(r => r.PerSecond)), rates.Min(r => r.PerSecond), rates.Max(r => r.PerSecond),
            loop.StepsPerCall, Medians.Of(rates.Select(r => r.PerCpuSecond)));
    }

    private static void MakeOrExplain(string id, Backend backend, IReadOnlyDictionary<string, string> envArgs, string context = "")
    {
        try
        {
            EnvRegistry.Make(id, 1, new VectorEnvOptions { Backend = backend, Seed = Seed }, envArgs).Dispose();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{context}cannot make {id} on backend {BackendNames.Name(backend)}: {CliErrors.Message(e)}", e);
        }
    }

    private static void WriteTable(IReadOnlyList<BenchRow> rows, TextWriter output)
    {
        var console = CliConsole.For(output);
        var measured = rows.Where(r => r.Kind != BenchKinds.Ceiling).ToList();
        var ceilings = rows.Where(r => r.Kind == BenchKinds.Ceiling).ToList();
        bool peers = measured.Any(r => r.Kind == BenchKinds.Peer);
        var table = CliConsole.FigureTable(["env", "backend"],
            "lanes", "threads", "envs", "steps/s (median)", "min–max", "bytes/env", "vs cpu-scalar", "% of ceiling");
        if (peers) table.AddColumn(new TableColumn("vs Gymnasium").RightAligned());
        foreach (var row in measured)
        {
            bool missing = !double.IsFinite(row.StepsPerSecond);
            var cells = new List<string>
            {
                Markup.Escape(row.Variant is null ? row.Env
                    : $"{row.Env} {row.Variant} {row.VsPlain?.ToString("0%", CultureInfo.InvariantCulture)} of plain"),
                Markup.Escape(row.Actions == "caller" ? row.Backend + " Step(actions) " + row.VsStepRandom?.ToString("0%", CultureInfo.InvariantCulture) : row.Backend),
                row.Kind == BenchKinds.Peer ? "" : row.Lanes.ToString(CultureInfo.InvariantCulture),
                row.Threads.ToString(CultureInfo.InvariantCulture),
                row.Envs.ToString("N0", CultureInfo.InvariantCulture),
                missing ? "not available" : FormatRate(row.StepsPerSecond),
                missing ? "" : $"{FormatRate(row.Min)}–{FormatRate(row.Max)}",
                row.Kind == BenchKinds.Peer ? "" : row.BytesPerEnv.ToString(CultureInfo.InvariantCulture),
                row.SpeedupVsCpuScalar is double s ? s.ToString("0.0", CultureInfo.InvariantCulture) + "×" : "",
                row.PercentOfCeiling is double c ? c.ToString("0", CultureInfo.InvariantCulture) + "%" : "",
            };
            if (peers) cells.Add(row.SpeedupVsPeer is double g ? g.ToString("0.0", CultureInfo.InvariantCulture) + "×" : "");
            table.AddRow(cells.ToArray());
        }
        console.Write(table);
        console.WriteLine($"steps/s = env-steps per second (random actions, same-step auto-reset), median of {rows.FirstOrDefault()?.Repeats ?? 0} repeats.");
        foreach (string? note in measured.Where(r => r.Kind == BenchKinds.Peer).Select(r => r.Note).Distinct())
            console.WriteLine($"{BenchKinds.Gymnasium}: Gymnasium's CartPoleVectorEnv stepped from python3 in this run: {note}.");
        if (ceilings.Count == 0) return;

        var ceilingTable = CliConsole.FigureTable(["ceiling"], "lanes", "threads", "envs", "value", "min–max")
            .Title("ceilings, measured in this run");
        foreach (var row in ceilings)
        {
            bool steps = row.Env == BenchKinds.CartPoleCeiling;
            bool device = row.Env is BenchKinds.DeviceCopy or BenchKinds.DeviceFmaPeak;
            ceilingTable.AddRow(
                Markup.Escape(device ? $"{row.Env} ({row.Backend})" : row.Env),
                steps ? row.Lanes.ToString(CultureInfo.InvariantCulture) : "",
                row.Threads.ToString(CultureInfo.InvariantCulture),
                steps ? row.Envs.ToString("N0", CultureInfo.InvariantCulture) : "",
                steps ? FormatRate(row.StepsPerSecond) + " steps/s" : $"{row.Value?.ToString("0.0", CultureInfo.InvariantCulture)} {row.Unit}",
                steps ? $"{FormatRate(row.Min)}–{FormatRate(row.Max)}" : "");
        }
        console.Write(ceilingTable);
        console.WriteLine($"{BenchKinds.CartPoleCeiling}: CartPole dynamics and termination only, over struct-of-arrays lanes (no RNG, resets or outputs); % of ceiling compares every row with it at the same envs. " +
            $"{BenchKinds.MemoryRead}/{BenchKinds.MemoryCopy}: streaming bandwidth, median (copy counts bytes read + written). {BenchKinds.FmaPeak}: register-resident FMA chain on all cores, best run." +
            (ceilings.Any(r => r.Env == BenchKinds.DeviceCopy) ? $" {BenchKinds.DeviceCopy}/{BenchKinds.DeviceFmaPeak}: the device's copy kernel (read + write bytes) and multiply-add chains on every thread it holds, medians; device rows are not compared with the host's {BenchKinds.CartPoleCeiling}." : ""));
    }

    /// <summary>"123.4 M" style: three significant digits with an SI prefix.</summary>
    public static string FormatRate(double rate)
    {
        (double scaled, string unit) = rate switch
        {
            >= 1e9 => (rate / 1e9, " G"),
            >= 1e6 => (rate / 1e6, " M"),
            >= 1e3 => (rate / 1e3, " k"),
            _ => (rate, ""),
        };
        string format = scaled >= 100 ? "0" : scaled >= 10 ? "0.0" : "0.00";
        return scaled.ToString(format, CultureInfo.InvariantCulture) + unit;
    }
}
