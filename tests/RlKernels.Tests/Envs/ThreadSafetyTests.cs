using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;

namespace RlKernels.Tests.Envs;

/// <summary>
/// The vector env's thread-safety contract: one caller at a time. A second caller's Step, Reset or Dispose
/// while a call runs raises InvalidOperationException at once and changes nothing; the running call finishes
/// normally and the env stays usable. Before this contract, a concurrent Step aborted the process and a
/// Dispose during Step hung.
/// </summary>
public sealed class ThreadSafetyTests
{
    public static TheoryData<string, string> Runners => new()
    {
        { "cpu", "" },
        { "gpu-cpu", "" },
        { "cpu", "normalize_obs=true" },
    };

    private static IVectorEnv Make(string backend, string envArg, int envCount)
    {
        var options = new VectorEnvOptions
        {
            Backend = backend == "cpu" ? Backend.Cpu : Backend.GpuCpuAccelerator,
            Seed = 11,
            Threads = 2,
        };
        var args = envArg.Length == 0 ? null : EnvArgs.Parse([envArg]).Values;
        return EnvRegistry.Make("CartPole-v1", envCount, options, args);
    }

    /// <summary>Long enough for the second caller to land inside the first call on a busy 2-core machine.</summary>
    private static (int Envs, int Steps) LongCall(string backend) => backend == "cpu" ? (65_536, 4_000) : (2_048, 3_000);

    [Theory]
    [MemberData(nameof(Runners))]
    public void SecondCallerAndDisposeDuringACallAreRefusedAndChangeNothing(string backend, string envArg)
    {
        var (envs, steps) = LongCall(backend);
        using var env = Make(backend, envArg, envs);
        using var reference = Make(backend, envArg, envs);
        reference.StepRandom(steps);
        reference.StepRandom(3);

        using var entered = new ManualResetEventSlim();
        Exception? firstFailure = null;
        bool firstDone = false;
        var first = new Thread(() =>
        {
            entered.Set();
            try { env.StepRandom(steps); }
            catch (Exception e) { firstFailure = e; }
            Volatile.Write(ref firstDone, true);
        });
        first.Start();
        entered.Wait(TestContext.Current.CancellationToken);
        Thread.Sleep(30);
        Assert.False(Volatile.Read(ref firstDone), "the first call ended before the second caller came; make LongCall longer");

        var step = Assert.Throws<InvalidOperationException>(() => env.StepRandom(1));
        Assert.Contains("one caller at a time", step.Message);
        Assert.Throws<InvalidOperationException>(() => env.Reset(5UL));
        Assert.Throws<InvalidOperationException>(() => env.Step(new int[envs]));
        var dispose = Assert.Throws<InvalidOperationException>(env.Dispose);
        Assert.Contains("Dispose", dispose.Message);
        Assert.False(Volatile.Read(ref firstDone), "the refused calls must not wait for the running one");

        first.Join();
        Assert.Null(firstFailure);
        // The refused calls changed nothing: the env continues exactly as one that was never disturbed.
        env.StepRandom(3);
        Assert.Equal(reference.Observations.ToArray(), env.Observations.ToArray());
        Assert.Equal(reference.Rewards.ToArray(), env.Rewards.ToArray());
        Assert.Equal(reference.Terminated.ToArray(), env.Terminated.ToArray());
    }

    [Theory]
    [MemberData(nameof(Runners))]
    public void DisposeWhenIdleWorksAndIsIdempotentThenCallsSayDisposed(string backend, string envArg)
    {
        var env = Make(backend, envArg, 64);
        env.StepRandom(2);
        env.Dispose();
        env.Dispose();
        Assert.Throws<ObjectDisposedException>(() => env.StepRandom(1));
    }

    [Fact]
    public void CallsFromManyThreadsOneAtATimeAreFine()
    {
        // The contract is "one at a time", not "one thread": serialized calls from different threads work.
        using var env = Make("cpu", "", 256);
        var gate = new object();
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            lock (gate) env.StepRandom(1);
        });
        using var reference = Make("cpu", "", 256);
        reference.StepRandom(64);
        Assert.Equal(reference.Observations.ToArray(), env.Observations.ToArray());
    }
}
