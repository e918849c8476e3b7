using RlKernels.Envs.Runner;

namespace RlKernels.Tests.Envs;

/// <summary>
/// The 5-state chain of the lecture "Scaling up RL": states 1..5 observed as 0..4, start in state 1, L in state 1
/// stays, R in state 3 costs 10, every other action 1, state 5 terminal. Checked on each lane.
/// </summary>
public abstract class ChainWalkTests(LaneKind lanes)
{
    private IVectorEnv Make(int envCount) => EnvTestKit.Make("ChainWalk-v0", lanes, envCount, new VectorEnvOptions { Seed = 1 });

    [Fact]
    public void AlwaysRightReturnsMinus13FromState1()
    {
        EnvTestKit.SkipUnlessSupported(lanes);
        using var env = Make(3);
        Assert.All(env.Observations.ToArray(), x => Assert.Equal(0f, x));
        float[] expectedRewards = [-1, -1, -10, -1];
        float[] expectedStates = [1, 2, 3, 4];
        for (int t = 0; t < 4; t++)
        {
            env.Step([1, 1, 1]);
            Assert.All(env.Rewards.ToArray(), r => Assert.Equal(expectedRewards[t], r));
            Assert.All(env.Terminated.ToArray(), x => Assert.Equal(t == 3, x));
            Assert.All(env.Truncated.ToArray(), Assert.False);
            if (t < 3) Assert.All(env.Observations.ToArray(), x => Assert.Equal(expectedStates[t], x));
        }
        Assert.All(env.FinalObservations.ToArray(), x => Assert.Equal(4f, x));
        Assert.All(env.Observations.ToArray(), x => Assert.Equal(0f, x)); // auto-reset to state 1
        Assert.All(env.EpisodeReturns.ToArray(), r => Assert.Equal(-13f, r));
        Assert.All(env.EpisodeLengths.ToArray(), n => Assert.Equal(4, n));
    }

    [Fact]
    public void LeftInState1StaysAndCostsOne()
    {
        EnvTestKit.SkipUnlessSupported(lanes);
        using var env = Make(2);
        for (int t = 0; t < 10; t++)
        {
            env.Step([0, 0]);
            Assert.Equal([0f, 0f], env.Observations.ToArray());
            Assert.Equal([-1f, -1f], env.Rewards.ToArray());
            Assert.Equal([false, false], env.Terminated.ToArray());
        }
    }

    [Fact]
    public void EveryTransitionMatchesTheTable()
    {
        EnvTestKit.SkipUnlessSupported(lanes);
        // (state, action) -> (next state, reward, terminated), states 0-based; state 4 is never stepped.
        (int S, int A, int Next, float R, bool Done)[] table =
        [
            (0, 0, 0, -1, false), (0, 1, 1, -1, false),
            (1, 0, 0, -1, false), (1, 1, 2, -1, false),
            (2, 0, 1, -1, false), (2, 1, 3, -10, false),
            (3, 0, 2, -1, false), (3, 1, 4, -1, true),
        ];
        // Env i goes right S_i times to reach its state, takes the row's action at step S_i (checked
        // then), and goes left afterwards.
        using var env = Make(table.Length);
        var actions = new int[table.Length];
        for (int t = 0; t <= 3; t++)
        {
            for (int i = 0; i < table.Length; i++) actions[i] = t < table[i].S ? 1 : t == table[i].S ? table[i].A : 0;
            env.Step(actions);
            for (int i = 0; i < table.Length; i++)
            {
                if (t != table[i].S) continue;
                var row = table[i];
                float reached = row.Done ? env.FinalObservations[i] : env.Observations[i];
                Assert.Equal(row.Next, reached);
                Assert.Equal(row.R, env.Rewards[i]);
                Assert.Equal(row.Done, env.Terminated[i]);
            }
        }
    }

    [Fact]
    public void TimeLimitIs100()
    {
        EnvTestKit.SkipUnlessSupported(lanes);
        using var env = Make(2);
        for (int t = 1; t <= 100; t++)
        {
            env.Step([0, 0]);
            Assert.Equal(t == 100, env.Truncated[0]);
        }
        Assert.Equal(-100f, env.EpisodeReturns[0]);
    }
}

public sealed class ChainWalkTests_F16() : ChainWalkTests(LaneKind.F16);
public sealed class ChainWalkTests_F8() : ChainWalkTests(LaneKind.F8);
public sealed class ChainWalkTests_F4() : ChainWalkTests(LaneKind.F4);
public sealed class ChainWalkTests_Scalar() : ChainWalkTests(LaneKind.F1);
public sealed class ChainWalkTests_Double() : ChainWalkTests(LaneKind.D1);
