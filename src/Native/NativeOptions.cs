using System.Diagnostics.CodeAnalysis;
using RlKernels.Envs.Runner;

namespace RlKernels.Native;

/// <summary>Parses rlk_create's option strings (backend, autoreset, precision) into <see cref="VectorEnvOptions"/>.</summary>
internal static class NativeOptions
{
    /// <summary>Backend names accepted by rlk_create; null means "cpu".</summary>
    public static readonly IReadOnlyDictionary<string, Backend> Backends = new Dictionary<string, Backend>
    {
        ["cpu"] = Backend.Cpu, ["cpu-scalar"] = Backend.CpuScalar, ["gpu"] = Backend.Gpu, ["gpu-cpu"] = Backend.GpuCpuAccelerator,
    };

    /// <summary>Autoreset names, Gymnasium's spelling; null means "next_step" (Gymnasium's default).</summary>
    public static readonly IReadOnlyDictionary<string, AutoResetMode> Modes = new Dictionary<string, AutoResetMode>
    {
        ["next_step"] = AutoResetMode.NextStep, ["same_step"] = AutoResetMode.SameStep, ["disabled"] = AutoResetMode.Disabled,
    };

    /// <summary>Builds the options, or returns false with a one-line reason.</summary>
    public static bool TryParse(string? backend, string? autoreset, string? precision, int threads, ulong seed,
        [NotNullWhen(true)] out VectorEnvOptions? options, [NotNullWhen(false)] out string? error)
    {
        options = null;
        if (!Backends.TryGetValue(backend ?? "cpu", out Backend b))
            return Fail($"Unknown backend '{backend}'. Known: {string.Join(", ", Backends.Keys)}.", out error);
        if (!Modes.TryGetValue(autoreset ?? "next_step", out AutoResetMode mode))
            return Fail($"Unknown autoreset mode '{autoreset}'. Known: {string.Join(", ", Modes.Keys)}.", out error);
        switch (precision ?? "float32")
        {
            case "float32":
                break;
            case "float64":
                // Gymnasium's float64 arithmetic exists as one reference backend (D1 lanes, one thread).
                if (b != Backend.Cpu)
                    return Fail($"precision float64 runs on the cpu backend only, not '{backend}'.", out error);
                b = Backend.CpuDouble;
                break;
            default:
                return Fail($"Unknown precision '{precision}'. Known: float32, float64.", out error);
        }
        if (threads < 0 || threads > VectorEnvOptions.MaxThreads)
            return Fail($"threads must be between 0 (all cores) and {VectorEnvOptions.MaxThreads}, got {threads}.", out error);
        options = new VectorEnvOptions { Backend = b, AutoReset = mode, Seed = seed, Threads = threads };
        error = null;
        return true;
    }

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }
}
