using RlKernels.Algorithms.Deep;
using RlKernels.Algorithms.Device;
using RlKernels.Envs.Runner;
using RlKernels.Tests.Kernels;

namespace RlKernels.Tests.Gpu;

/// <summary>
/// <see cref="DevicePpo.Train"/> end to end on ILGPU's CPU accelerator: a few rollouts and updates run, every
/// iteration copies back only its scalar metrics, and bad settings are refused before anything runs. (Solving
/// CartPole on the CPU accelerator, about 1.3 s an update: <c>DeviceTrainCommandTests.PpoOnGpuCpuSolvesCartPole</c>.)
/// </summary>
public class DevicePpoTrainTests
{
    internal static RunSettings Run(Backend backend, string env = "CartPole-v1", int population = 1, Action<TrainProgress>? progress = null) => new()
    {
        EnvId = env, EnvCount = 4, TotalSteps = 4 * 16 * 3, Seed = (ulong)KernelAssert.FreshSeed(), Backend = backend,
        Seeds = population > 1 ? Enumerable.Range(1, population).Select(i => (ulong)i * 7919).ToArray() : null, Progress = progress,
    };

    private static PpoConfig Config(RunSettings run) => Ppo.DefaultConfig(run, null) with { Hidden = [16], RolloutSteps = 16, Epochs = 2, Minibatches = 2 };

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void EachIterationCopiesBackOnlyItsScalarMetrics() => AssertEachIterationCopiesBackOnlyItsScalarMetrics((run, t) => DevicePpo.Train(Config(run), t));

    /// <summary>
    /// Three iterations of a 2-member device run (<paramref name="train"/>, counting its copies in the transfers it is given):
    /// per rollout and update the [P, 2] episode metrics and the [P, 3] update metrics come back, nothing goes up.
    /// </summary>
    internal static void AssertEachIterationCopiesBackOnlyItsScalarMetrics(Func<RunSettings, DeviceTransfers, TrainResult> train)
    {
        var transfers = new DeviceTransfers();
        var seen = new List<(int Copies, long Bytes, int Uploads)>();
        const int pop = 2;
        RunSettings run = Run(Backend.GpuCpuAccelerator, population: pop,
            progress: _ => seen.Add((transfers.ToHostCopies, transfers.ToHostBytes, transfers.ToDeviceCopies)));
        TrainResult result = train(run, transfers);

        Assert.Equal(3, seen.Count);
        Assert.Equal(4L * 16 * 3, result.EnvSteps);
        for (int i = 1; i < seen.Count; i++)
        {
            // Per rollout + update: the [P, 2] episode metrics and the [P, 3] update metrics; nothing goes up.
            Assert.Equal(2, seen[i].Copies - seen[i - 1].Copies);
            Assert.Equal((2L + 3L) * pop * sizeof(float), seen[i].Bytes - seen[i - 1].Bytes);
            Assert.Equal(seen[0].Uploads, seen[i].Uploads);
        }
        Assert.All(result.FinalRecentMean, m => Assert.True(m > 0, $"recent mean {m}: CartPole episodes return ≥ 1"));
        Assert.NotNull(result.Policy);
        Assert.All(result.Policy!.Net.Parameters, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void RefusesOtherBackendsAndContinuousActions() => AssertRefusesOtherBackendsAndContinuousActions("PPO", run => DevicePpo.Train(Config(run)));

    /// <summary>The device loop (<paramref name="train"/>) refuses the cpu backend and continuous actions, naming the algorithm (<paramref name="label"/>).</summary>
    internal static void AssertRefusesOtherBackendsAndContinuousActions(string label, Func<RunSettings, TrainResult> train)
    {
        var cpu = Assert.Throws<ArgumentException>(() => train(Run(Backend.Cpu)));
        Assert.Contains($"Device {label} runs on the gpu or gpu-cpu backend", cpu.Message);
        var continuous = Assert.Throws<ArgumentException>(() => train(Run(Backend.GpuCpuAccelerator, "Pendulum-v1")));
        Assert.Contains($"Device {label} (--backend gpu, gpu-cpu) samples discrete actions", continuous.Message);
    }
}
