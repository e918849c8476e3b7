using System.Diagnostics;
using RlKernels.Kernels.Hardware;

namespace RlKernels.Cli.Commands;

/// <summary>One timed repeat: env-steps per second of wall time and, where measured, per second of this process's CPU time.</summary>
internal readonly record struct RepeatRate(double PerSecond, double PerCpuSecond);

/// <summary>Something <c>rlk bench</c> times: warmed up once, then timed one repeat at a time.</summary>
internal interface ITimedLoop
{
    /// <summary>Untimed work until the JIT has settled, and calibration of the steps per timed call.</summary>
    void WarmUp();

    /// <summary>One timed repeat of back-to-back calls lasting at least <paramref name="seconds"/>.</summary>
    RepeatRate TimeRepeat(double seconds);
}

/// <summary>
/// Times several loops in rounds, one repeat of each per round, the order reversed every other round (A B C, C B A,
/// A B C, …). Figures compared with each other (a backend against <c>cpu-scalar</c>, an env against the CartPole
/// ceiling, caller actions against StepRandom) are then taken over the same stretch of time: on a shared machine whose
/// speed drifts by tens of percent within a minute, timing one after the other compared the drift as much as the loops,
/// and the first of two loops run back to back reads faster on such a machine, which the alternation evens out.
/// </summary>
internal static class InterleavedTiming
{
    /// <summary>The repeats of every loop: result[i][r] is loop i's repeat in round r.</summary>
    /// <param name="loops">Loops, warmed up.</param>
    /// <param name="repeats">Rounds (≥ 1).</param>
    /// <param name="seconds">Seconds per timed repeat (&gt; 0).</param>
    public static RepeatRate[][] Run(IReadOnlyList<ITimedLoop> loops, int repeats, double seconds)
    {
        if (repeats < 1) throw new ArgumentException($"Repeats must be ≥ 1, got {repeats}.", nameof(repeats));
        if (!(seconds > 0)) throw new ArgumentException($"Seconds must be positive, got {seconds}.", nameof(seconds));
        var result = loops.Select(_ => new RepeatRate[repeats]).ToArray();
        for (int r = 0; r < repeats; r++)
            for (int k = 0; k < loops.Count; k++)
            {
                int i = r % 2 == 0 ? k : loops.Count - 1 - k;
                result[i][r] = loops[i].TimeRepeat(seconds);
            }
        return result;
    }

    /// <summary>
    /// One timed repeat of back-to-back calls of <paramref name="call"/>, each doing <paramref name="stepsPerCall"/>
    /// env-steps, for at least <paramref name="seconds"/>: env-steps per second of wall time and of this process's CPU time.
    /// </summary>
    public static RepeatRate TimeCalls(double seconds, double stepsPerCall, Action call)
    {
        long calls = 0;
        TimeSpan cpuStart = Environment.CpuUsage.TotalTime;
        long start = Stopwatch.GetTimestamp();
        double elapsed;
        do
        {
            call();
            calls++;
            elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        } while (elapsed < seconds);
        double steps = stepsPerCall * calls;
        return new RepeatRate(steps / elapsed, steps / Math.Max((Environment.CpuUsage.TotalTime - cpuStart).TotalSeconds, 1e-9));
    }
}

/// <summary>The CartPole ceiling loop as a timed loop (no CPU-time figure).</summary>
internal sealed class CeilingTimedLoop(CartPoleCeilingLoop loop) : ITimedLoop
{
    public CartPoleCeilingLoop Loop { get; } = loop;
    public void WarmUp() => Loop.WarmUp();
    public RepeatRate TimeRepeat(double seconds) => new(Loop.TimeRepeat(seconds), double.NaN);
}
