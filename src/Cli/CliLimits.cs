using System.Globalization;
using RlKernels.Envs.Registry;

namespace RlKernels.Cli;

/// <summary>The bounds the benchmark commands share: each timing knob finite and in a sane range, each size within memory.</summary>
public static class CliLimits
{
    /// <summary>Seconds per timed repeat: an hour is far beyond any useful measurement.</summary>
    public const double MaxSeconds = 3600;

    /// <summary>Timed repeats per measurement.</summary>
    public const int MaxRepeats = 1000;

    /// <exception cref="ArgumentException">Not in (0, <see cref="MaxSeconds"/>].</exception>
    public static void CheckSeconds(double seconds, string flag = "--seconds")
    {
        if (!(seconds > 0 && seconds <= MaxSeconds))
            throw new ArgumentException($"{flag} must be greater than 0 and at most {MaxSeconds.ToString(CultureInfo.InvariantCulture)}, got {seconds.ToString(CultureInfo.InvariantCulture)}.");
    }

    /// <exception cref="ArgumentException">Not in [1, <see cref="MaxRepeats"/>].</exception>
    public static void CheckRepeats(int repeats, string flag = "--repeats")
    {
        if (repeats < 1 || repeats > MaxRepeats)
            throw new ArgumentException($"{flag} must be between 1 and {MaxRepeats}, got {repeats}.");
    }

    /// <exception cref="ArgumentException">More than <see cref="MemoryBudget.UsableBytes"/>; the message names what and how much.</exception>
    public static void CheckMemory(long bytes, string what)
    {
        if (bytes < 0 || bytes > MemoryBudget.UsableBytes)
            throw new ArgumentException($"{what} needs about {MemoryBudget.Format(bytes < 0 ? long.MaxValue : bytes)}; this machine's usable memory is {MemoryBudget.Format(MemoryBudget.UsableBytes)}.");
    }
}
