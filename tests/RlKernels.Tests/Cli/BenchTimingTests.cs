using System.Diagnostics;
using RlKernels.Cli;
using RlKernels.Cli.Commands;
using RlKernels.Envs;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Envs.Wrappers;

namespace RlKernels.Tests.Cli;

/// <summary>
/// The benchmark's timed loop on a device that runs asynchronously. On a real GPU, StepRandom only queues a
/// launch; the first `rlk bench --backend gpu` read the clock after queueing, calibrated its calls to the
/// queueing cost, queued hours of device work and never finished. ILGPU's CPU accelerator runs launches
/// synchronously, so it cannot show that bug; <see cref="QueuedDeviceEnv"/> behaves like the GPU does.
/// </summary>
public sealed class BenchTimingTests
{
    /// <summary>
    /// A vector env whose StepRandom queues work for a simulated device that does
    /// <see cref="StepsPerSecond"/> env-steps per second; the work is done (waited for) only in Synchronize,
    /// as on a GPU. Everything else is the wrapped env's.
    /// </summary>
    private sealed class QueuedDeviceEnv(IVectorEnv inner, double stepsPerSecond) : VectorEnvWrapper(inner)
    {
        public double StepsPerSecond { get; } = stepsPerSecond;
        /// <summary>Env-steps queued and not yet waited for.</summary>
        public long Queued { get; private set; }
        /// <summary>The most env-steps that were ever queued at once.</summary>
        public long MostQueued { get; private set; }

        public override void StepRandom(int stepCount)
        {
            Queued += (long)stepCount * EnvCount;
            MostQueued = Math.Max(MostQueued, Queued);
        }

        public override void Synchronize()
        {
            // Busy-wait: Thread.Sleep's millisecond granularity would distort short calls.
            long until = Stopwatch.GetTimestamp() + (long)(Queued / StepsPerSecond * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < until) Thread.SpinWait(20);
            Queued = 0;
        }
    }

    [Fact]
    public void TheTimedLoopWaitsForTheDeviceAndMeasuresItsRate()
    {
        const double deviceRate = 2e8;
        using var env = new QueuedDeviceEnv(EnvRegistry.Make("CartPole-v1", 1000), deviceRate);
        var settings = new BenchSettings { Seconds = 0.05, Repeats = 3, WarmupSeconds = 0.1 };

        var clock = Stopwatch.StartNew();
        var (median, min, max, stepsPerCall, _) = BenchCommand.Measure(env, settings);
        double seconds = clock.Elapsed.TotalSeconds;

        // Nothing is left queued, and no call queued more than about two timed calls' worth of device time.
        Assert.Equal(0, env.Queued);
        Assert.True(env.MostQueued <= 2 * 0.02 * deviceRate + 1000, $"{env.MostQueued:N0} env-steps were queued at once");
        // The measurement took about warm-up + repeats × seconds (generous bound for a loaded 2-core machine).
        Assert.True(seconds < 10, $"the benchmark took {seconds:F1} s");
        // It reports the device's rate, not the rate of queueing launches (which is orders of magnitude higher).
        // It can only come out below the device's rate: a loaded machine descheduling the waiting thread adds
        // time, so the lower bound is loose.
        Assert.True(median <= 1.05 * deviceRate && median >= 0.1 * deviceRate,
            $"median {median:E3} env-steps/s (min {min:E3}, max {max:E3}), {stepsPerCall} steps/call, {seconds:F2} s; the device does {deviceRate:E3}");
        Assert.True(min <= median && median <= max);
        Assert.True(stepsPerCall > 1);
    }

    /// <summary>An env whose first call of more than one step stalls, as the CPU runner's first multi-step call does
    /// while the JIT compiles the body for a call's steps before its last (tens of milliseconds for a wrapped env).</summary>
    private sealed class SlowFirstMultiStepEnv(IVectorEnv inner, TimeSpan stall) : VectorEnvWrapper(inner)
    {
        private bool _stalled;

        public override void StepRandom(int stepCount)
        {
            if (stepCount > 1 && !_stalled)
            {
                _stalled = true;
                Thread.Sleep(stall);
            }
            base.StepRandom(stepCount);
        }
    }

    /// <summary>
    /// The warm-up's calibration must not take a compile for the call length: a frame-stacked CartPole was once timed at
    /// one step per call (15% of the plain env instead of about 55%) because its first two-step call, compiling, came
    /// last in a warm-up whose time was spent, and set the length.
    /// </summary>
    [Fact]
    public void ACompileInTheWarmUpDoesNotSetTheCallLength()
    {
        using var env = new SlowFirstMultiStepEnv(EnvRegistry.Make("CartPole-v1", 64), TimeSpan.FromMilliseconds(400));
        var settings = new BenchSettings { Seconds = 0.02, Repeats = 1, WarmupSeconds = 0.3 };
        var (_, _, _, stepsPerCall, _) = BenchCommand.Measure(env, settings);
        // 64 envs step in well under a microsecond each: a 20 ms call holds thousands of steps.
        Assert.True(stepsPerCall >= 100, $"{stepsPerCall} steps per call");
    }

    [Fact]
    public void AGpuKernelBenchmarkFinishesWithinItsBound()
    {
        // The real GPU runner's kernels on ILGPU's CPU accelerator, end to end through the command.
        var output = new StringWriter();
        var error = new StringWriter();
        var clock = Stopwatch.StartNew();
        int code = BenchCommand.Run(new BenchSettings
        {
            Envs = ["CartPole-v1"], Backends = ["gpu-cpu"], EnvCounts = [4096], Seconds = 0.05, Repeats = 1, Json = true,
        }, output, error);
        Assert.True(clock.Elapsed.TotalSeconds < 60, $"bench --backend gpu-cpu took {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("\"steps_per_second\"", output.ToString());
    }
}
