using System.Diagnostics;
using RlKernels.Envs.Runner;

namespace RlKernels.Cli.Commands;

/// <summary>
/// <c>rlk bench</c>'s env row: back-to-back <see cref="IVectorEnv.StepRandom"/> calls of a calibrated length. Every
/// clock reading follows a <see cref="IVectorEnv.Synchronize"/>: GPU launches are asynchronous, and a loop that read the
/// clock after merely queueing work calibrated itself to the queueing cost, queued hours of device work and never ended.
/// </summary>
internal sealed class StepRandomLoop(IVectorEnv env, double warmupSeconds) : ITimedLoop
{
    /// <summary>A timed call should last about this long: long enough to hide the call and thread
    /// hand-off overhead, short enough that a repeat holds many calls.</summary>
    private const double TargetCallSeconds = 0.02;

    /// <summary>Upper bound of steps per call (one env on one thread needs ~10^6 for 20 ms).</summary>
    private const int MaxStepsPerCall = 1 << 24;

    public IVectorEnv Env { get; } = env;

    /// <summary>Steps per timed call (set by <see cref="WarmUp"/>).</summary>
    public int StepsPerCall { get; private set; } = 1;

    public void WarmUp()
    {
        // Tiered compilation promotes a method after 30 calls, and only once no new tier-0 code has appeared for
        // 100 ms; short calls first run the step code many times, then calls of growing length calibrate how many
        // steps a call needs to last TargetCallSeconds. The short calls alternate one and two steps: the CPU runner
        // compiles a call's steps before its last as a body of their own, and that body's first compile (tens of
        // milliseconds for a wrapped env) must not land in a calibration timing, which then read one step per call.
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 64 || clock.Elapsed.TotalSeconds < warmupSeconds / 3; i++)
        {
            Env.StepRandom(1 + (i & 1));
            Env.Synchronize();
        }
        // The faster of two calls at each length, and at the final length the fastest call until the warm-up time is
        // over (at least one more): a compile, a collection or a descheduled thread slows one call, not all.
        int stepsPerCall = 1;
        double callSeconds = FasterOfTwo(stepsPerCall);
        while (callSeconds < TargetCallSeconds / 2 && stepsPerCall < MaxStepsPerCall)
        {
            stepsPerCall = (int)Math.Min(MaxStepsPerCall, (long)stepsPerCall * 2);
            callSeconds = FasterOfTwo(stepsPerCall);
        }
        do callSeconds = Math.Min(callSeconds, TimeCall(stepsPerCall));
        while (clock.Elapsed.TotalSeconds < warmupSeconds);
        StepsPerCall = (int)Math.Clamp(stepsPerCall * TargetCallSeconds / Math.Max(callSeconds, 1e-9), 1, MaxStepsPerCall);
    }

    private double FasterOfTwo(int stepCount) => Math.Min(TimeCall(stepCount), TimeCall(stepCount));

    public RepeatRate TimeRepeat(double seconds) => InterleavedTiming.TimeCalls(seconds, (double)Env.EnvCount * StepsPerCall, () =>
    {
        Env.StepRandom(StepsPerCall);
        Env.Synchronize();
    });

    private double TimeCall(int stepCount)
    {
        long start = Stopwatch.GetTimestamp();
        Env.StepRandom(stepCount);
        Env.Synchronize();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}
