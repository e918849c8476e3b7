using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ILGPU;
using ILGPU.Runtime;
using RlKernels.Kernels.Hardware;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Threading;
using RlKernels.Kernels.Gpu;
using RlKernels.Kernels.Nn;
using Spectre.Console;

namespace RlKernels.Cli.Commands;

/// <summary>What <c>rlk bench mlp</c> measures: every (population, batch) shape × backend.</summary>
public sealed record MlpBenchSettings : TimedBenchSettings
{
    /// <summary>Layer sizes from input to output; <see cref="Activation"/> between layers, identity output.</summary>
    public IReadOnlyList<int> Sizes { get; init; } = [4, 64, 64, 2];
    /// <summary>The hidden layers' activation: tanh (the default, as the deep RL algorithms use) or ReLU.</summary>
    public Activation Activation { get; init; } = Activation.Tanh;
    /// <summary>(population P, batch rows per member B) pairs.</summary>
    public IReadOnlyList<(int Population, int Batch)> Shapes { get; init; } = MlpBenchCommand.DefaultShapes;
    /// <summary>Seconds of untimed steps before timing, so tiered JIT compilation settles.</summary>
    public double WarmupSeconds { get; init; } = 0.3;
    /// <summary>Seconds per timed run of the FMA peak probe (one run after each of a row's repeats, in rounds).</summary>
    public double PeakSeconds { get; init; } = 0.1;
}

/// <summary>One measured (backend, population, batch) cell of <c>rlk bench mlp</c>.</summary>
public sealed record MlpBenchRow
{
    [JsonPropertyName("backend")] public required string Backend { get; init; }
    [JsonPropertyName("sizes")] public required string Sizes { get; init; }
    /// <summary>The hidden layers' activation, "tanh" or "relu" (the output layer is linear).</summary>
    [JsonPropertyName("activation")] public required string Activation { get; init; }
    [JsonPropertyName("population")] public required int Population { get; init; }
    [JsonPropertyName("batch")] public required int Batch { get; init; }
    /// <summary>Training samples (P·B per step) per second, median over repeats.</summary>
    [JsonPropertyName("samples_per_second")] public required double SamplesPerSecond { get; init; }
    [JsonPropertyName("min_samples_per_second")] public required double Min { get; init; }
    [JsonPropertyName("max_samples_per_second")] public required double Max { get; init; }
    /// <summary>Counted flops (<see cref="FlopsPerSample"/>) × samples/s, 10^9.</summary>
    [JsonPropertyName("gflops")] public required double Gflops { get; init; }
    /// <summary>The measured single-precision FMA peak the row is compared with, GFLOP/s: on cpu rows the machine's all cores
    /// (widest accelerated vectors), the median of the probe's runs timed in rounds with the row's repeats (a probe run after
    /// each repeat, the order reversed every other round, so both are taken over the same seconds of a machine whose speed
    /// drifts); on gpu rows the device's (<see cref="GpuCeilings"/>), measured on it in the same run.</summary>
    [JsonPropertyName("peak_gflops")] public required double PeakGflops { get; init; }
    /// <summary>gflops / peak_gflops.</summary>
    [JsonPropertyName("peak_fraction")] public required double PeakFraction { get; init; }
    /// <summary>2·Σ in·out forward plus twice that backward, per sample.</summary>
    [JsonPropertyName("flops_per_sample")] public required long FlopsPerSample { get; init; }
    [JsonPropertyName("threads")] public required int Threads { get; init; }
    /// <summary>Floats per vector of the matrix kernels (16 Vector512, 8 Vector256, 4 Vector128, 1 scalar); 0 on gpu.</summary>
    [JsonPropertyName("lanes")] public required int Lanes { get; init; }
    [JsonPropertyName("seconds_per_step")] public required double SecondsPerStep { get; init; }
    [JsonPropertyName("repeats")] public required int Repeats { get; init; }
    /// <summary>samples_per_second over the cpu-scalar median at the same shape; null when cpu-scalar was not measured.</summary>
    [JsonPropertyName("speedup_vs_cpu_scalar")] public double? SpeedupVsCpuScalar { get; set; }
}

