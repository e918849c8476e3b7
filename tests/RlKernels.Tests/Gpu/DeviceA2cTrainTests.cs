using RlKernels.Algorithms.Deep;
using RlKernels.Algorithms.Device;
using RlKernels.Envs.Runner;
using static RlKernels.Tests.Gpu.DevicePpoTrainTests;

namespace RlKernels.Tests.Gpu;

/// <summary>
/// <see cref="DeviceA2c.Train"/> end to end on ILGPU's CPU accelerator: every iteration copies back only its scalar
/// metrics, the same seed gives the same run, and what the device loop does not run is refused before anything runs.
/// (The command's route and a learning run: <c>DeviceTrainCommandTests</c>.)
/// </summary>
public class DeviceA2cTrainTests
{
    private static A2cConfig Config(RunSettings run) => new() { Run = run, Hidden = [16], RolloutSteps = 16 };

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void EachIterationCopiesBackOnlyItsScalarMetrics() => AssertEachIterationCopiesBackOnlyItsScalarMetrics((run, t) => DeviceA2c.Train(Config(run), t));

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void TheSameSeedGivesTheSameCurveAndNetworks()
    {
        TrainResult Train(ulong seed) => DeviceA2c.Train(Config(new RunSettings
        {
            EnvId = "CartPole-v1", EnvCount = 8, TotalSteps = 8 * 16 * 6, Seed = seed, Backend = Backend.GpuCpuAccelerator,
        }));
        TrainResult a = Train(7), b = Train(7), c = Train(8);
        Assert.Equal("a2c", a.Algorithm);
        Assert.Equal(a.Curve.Select(p => (p.EnvSteps, p.RecentMeanReturn, p.Episodes)), b.Curve.Select(p => (p.EnvSteps, p.RecentMeanReturn, p.Episodes)));
        Assert.Equal(a.Policy!.Net.Parameters, b.Policy!.Net.Parameters);
        Assert.Equal(a.Critic!.Parameters, b.Critic!.Parameters);
        Assert.NotEqual(a.Policy!.Net.Parameters, c.Policy!.Net.Parameters);
    }

    [Fact]
    public void RefusesOtherBackendsAndContinuousActions() => AssertRefusesOtherBackendsAndContinuousActions("A2C", run => DeviceA2c.Train(Config(run)));
}
