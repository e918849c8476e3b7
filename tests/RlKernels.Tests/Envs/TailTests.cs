using RlKernels.Envs.Runner;

namespace RlKernels.Tests.Envs;

/// <summary>
/// Every envCount from 1 to 3·16+1 (whole lane values plus partial tails, for F16, F8 and F1) gives the
/// same per-env results as a large batch: padding elements of the last lane value never leak into
/// outputs and never shift another env's random stream.
/// </summary>
public abstract class TailTests(LaneKind lanes)
{
    public static TheoryData<string> Ids => EnvTestKit.Theory(EnvTestKit.DiscreteIds);

    [Theory]
    [MemberData(nameof(Ids))]
    public void EveryEnvCountMatchesALargeBatch(string id)
    {
        EnvTestKit.SkipUnlessSupported(lanes);
        Recording Record(int envCount)
        {
            using var env = EnvTestKit.Make(id, lanes, envCount, new VectorEnvOptions { Seed = 11 });
            var rec = EnvTestKit.Run(env, 25, 25);
            Assert.Equal(envCount, env.Observations.Length / env.Spec.ObsSize);
            Assert.Equal(envCount, env.Rewards.Length);
            return rec;
        }
        var large = Record(200);
        for (int envCount = 1; envCount <= 3 * 16 + 1; envCount++)
            Record(envCount).AssertSamePerEnv(large, $"{envCount} envs vs 200");
    }

    [Theory]
    [InlineData(AutoResetMode.NextStep)]
    [InlineData(AutoResetMode.Disabled)]
    public void PartialLaneValuesWorkInEveryAutoResetMode(AutoResetMode mode)
    {
        EnvTestKit.SkipUnlessSupported(lanes);
        // ChainWalk always-R ends every episode at step 4: padding elements end too and must not make the
        // runner refuse to step (disabled mode) or report episodes of envs that do not exist.
        using var env = EnvTestKit.Make("ChainWalk-v0", lanes, 17, new VectorEnvOptions { AutoReset = mode });
        var right = Enumerable.Repeat(1, 17).ToArray();
        var all = Enumerable.Repeat(true, 17).ToArray();
        for (int episode = 0; episode < 3; episode++)
        {
            for (int t = 0; t < 4; t++) env.Step(right);
            Assert.All(env.Terminated.ToArray(), Assert.True);
            Assert.All(env.EpisodeReturns.ToArray(), r => Assert.Equal(-13f, r));
            if (mode == AutoResetMode.Disabled) env.Reset(all);
            else env.Step(right); // the reset step
        }
    }
}

public sealed class TailTests_F16() : TailTests(LaneKind.F16);
public sealed class TailTests_F8() : TailTests(LaneKind.F8);
public sealed class TailTests_F4() : TailTests(LaneKind.F4);
public sealed class TailTests_Scalar() : TailTests(LaneKind.F1);
