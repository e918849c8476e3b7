using RlKernels.Envs.Runner;

namespace RlKernels.Tests.Envs;

/// <summary>
/// Env i's trajectory depends only on (seed, i): not on batch size, thread count or how random steps are
/// grouped. Bit for bit, within one lane type.
/// </summary>
public abstract class DeterminismTests(LaneKind lanes)
{
    private const int CallerSteps = 40, RandomSteps = 40;

    public static TheoryData<string> Ids => EnvTestKit.Theory(EnvTestKit.DiscreteIds);

    private Recording Record(string id, int envCount, ulong seed, int threads = 1)
    {
        using var env = EnvTestKit.Make(id, lanes, envCount, new VectorEnvOptions { Seed = seed, Threads = threads });
        Assert.Equal(threads, env.ThreadCount);
        return EnvTestKit.Run(env, CallerSteps, RandomSteps);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void SameSeedSameTrajectoryWhateverTheBatchSize(string id)
    {
        EnvTestKit.SkipUnlessSupported(lanes);
        var large = Record(id, 1000, seed: 42);
        Record(id, 1000, seed: 42).AssertSamePerEnv(large, "rerun of 1000 envs");
        foreach (int envCount in new[] { 1, 7, 64 })
            Record(id, envCount, seed: 42).AssertSamePerEnv(large, $"{envCount} envs vs 1000");
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void OneAndTwoThreadsGiveTheSameTrajectories(string id)
    {
        EnvTestKit.SkipUnlessSupported(lanes);
        // The runner splits work only with at least 64 lane values per thread: 16·64·2 = 2048 envs for F16.
        const int envCount = 2100;
        var one = Record(id, envCount, seed: 7, threads: 1);
        var two = Record(id, envCount, seed: 7, threads: 2);
        two.AssertSamePerEnv(one, "2 threads vs 1");
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void DifferentSeedGivesDifferentTrajectory(string id)
    {
        EnvTestKit.SkipUnlessSupported(lanes);
        var a = Record(id, 64, seed: 1);
        var b = Record(id, 64, seed: 2);
        int differing = Enumerable.Range(0, 64).Count(i => a.FirstDifference(i, b, i) is not null);
        // ChainWalk is deterministic under caller actions; its trajectories differ through the random actions.
        Assert.True(differing >= 60, $"only {differing} of 64 envs differ between seeds 1 and 2");
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void StepRandomKEqualsKSingleSteps(string id)
    {
        EnvTestKit.SkipUnlessSupported(lanes);
        using var grouped = EnvTestKit.Make(id, lanes, 37, new VectorEnvOptions { Seed = 5 });
        using var single = EnvTestKit.Make(id, lanes, 37, new VectorEnvOptions { Seed = 5 });
        AssertGroupedStepsAreSingleSteps(grouped, single, steps: 13, rounds: 5, id);
    }

    /// <summary>
    /// <paramref name="rounds"/> times StepRandom(<paramref name="steps"/>) on <paramref name="grouped"/> against as many
    /// StepRandom(1) on <paramref name="single"/> (same env, seed and options): the outputs after each round match. Final
    /// observations and episode statistics of a grouped call are those of its last step only, so they count where the
    /// last step ended an episode.
    /// </summary>
    private static void AssertGroupedStepsAreSingleSteps(IVectorEnv grouped, IVectorEnv single, int steps, int rounds, string what)
    {
        var g = new Recording(grouped);
        var s = new Recording(single);
        for (int round = 0; round < rounds; round++)
        {
            grouped.StepRandom(steps);
            for (int k = 0; k < steps; k++) single.StepRandom(1);
            g.Add(grouped);
            s.Add(single);
        }
        g.AssertSamePerEnv(s, $"{what}: StepRandom({steps}) vs {steps} × StepRandom(1)");
    }

    /// <summary>A frame stack's steps that observe nothing do not load its ring (<see cref="RlKernels.Kernels.Lanes.ILaneReader{T}.Observed"/>);
    /// grouped steps must still give the observations, final observations and flags of single steps, in every
    /// auto-reset mode, with actions stacked and with zero padding.</summary>
    [Theory]
    [InlineData("CartPole-v1", "frame_stack=4", AutoResetMode.SameStep)]
    [InlineData("CartPole-v1", "frame_stack=3,frame_stack_actions=true,frame_stack_padding=zero", AutoResetMode.SameStep)]
    [InlineData("CartPole-v1", "frame_stack=3,frame_stack_actions=true,frame_stack_padding=zero", AutoResetMode.NextStep)]
    [InlineData("Acrobot-v1", "frame_stack=2,frame_stack_actions=true", AutoResetMode.NextStep)]
    public void FrameStackStepRandomKEqualsKSingleSteps(string id, string envArgs, AutoResetMode mode)
    {
        EnvTestKit.SkipUnlessSupported(lanes);
        var options = new VectorEnvOptions { Seed = 11, AutoReset = mode, MaxEpisodeSteps = 20 };
        using var grouped = EnvTestKit.Make(id, lanes, 37, options, envArgs);
        using var single = EnvTestKit.Make(id, lanes, 37, options, envArgs);
        AssertGroupedStepsAreSingleSteps(grouped, single, steps: 7, rounds: 6, $"{id} {envArgs} {mode}");
    }

    [Fact]
    public void ResetWithTheSameSeedReplaysTheTrajectory()
    {
        EnvTestKit.SkipUnlessSupported(lanes);
        using var env = EnvTestKit.Make("CartPole-v1", lanes, 50, new VectorEnvOptions { Seed = 9 });
        var first = EnvTestKit.Run(env, 30, 30);
        env.Reset(9);
        var second = EnvTestKit.Run(env, 30, 30);
        second.AssertSamePerEnv(first, "after Reset(9)");
    }
}

public sealed class DeterminismTests_F16() : DeterminismTests(LaneKind.F16);
public sealed class DeterminismTests_F8() : DeterminismTests(LaneKind.F8);
public sealed class DeterminismTests_F4() : DeterminismTests(LaneKind.F4);
public sealed class DeterminismTests_Scalar() : DeterminismTests(LaneKind.F1);
public sealed class DeterminismTests_Double() : DeterminismTests(LaneKind.D1);
