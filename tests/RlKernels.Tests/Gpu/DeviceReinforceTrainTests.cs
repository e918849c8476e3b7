using RlKernels.Algorithms.Deep;
using RlKernels.Algorithms.Device;
using RlKernels.Envs.Runner;
using static RlKernels.Tests.Gpu.DevicePpoTrainTests;

namespace RlKernels.Tests.Gpu;

/// <summary>
/// <see cref="DeviceReinforce.Train"/> end to end on ILGPU's CPU accelerator, with and without a baseline: every iteration
/// copies back only its scalar metrics, the same seed gives the same run, and what the device loop does not run is refused
/// before anything runs. (The command's route and a learning run: <c>DeviceTrainCommandTests</c>.)
/// </summary>
public class DeviceReinforceTrainTests
{
    private static ReinforceConfig Config(RunSettings run, bool baseline = true) => new() { Run = run, Hidden = [16], RolloutSteps = 16, Baseline = baseline };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void EachIterationCopiesBackOnlyItsScalarMetrics(bool baseline) =>
        AssertEachIterationCopiesBackOnlyItsScalarMetrics((run, t) => DeviceReinforce.Train(Config(run, baseline), t));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void TheSameSeedGivesTheSameCurveAndNetworks(bool baseline)
    {
        TrainResult Train(ulong seed) => DeviceReinforce.Train(Config(new RunSettings
        {
            EnvId = "CartPole-v1", EnvCount = 8, TotalSteps = 8 * 16 * 6, Seed = seed, Backend = Backend.GpuCpuAccelerator,
        }, baseline));
        TrainResult a = Train(7), b = Train(7), c = Train(8);
        Assert.Equal(baseline ? "reinforce-baseline" : "reinforce", a.Algorithm);
        Assert.Equal(a.Curve.Select(p => (p.EnvSteps, p.RecentMeanReturn, p.Episodes)), b.Curve.Select(p => (p.EnvSteps, p.RecentMeanReturn, p.Episodes)));
        Assert.Equal(a.Policy!.Net.Parameters, b.Policy!.Net.Parameters);
        if (baseline) Assert.Equal(a.Critic!.Parameters, b.Critic!.Parameters);
        else Assert.Null(a.Critic); // as the CPU's: no baseline, no critic in the result
        Assert.NotEqual(a.Policy!.Net.Parameters, c.Policy!.Net.Parameters);
    }

    [Fact]
    public void RefusesOtherBackendsAndContinuousActions() => AssertRefusesOtherBackendsAndContinuousActions("REINFORCE", run => DeviceReinforce.Train(Config(run)));
}
