using RlKernels.Kernels.Gpu;

namespace RlKernels.Cli.Commands;

/// <summary>
/// What the timed subcommands of <c>rlk bench</c> (<c>mlp</c>, <c>qiter</c>) take besides their own grid: the
/// backends, the timing, the seed and the output form (their options: <see cref="TimedBenchOptions"/>).
/// </summary>
public abstract record TimedBenchSettings
{
    /// <summary>The backend names these subcommands know.</summary>
    private static readonly string[] KnownBackends = ["cpu", "cpu-scalar", "gpu"];

    /// <summary>cpu, cpu-scalar, gpu; empty = cpu, cpu-scalar and gpu when a CUDA GPU is present.</summary>
    public IReadOnlyList<string> Backends { get; init; } = [];
    /// <summary>Seconds per timed repeat (at least one training step or sweep).</summary>
    public double Seconds { get; init; } = 0.5;
    /// <summary>Timed repeats; the median is reported.</summary>
    public int Repeats { get; init; } = 5;
    /// <summary>Seed of what is measured (mlp: the network and the data; qiter: the random models and maps).</summary>
    public ulong Seed { get; init; } = BenchCommand.Seed;
    /// <summary>One JSON array on stdout instead of a table.</summary>
    public bool Json { get; init; }
    /// <summary>A line on stderr as each measurement starts.</summary>
    public bool Progress { get; init; }

    /// <summary>
    /// <see cref="Backends"/> trimmed, lower-cased and distinct; empty: cpu, cpu-scalar, and gpu when a CUDA GPU is
    /// present. Throws <see cref="ArgumentException"/> naming the <paramref name="subcommand"/> for an unknown name,
    /// and the device's error (with the devices ILGPU saw) when gpu is asked for and none opens.
    /// </summary>
    internal List<string> ResolveBackends(string subcommand)
    {
        List<string> backends = Backends.Count > 0
            ? Backends.Select(b => b.Trim().ToLowerInvariant()).Distinct().ToList()
            : GpuDevice.CudaAvailable() ? ["cpu", "cpu-scalar", "gpu"] : ["cpu", "cpu-scalar"];
        foreach (string b in backends)
            if (!KnownBackends.Contains(b))
                throw new ArgumentException($"Unknown {subcommand} backend '{b}'. Known: {string.Join(", ", KnownBackends)}.");
        if (backends.Contains("gpu")) GpuDevice.Open(GpuDeviceKind.Cuda).Dispose();
        return backends;
    }
}
