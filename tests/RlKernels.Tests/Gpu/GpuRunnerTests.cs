using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Gpu;

namespace RlKernels.Tests.Gpu;

/// <summary>
/// The GPU runner against the <c>cpu-scalar</c> runner (both F1, both the shared step logic): same seed,
/// same actions, so observations and rewards agree within 1e-4 (abs + rel) and flags, random actions
/// and episode stats exactly. One subclass per ILGPU backend.
/// </summary>
/// <remarks>Sizes are small on purpose: ILGPU's CPU accelerator is slow and the suite runs on 2 cores.</remarks>
public abstract class GpuRunnerTests
{
    private const int EnvCount = 37; // odd: not a multiple of any warp or group size
    private const int StepCount = 100;
    private const double Atol = 1e-4, Rtol = 1e-4;

    /// <summary>The GPU backend under test.</summary>
    protected abstract Backend Backend { get; }

    /// <summary>Skips the test where the backend's device is missing.</summary>
    protected virtual void RequireDevice() { }

    public static TheoryData<string> Ids() => GpuTestEnvs.Ids();

    private (IVectorEnv Gpu, IVectorEnv Scalar) Make(string id, AutoResetMode mode, int? maxEpisodeSteps = null, ulong seed = 7)
    {
        RequireDevice();
        var gpu = EnvRegistry.Make(id, EnvCount, new VectorEnvOptions
        {
            Backend = Backend, AutoReset = mode, Seed = seed, MaxEpisodeSteps = maxEpisodeSteps,
        });
        var scalar = EnvRegistry.Make(id, EnvCount, new VectorEnvOptions
        {
            Backend = Backend.CpuScalar, AutoReset = mode, Seed = seed, MaxEpisodeSteps = maxEpisodeSteps,
        });
        return (gpu, scalar);
    }

    /// <summary>A fixed pseudo-random action per (step, env), the same for both runners.</summary>
    private static void FillActions(int[] actions, int step, int actionCount)
    {
        for (int i = 0; i < actions.Length; i++)
            actions[i] = (int)(((uint)i * 2654435761u + (uint)step * 40503u) >> 16) % actionCount;
    }