/// <summary>
/// <c>rlk bench mlp</c>: training steps (forward, MSE gradient, backward, Adam) of a population of MLPs
/// per second, in samples/s and GFLOP/s against the machine's FMA peak measured in the same run. The
/// naive single-thread kernels (cpu-scalar) are measured beside the fast ones as the baseline.
/// </summary>
public static class MlpBenchCommand
{
    /// <summary>The issue's grid: P = 1 with B ∈ {256, 1024, 4096, 16384}, and P = 64 × B = 256.</summary>
    public static readonly IReadOnlyList<(int Population, int Batch)> DefaultShapes = [(1, 256), (1, 1024), (1, 4096), (1, 16384), (64, 256)];

    public static Command Create()
    {
        var batch = new Option<int[]>("--batch") { Description = "Batch rows B of a single network, P = 1 (repeatable). Default: 256, 1024, 4096, 16384 (and the 64x256 population).", HelpName = "B" };
        var population = new Option<string[]>("--population") { Description = "A population shape PxB, e.g. 64x256 (repeatable). Default: 64x256 (with the default --batch values).", HelpName = "PxB" };
        var sizes = new Option<string>("--sizes") { Description = "Layer sizes, input to output.", DefaultValueFactory = _ => "4,64,64,2", HelpName = "N,N,…" };
        var activation = new Option<string>("--activation") { Description = "The hidden layers' activation: tanh or relu (the output layer is linear).", DefaultValueFactory = _ => "tanh", HelpName = "tanh|relu" };
        var timed = new TimedBenchOptions();
        var command = new Command("mlp", "Measure MLP training steps (forward+backward+Adam): samples/s and GFLOP/s vs the measured FMA peak.")
        {
            batch, population, sizes, activation, timed.Backend, timed.Seconds, timed.Repeats, timed.Json,
        };
        command.SetAction(parse =>
        {
            var error = parse.InvocationConfiguration.Error;
            List<(int, int)> shapes;
            int[] layerSizes;
            Activation hidden;
            try
            {
                int[] batches = parse.GetValue(batch) ?? [];
                string[] pops = parse.GetValue(population) ?? [];
                shapes = batches.Length == 0 && pops.Length == 0 ? [.. DefaultShapes]
                    : [.. batches.Select(b => (1, b)), .. pops.Select(ParseShape)];
                layerSizes = ParseSizes(parse.GetValue(sizes) ?? "");
                hidden = ParseActivation(parse.GetValue(activation) ?? "");
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"rlk bench mlp: {CliErrors.Message(e)}");
                return ExitCodes.BadInput;
            }
            return Run(timed.Read(parse, new MlpBenchSettings { Sizes = layerSizes, Shapes = shapes, Activation = hidden }), parse.InvocationConfiguration.Output, error);
        });
        return command;
    }

    /// <summary>"64x256" → (64, 256).</summary>
    public static (int Population, int Batch) ParseShape(string text)
    {
        string[] parts = text.Split('x', 'X', '×');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int p)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int b))
            return (p, b);
        throw new ArgumentException($"--population takes PxB, e.g. 64x256; got '{text}'.");
    }

    /// <summary>"tanh" or "relu" (any case) → the hidden layers' activation.</summary>
    public static Activation ParseActivation(string text) => text.Trim().ToLowerInvariant() switch
    {
        "tanh" => Activation.Tanh,
        "relu" => Activation.Relu,
        _ => throw new ArgumentException($"--activation takes tanh or relu; got '{text}'."),
    };

    /// <summary>The name <see cref="ParseActivation"/> reads.</summary>
    public static string ActivationName(Activation activation) => activation.ToString().ToLowerInvariant();

    /// <summary>"4,64,64,2" → [4, 64, 64, 2].</summary>
    public static int[] ParseSizes(string text)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]))
                throw new ArgumentException($"--sizes takes comma-separated layer sizes, e.g. 4,64,64,2; got '{text}'.");
        return sizes;
    }

    /// <summary>Counted flops per training sample: 2·in·out per Linear forward and twice that backward (dX and dW), so 6·Σ in·out. Bias, activations, loss and Adam are not counted.</summary>
    public static long FlopsPerSample(IReadOnlyList<int> sizes)
    {
        long macs = 0;
        for (int l = 0; l + 1 < sizes.Count; l++) macs += (long)sizes[l] * sizes[l + 1];
        return 6 * macs;
    }

    /// <summary>
    /// Upper estimate of the bytes one measurement allocates: parameters with their gradients and two Adam
    /// moments (4 copies), and per sample the inputs, targets, and every layer's activations and gradients
    /// (4 copies), all float32.
    /// </summary>
    public static long EstimatedBytes(IReadOnlyList<int> sizes, int population, int batch)
    {
        long parameters = 0, widths = 0;
        for (int l = 0; l + 1 < sizes.Count; l++) parameters += (long)sizes[l] * sizes[l + 1] + sizes[l + 1];
        foreach (int s in sizes) widths += s;
        // Checked: absurd sizes overflow long; report them as "too large" rather than wrapping around.
        try { return checked(4L * (4 * population * parameters + 4L * population * batch * widths)); }
        catch (OverflowException) { return long.MaxValue; }
    }

    /// <summary>Runs the benchmark. Returns 0, or <see cref="ExitCodes.BadInput"/> after a message on <paramref name="error"/>.</summary>
    public static int Run(MlpBenchSettings settings, TextWriter output, TextWriter error)
    {
        // CHECK INPUT before any time is spent: sizes, names, and a GPU when gpu is asked for.
        List<string> backends;
        try
        {
            if (settings.Sizes.Count < 2) throw new ArgumentException("--sizes needs at least an input and an output size.");
            foreach (int s in settings.Sizes)
                if (s <= 0) throw new ArgumentException($"--sizes must all be at least 1, got {s}.");
            if (settings.Shapes.Count == 0) throw new ArgumentException("Give at least one --batch or --population shape.");
            foreach (var (p, b) in settings.Shapes)
            {
                if (p <= 0) throw new ArgumentException($"--population must be at least 1, got {p}.");
                if (b <= 0) throw new ArgumentException($"--batch must be at least 1, got {b}.");
                if ((long)p * b * settings.Sizes.Max() > int.MaxValue / 4)
                    throw new ArgumentException($"P·B·width = {(long)p * b * settings.Sizes.Max()} is too large (P={p}, B={b}); P·B·width must be at most {int.MaxValue / 4}.");
                CliLimits.CheckMemory(EstimatedBytes(settings.Sizes, p, b), $"An MLP {string.Join(",", settings.Sizes)} with P={p}, B={b}");
            }
            CliLimits.CheckSeconds(settings.Seconds);
            CliLimits.CheckRepeats(settings.Repeats);
            backends = settings.ResolveBackends("mlp");
        }
        catch (Exception e)
        {
            error.WriteLine($"rlk bench mlp: {CliErrors.Message(e)}");
            return ExitCodes.BadInput;
        }

        var otherLoad = OtherCpuLoad.Start();
        // MEASURE: the FMA peak first, with the widest vectors the hardware accelerates (RLK_LANES=8 narrows
        // the MLP kernels, not the machine), then every shape × backend.
        if (settings.Progress) error.WriteLine("bench mlp: FMA peak …");
        int lanes = LaneSelection.HardwareWidth;
        using var peakProbe = FmaPeak.Probe.Create(width: lanes, seconds: settings.PeakSeconds);
        long flopsPerSample = FlopsPerSample(settings.Sizes);
        // The gpu rows' yardstick is the device's own FMA peak, measured on it in this run.
        double? devicePeak = null;
        if (backends.Contains("gpu"))
        {
            if (settings.Progress) error.WriteLine("bench mlp: device FMA peak …");
            using var device = GpuDevice.Open(GpuDeviceKind.Cuda);
            devicePeak = GpuCeilings.MeasureFmaAtDeviceSize(device, settings.Repeats);
        }
        var rows = new List<MlpBenchRow>();
        foreach (var (p, b) in settings.Shapes.Distinct())
            foreach (string backend in backends)
            {
                if (settings.Progress) error.WriteLine($"bench mlp {backend} P={p} B={b} …");
                rows.Add(backend == "gpu"
                    ? Measure(backend, p, b, devicePeak!.Value, null, flopsPerSample, settings)
                    : Measure(backend, p, b, null, peakProbe, flopsPerSample, settings));
            }
        foreach (var row in rows)
        {
            var scalar = rows.FirstOrDefault(r => r.Population == row.Population && r.Batch == row.Batch && r.Backend == "cpu-scalar");
            if (scalar is not null && scalar.SamplesPerSecond > 0) row.SpeedupVsCpuScalar = row.SamplesPerSecond / scalar.SamplesPerSecond;
        }

        // REPORT
        if (settings.Json) output.WriteLine(CliJson.Serialize(rows, indented: true));
        else WriteTable(rows, lanes, flopsPerSample, output);
        otherLoad?.WarnIfShared("rlk bench mlp", error);
        return 0;
    }

    /// <summary>
    /// Median training-step rate of one backend at one shape, from a freshly initialized network, against
    /// <paramref name="fixedPeak"/> (the device's) or the median of <paramref name="peakProbe"/>'s runs timed in rounds
    /// with the repeats.
    /// </summary>
    private static MlpBenchRow Measure(string backend, int population, int batch, double? fixedPeak, FmaPeak.Probe? peakProbe,
        long flopsPerSample, MlpBenchSettings settings)
    {
        int[] sizes = [.. settings.Sizes];
        int inSize = sizes[0], outSize = sizes[^1];
        var random = new Random((int)(settings.Seed % int.MaxValue));
        float[] x = new float[population * batch * inSize];           // [P, B, in]
        float[] target = new float[population * batch * outSize];     // [P, B, out]
        for (int i = 0; i < x.Length; i++) x[i] = (float)(2 * random.NextDouble() - 1);
        for (int i = 0; i < target.Length; i++) target[i] = (float)(2 * random.NextDouble() - 1);

        bool scalar = backend == "cpu-scalar";
        using var pool = backend == "cpu" ? new WorkerPool(Environment.ProcessorCount) : null;
        var net = new Mlp(sizes, settings.Activation, Activation.Identity, population, pool, scalar ? MlpKernels.Naive : MlpKernels.Fast);
        net.Initialize(settings.Seed);
        // A small learning rate keeps the parameters well inside tanh's range over many timed steps.
        var adam = new Adam(net.Layout, pool);
        Array.Fill(adam.LearningRate, 1e-5f);

        int threads, lanes;
        Action step;
        Action synchronize = () => { };
        GpuDevice? device = null;
        GpuMlp? gpu = null;
        MemoryBuffer1D<float, Stride1D.Dense>? gpuTarget = null, gpuDy = null;
        if (backend == "gpu")
        {
            device = GpuDevice.Open(GpuDeviceKind.Cuda);
            gpu = new GpuMlp(device.Accelerator, net, batch);
            gpu.Input.CopyFromCPU(x);
            gpuTarget = device.Accelerator.Allocate1D(target);
            gpuDy = device.Accelerator.Allocate1D<float>(target.Length);
            threads = population * batch;
            lanes = 0;
            var (g, t, d) = (gpu, gpuTarget, gpuDy);
            step = () =>
            {
                g.Forward();
                g.MseGradient(t.View, d.View);
                g.ZeroGradients();
                g.Backward(d.View);
                g.AdamStep(adam);
            };
            synchronize = g.Synchronize;
        }
        else
        {
            threads = scalar ? 1 : pool!.ThreadCount;
            lanes = scalar ? 1 : net.VectorWidth;
            float[] y = new float[target.Length];   // [P, B, out]
            float[] dY = new float[target.Length];  // [P, B, out]
            float[] ones = Enumerable.Repeat(1f, population).ToArray();  // [P] unit loss weights
            step = () =>
            {
                net.Forward(x, batch, y);
                Array.Clear(dY);
                MseLoss.Backward(y, target, ones, population, batch * outSize, dY);
                net.ZeroGradients();
                net.Backward(dY, []);
                adam.Step(net.Parameters, net.Gradients);
            };
        }

        try
        {
            double TimeSteps(int n)
            {
                synchronize();
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < n; i++) step();
                synchronize();
                return Stopwatch.GetElapsedTime(start).TotalSeconds;
            }

            // WARM UP: JIT tiers (a method is promoted after 30 calls and 100 ms without new tier-0
            // code), page faults, kernel loads; then size a repeat to about Seconds.
            var clock = Stopwatch.StartNew();
            double once = TimeSteps(1);
            for (int i = 0; i < 3 || clock.Elapsed.TotalSeconds < settings.WarmupSeconds; i++) once = Math.Min(once, TimeSteps(1));
            int steps = (int)Math.Clamp(settings.Seconds / Math.Max(once, 1e-9), 1, 10_000_000);
            var perStep = new double[settings.Repeats];
            var peaks = new double[peakProbe is null ? 0 : settings.Repeats];
            for (int r = 0; r < settings.Repeats; r++)
            {
                // Rounds: a repeat of steps and a run of the peak probe, the order reversed every other round.
                if (peakProbe is not null && r % 2 == 1) peaks[r] = peakProbe.TimeRepeat();
                perStep[r] = TimeSteps(steps) / steps;
                if (peakProbe is not null && r % 2 == 0) peaks[r] = peakProbe.TimeRepeat();
            }
            double peak = fixedPeak ?? Medians.Of(peaks);
            Array.Sort(perStep);
            double median = Medians.Of(perStep);
            double samples = (double)population * batch;
            double gflops = samples / median * flopsPerSample / 1e9;
            return new MlpBenchRow
            {
                Backend = backend,
                Sizes = string.Join("-", sizes),
                Activation = ActivationName(settings.Activation),
                Population = population,
                Batch = batch,
                SamplesPerSecond = samples / median,
                Min = samples / perStep[^1],
                Max = samples / perStep[0],
                Gflops = gflops,
                PeakGflops = peak,
                PeakFraction = gflops / peak,
                FlopsPerSample = flopsPerSample,
                Threads = threads,
                Lanes = lanes,
                SecondsPerStep = median,
                Repeats = settings.Repeats,
            };
        }
        finally
        {
            gpuTarget?.Dispose();
            gpuDy?.Dispose();
            gpu?.Dispose();
            device?.Dispose();
        }
    }

    private static void WriteTable(IReadOnlyList<MlpBenchRow> rows, int lanes, long flopsPerSample, TextWriter output)
    {
        var console = CliConsole.For(output);
        var table = CliConsole.FigureTable(["backend"],
            "P", "B", "threads", "lanes", "samples/s", "min–max", "GFLOP/s", "peak GFLOP/s", "% of peak", "ms/step", "vs cpu-scalar");
        foreach (var row in rows)
            table.AddRow(Markup.Escape(row.Backend), row.Population.ToString(CultureInfo.InvariantCulture),
                row.Batch.ToString("N0", CultureInfo.InvariantCulture), row.Threads.ToString("N0", CultureInfo.InvariantCulture),
                row.Lanes.ToString(CultureInfo.InvariantCulture), BenchCommand.FormatRate(row.SamplesPerSecond),
                $"{BenchCommand.FormatRate(row.Min)}–{BenchCommand.FormatRate(row.Max)}",
                row.Gflops.ToString("0.0", CultureInfo.InvariantCulture),
                row.PeakGflops.ToString("0.0", CultureInfo.InvariantCulture),
                (100 * row.PeakFraction).ToString("0.0", CultureInfo.InvariantCulture) + "%",
                (1e3 * row.SecondsPerStep).ToString("0.000", CultureInfo.InvariantCulture),
                row.SpeedupVsCpuScalar is double s ? s.ToString("0.0", CultureInfo.InvariantCulture) + "×" : "");
        console.Write(table);
        string gpuPeak = rows.Any(r => r.Backend == "gpu") ? "; gpu rows against the device's own, measured on it" : "";
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"One step = forward ({rows.FirstOrDefault()?.Activation ?? "tanh"} hidden layers), MSE gradient, backward, Adam over P·B samples; " +
            $"counted flops per sample: 2·in·out per Linear forward, twice that backward = 6·Σ in·out = {flopsPerSample} (bias, activations, loss and Adam not counted). Median of {rows.FirstOrDefault()?.Repeats ?? 0} repeats."));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"peak GFLOP/s: the FMA peak ({Environment.ProcessorCount} threads, {lanes}-float vectors), a probe run after each of the row's repeats (the order reversed every other round), median{gpuPeak}."));
    }
}