    /// <summary>Steps both runners with the same fixed actions: discrete indices or continuous values in the Box.</summary>
    private static void StepBoth(IVectorEnv a, IVectorEnv b, int step)
    {
        var space = a.Spec.Action;
        var actions = new int[a.EnvCount];
        FillActions(actions, step, space.IsDiscrete ? space.Count : 1001);
        if (space.IsDiscrete)
        {
            a.Step(actions);
            b.Step(actions);
            return;
        }
        var values = new float[a.EnvCount];
        for (int i = 0; i < values.Length; i++) values[i] = space.Low + (space.High - space.Low) * actions[i] / 1000f;
        a.Step(values);
        b.Step(values);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void ResetAgreesWithScalar(string id)
    {
        var (gpu, scalar) = Make(id, AutoResetMode.SameStep);
        using (gpu) using (scalar)
        {
            AssertSameOutputs(scalar, gpu, "after construction");
            gpu.Reset(123);
            scalar.Reset(123);
            AssertSameOutputs(scalar, gpu, "after Reset(123)");
        }
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void StepAgreesWithScalarSameStep(string id) => StepAgrees(id, AutoResetMode.SameStep);

    [Theory]
    [MemberData(nameof(Ids))]
    public void StepAgreesWithScalarNextStep(string id) => StepAgrees(id, AutoResetMode.NextStep);

    private void StepAgrees(string id, AutoResetMode mode)
    {
        // A short time limit so truncation and auto-reset happen within the run for every env.
        var (gpu, scalar) = Make(id, mode, maxEpisodeSteps: 23);
        using (gpu) using (scalar)
        {
            int ended = 0;
            for (int t = 0; t < StepCount; t++)
            {
                StepBoth(gpu, scalar, t);
                AssertSameOutputs(scalar, gpu, $"step {t}");
                foreach (bool b in scalar.Truncated) if (b) ended++;
            }
            Assert.True(ended > 0, "no episode was truncated: the test did not exercise auto-reset");
        }
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void StepRandomAgreesWithScalar(string id)
    {
        var (gpu, scalar) = Make(id, AutoResetMode.SameStep, maxEpisodeSteps: 31, seed: 99);
        using (gpu) using (scalar)
        {
            // Single steps, then long launches: the action counter must continue across calls.
            int[] chunks = [1, 1, 1, 7, 40, 50];
            int done = 0;
            foreach (int k in chunks)
            {
                gpu.StepRandom(k);
                scalar.StepRandom(k);
                done += k;
                AssertSameOutputs(scalar, gpu, $"after {done} random steps");
            }
            gpu.StepRandom(0);
            AssertSameOutputs(scalar, gpu, "after StepRandom(0)");
        }
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void DisabledModeWaitsForMaskedReset(string id)
    {
        var (gpu, scalar) = Make(id, AutoResetMode.Disabled, maxEpisodeSteps: 9);
        using (gpu) using (scalar)
        {
            var mask = new bool[EnvCount];
            for (int t = 0; t < 30; t++)
            {
                StepBoth(gpu, scalar, t);
                AssertSameOutputs(scalar, gpu, $"step {t}");
                bool any = false;
                for (int i = 0; i < EnvCount; i++)
                {
                    mask[i] = scalar.Terminated[i] || scalar.Truncated[i];
                    any |= mask[i];
                }
                if (!any) continue;
                // Stepping with an ended env is an error on both backends, and changes nothing.
                var eScalar = Assert.Throws<InvalidOperationException>(() => scalar.StepRandom(1));
                var eGpu = Assert.Throws<InvalidOperationException>(() => gpu.StepRandom(1));
                Assert.Equal(eScalar.Message, eGpu.Message);
                gpu.Reset(mask);
                scalar.Reset(mask);
                AssertSameOutputs(scalar, gpu, $"masked reset after step {t}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void InvalidActionsChangeNothing(string id)
    {
        var (gpu, scalar) = Make(id, AutoResetMode.SameStep);
        using (gpu) using (scalar)
        {
            StepBoth(gpu, scalar, 0);
            float[] before = gpu.Observations.ToArray();

            if (gpu.Spec.Action.IsDiscrete)
            {
                var actions = new int[EnvCount];
                actions[5] = gpu.Spec.Action.Count;
                Assert.Throws<ArgumentOutOfRangeException>(() => gpu.Step(actions));
                Assert.Throws<ArgumentException>(() => gpu.Step(new int[EnvCount - 1]));
                Assert.Throws<InvalidOperationException>(() => gpu.Step(new float[EnvCount]));
            }
            else
            {
                var actions = new float[EnvCount];
                actions[5] = float.NaN;
                Assert.Throws<ArgumentException>(() => gpu.Step(actions));
                Assert.Throws<ArgumentException>(() => gpu.Step(new float[EnvCount - 1]));
                Assert.Throws<InvalidOperationException>(() => gpu.Step(new int[EnvCount]));
            }
            Assert.Throws<ArgumentOutOfRangeException>(() => gpu.StepRandom(-1));
            Assert.Throws<ArgumentException>(() => gpu.Reset(new bool[EnvCount + 1]));
            Assert.Equal(before, gpu.Observations.ToArray());

            // And the next valid step still matches the scalar runner.
            StepBoth(gpu, scalar, 1);
            AssertSameOutputs(scalar, gpu, "after rejected calls");
        }
    }

    [Fact]
    public void DescribesItselfAndDisposesTwice()
    {
        var (gpu, scalar) = Make("CartPole-v1", AutoResetMode.SameStep);
        scalar.Dispose();
        Assert.Equal(Backend, gpu.Backend);
        Assert.Equal(1, gpu.LaneWidth);
        Assert.Equal(1, gpu.ThreadCount);
        Assert.Equal(EnvCount, gpu.EnvCount);
        Assert.True(gpu.BytesPerEnv > 4 * (4 + 2 * 4));
        gpu.Dispose();
        gpu.Dispose();
        Assert.Throws<ObjectDisposedException>(() => gpu.StepRandom(1));
    }

    private static void AssertSameOutputs(IVectorEnv expected, IVectorEnv actual, string where)
    {
        AssertClose(expected.Observations, actual.Observations, $"{where}: observations");
        AssertClose(expected.Rewards, actual.Rewards, $"{where}: rewards");
        Assert.True(expected.Terminated.SequenceEqual(actual.Terminated), $"{where}: terminated flags differ");
        Assert.True(expected.Truncated.SequenceEqual(actual.Truncated), $"{where}: truncated flags differ");
        int obsSize = expected.Spec.ObsSize;
        for (int i = 0; i < expected.EnvCount; i++)
        {
            if (!(expected.Terminated[i] || expected.Truncated[i])) continue;
            if (expected.AutoReset == AutoResetMode.SameStep)
                AssertClose(expected.FinalObservations.Slice(i * obsSize, obsSize),
                    actual.FinalObservations.Slice(i * obsSize, obsSize), $"{where}: final observation of env {i}");
            if (expected.AutoReset == AutoResetMode.NextStep) continue; // stats of ended episodes below
            AssertClose(expected.EpisodeReturns.Slice(i, 1), actual.EpisodeReturns.Slice(i, 1), $"{where}: episode return of env {i}");
            Assert.True(expected.EpisodeLengths[i] == actual.EpisodeLengths[i], $"{where}: episode length of env {i}");
        }
        if (expected.AutoReset == AutoResetMode.NextStep)
        {
            AssertClose(expected.EpisodeReturns, actual.EpisodeReturns, $"{where}: episode returns");
            Assert.True(expected.EpisodeLengths.SequenceEqual(actual.EpisodeLengths), $"{where}: episode lengths differ");
        }
    }

    /// <summary>|expected − actual| ≤ atol + rtol·|expected|; on failure the max difference and the first 5 mismatches.</summary>
    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        double maxDiff = 0;
        var mismatches = new List<string>();
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i], diff = Math.Abs(e - a);
            maxDiff = Math.Max(maxDiff, diff);
            bool ok = diff <= Atol + Rtol * Math.Abs(e) || (double.IsNaN(e) && double.IsNaN(a));
            if (!ok && mismatches.Count < 5) mismatches.Add($"[{i}] expected {e:R}, got {a:R}");
        }
        Assert.True(mismatches.Count == 0, $"{what}: max |diff| {maxDiff:G3}; first mismatches: {string.Join("; ", mismatches)}");
    }
}

/// <summary>The GPU kernels on ILGPU's CPU accelerator (runs everywhere).</summary>
public class GpuRunnerTests_IlgpuCpu : GpuRunnerTests
{
    protected override Backend Backend => Backend.GpuCpuAccelerator;
}

/// <summary>The GPU kernels on a real CUDA device; skipped at run time where there is none.</summary>
public class GpuRunnerTests_Cuda : GpuRunnerTests
{
    private static readonly Lazy<bool> Available = new(GpuDevice.CudaAvailable);

    protected override Backend Backend => Backend.Gpu;

    protected override void RequireDevice()
    {
        if (!Available.Value) Assert.Skip("No CUDA device: ILGPU saw " + GpuDevice.DescribeDevices());
    }
}
