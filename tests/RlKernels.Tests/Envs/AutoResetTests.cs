using RlKernels.Envs.Runner;

namespace RlKernels.Tests.Envs;

/// <summary>
/// Auto-reset modes and time limits. The three modes are checked against each other: with the same seed
/// and the same per-env actions, same-step, next-step (with its extra reset step) and disabled (with a
/// Reset(mask) right after each end) must tell the same story, because a reset draws from the env's
/// counter RNG at the same counter in every mode.
/// </summary>
public abstract class AutoResetTests(LaneKind lanes)
{
    private const int EnvCount = 40, Steps = 150;

    private IVectorEnv Make(string id, AutoResetMode mode, int? maxEpisodeSteps = null, int envCount = EnvCount) =>
        EnvTestKit.Make(id, lanes, envCount, new VectorEnvOptions { Seed = 77, AutoReset = mode, MaxEpisodeSteps = maxEpisodeSteps });

    private static bool InResetDistribution(ReadOnlySpan<float> row)
    {
        foreach (float v in row) if (!(v >= -0.05f && v <= 0.05f)) return false;
        return true;
    }

    [Fact]
    public void SameStepExportsFinalObservationAndStartsAFreshEpisode()
    {
        EnvTestKit.SkipUnlessSupported(lanes);
        // Disabled mode + Reset(mask) right after each end is the same-step mode written out by hand:
        // its observation at the end step is what the env reached, and after the reset it continues
        // exactly as the same-step runner does.
        using var same = Make("CartPole-v1", AutoResetMode.SameStep);
        using var manual = Make("CartPole-v1", AutoResetMode.Disabled);
        var actions = new int[EnvCount];
        var mask = new bool[EnvCount];
        var length = new int[EnvCount];
        int episodes = 0;
        for (int t = 0; t < Steps; t++)
        {
            EnvTestKit.FillActions(actions, t, 2);
            same.Step(actions);
            manual.Step(actions);
            Assert.Equal(manual.Terminated.ToArray(), same.Terminated.ToArray());
            Assert.Equal(manual.Truncated.ToArray(), same.Truncated.ToArray());
            Assert.Equal(manual.Rewards.ToArray(), same.Rewards.ToArray());
            for (int i = 0; i < EnvCount; i++)
            {
                length[i]++;
                mask[i] = same.Terminated[i] || same.Truncated[i];
                var sameObs = same.Observations.Slice(i * 4, 4);
                var manualObs = manual.Observations.Slice(i * 4, 4);
                if (!mask[i])
                {
                    Assert.True(sameObs.SequenceEqual(manualObs), $"env {i} step {t}: observations differ");
                    continue;
                }
                episodes++;
                Assert.True(same.FinalObservations.Slice(i * 4, 4).SequenceEqual(manualObs), $"env {i} step {t}: final observation is not what the env reached");
                Assert.True(same.Terminated[i], $"env {i}: CartPole ends by termination only within {Steps} steps");
                Assert.True(InResetDistribution(sameObs), $"env {i} step {t}: observation after auto-reset is not a reset observation");
                Assert.False(InResetDistribution(manualObs), $"env {i} step {t}: a terminal observation inside the reset box");
                Assert.Equal(length[i], same.EpisodeLengths[i]);
                Assert.Equal(length[i], same.EpisodeReturns[i]); // reward +1 per step
                Assert.Equal(length[i], manual.EpisodeLengths[i]);
                Assert.Equal(length[i], manual.EpisodeReturns[i]);
                length[i] = 0;
            }
            if (mask.Any(m => m))
            {
                manual.Reset(mask);
                for (int i = 0; i < EnvCount; i++)
                    if (mask[i])
                        Assert.True(same.Observations.Slice(i * 4, 4).SequenceEqual(manual.Observations.Slice(i * 4, 4)),
                            $"env {i} step {t}: Reset(mask) and same-step auto-reset draw different initial states");
            }
        }
        Assert.True(episodes > 2 * EnvCount, $"only {episodes} episodes ended");
    }

    /// <summary>
    /// Every completed episode's return is the sum of the rewards its steps gave and its length their count, whichever
    /// way the runner keeps it: a running sum, or for an env whose reward never changes (CartPole +1, MountainCar −1,
    /// <c>IEnv.ConstantReward</c>) that reward times the length. Time limits are short so every env ends episodes.
    /// </summary>
    [Theory]
    [InlineData("CartPole-v1", 500, AutoResetMode.SameStep)]
    [InlineData("CartPole-v1", 500, AutoResetMode.NextStep)]
    [InlineData("MountainCar-v0", 23, AutoResetMode.SameStep)]
    [InlineData("MountainCar-v0", 23, AutoResetMode.NextStep)]
    [InlineData("MountainCarContinuous-v0", 29, AutoResetMode.SameStep)]
    [InlineData("Acrobot-v1", 31, AutoResetMode.SameStep)]
    [InlineData("Pendulum-v1", 27, AutoResetMode.NextStep)]
    [InlineData("FrozenLake-v1", 100, AutoResetMode.SameStep)]
    public void EpisodeReturnsAreTheSumOfTheirRewards(string id, int maxEpisodeSteps, AutoResetMode mode)
    {
        EnvTestKit.SkipUnlessSupported(lanes);
        const int envs = 37; // a partial last lane value at every width
        using var env = EnvTestKit.Make(id, lanes, envs, new VectorEnvOptions { Seed = 5, AutoReset = mode, MaxEpisodeSteps = maxEpisodeSteps });
        var sum = new double[envs];
        var length = new int[envs];
        var resetsNext = new bool[envs];
        int episodes = 0;
        for (int t = 0; t < 160; t++)
        {
            env.StepRandom(1);
            for (int i = 0; i < envs; i++)
            {
                if (resetsNext[i])
                {
                    // Next-step mode: this step only reset the env (reward 0, no end).
                    resetsNext[i] = false;
                    Assert.True(env.Rewards[i] == 0 && !env.Terminated[i] && !env.Truncated[i], $"{id} env {i} step {t}: the reset step");
                    continue;
                }
                sum[i] += env.Rewards[i];
                length[i]++;
                if (!env.Terminated[i] && !env.Truncated[i]) continue;
                episodes++;
                string where = $"{id} {mode} env {i} step {t}";
                Assert.True(env.EpisodeLengths[i] == length[i], $"{where}: length {env.EpisodeLengths[i]}, {length[i]} steps counted");
                Assert.True(Math.Abs(env.EpisodeReturns[i] - sum[i]) <= 1e-4 * Math.Max(1, Math.Abs(sum[i])),
                    $"{where}: return {env.EpisodeReturns[i]}, its rewards sum to {sum[i]}");
                sum[i] = 0;
                length[i] = 0;
                resetsNext[i] = mode == AutoResetMode.NextStep;
            }
        }
        Assert.True(episodes >= envs, $"{id}: only {episodes} episodes ended");
    }

    [Fact]
    public void NextStepResetsOnTheFollowingStepAndIgnoresItsAction()
    {
        EnvTestKit.SkipUnlessSupported(lanes);
        // Env i's own step counter k[i] advances only on real steps, so the next-step runner sees the
        // same action sequence as the same-step one, with one extra reset step after each end. On that
        // step the action given is deliberately the wrong one: it must be ignored.
        using var same = Make("CartPole-v1", AutoResetMode.SameStep);
        var sameRec = EnvTestKit.Run(same, Steps, 0);
        using var next = Make("CartPole-v1", AutoResetMode.NextStep);
        var k = new int[EnvCount];
        var pending = new bool[EnvCount];
        var actions = new int[EnvCount];
        int resets = 0;
        for (int s = 0; s < Steps; s++)
        {
            for (int i = 0; i < EnvCount; i++)
                actions[i] = pending[i] ? 1 - EnvTestKit.ActionOf(i, k[i], 2) : EnvTestKit.ActionOf(i, k[i], 2);
            next.Step(actions);
            for (int i = 0; i < EnvCount; i++)
            {
                var obs = next.Observations.Slice(i * 4, 4);
                if (pending[i])
                {
                    // The reset step: reward 0, no flags, the observation the same-step runner reset to.
                    resets++;
                    Assert.Equal(0f, next.Rewards[i]);
                    Assert.False(next.Terminated[i] || next.Truncated[i], $"env {i} step {s}: flags set on the reset step");
                    Assert.True(obs.SequenceEqual(sameRec.Obs[k[i] - 1].AsSpan(i * 4, 4)), $"env {i} step {s}: reset observation differs from same-step mode's");
                    Assert.True(InResetDistribution(obs));
                    pending[i] = false;
                    continue;
                }
                int t = k[i]++;
                Assert.Equal(sameRec.Rewards[t][i], next.Rewards[i]);
                Assert.Equal(sameRec.Terminated[t][i], next.Terminated[i]);
                Assert.Equal(sameRec.Truncated[t][i], next.Truncated[i]);
                bool ended = sameRec.Ended(t, i);
                var expected = (ended ? sameRec.FinalObs[t] : sameRec.Obs[t]).AsSpan(i * 4, 4);
                Assert.True(obs.SequenceEqual(expected), $"env {i} step {s} (own step {t}): observation differs");
                if (ended)
                {
                    Assert.Equal(sameRec.EpisodeReturns[t][i], next.EpisodeReturns[i]);
                    Assert.Equal(sameRec.EpisodeLengths[t][i], next.EpisodeLengths[i]);
                    pending[i] = true;
                }
            }
        }
        Assert.True(resets > EnvCount, $"only {resets} reset steps");
    }

    [Theory]
    [InlineData(AutoResetMode.SameStep)]
    [InlineData(AutoResetMode.NextStep)]
    public void EveryResetDrawsAFreshInitialState(AutoResetMode mode)
    {
        EnvTestKit.SkipUnlessSupported(lanes);
        // "Reset draws fresh randomness every time": no two episodes of any env start alike.
        using var env = Make("CartPole-v1", mode, maxEpisodeSteps: 3, envCount: 20);
        var starts = new HashSet<(float, float, float, float)>();
        int episodes = 0;
        void Collect(int i)
        {
            var o = env.Observations.Slice(i * 4, 4);
            episodes++;
            Assert.True(starts.Add((o[0], o[1], o[2], o[3])), $"env {i}: an initial state drawn twice");
            Assert.True(InResetDistribution(o));
        }
        for (int i = 0; i < 20; i++) Collect(i);
        var pending = new bool[20];
        for (int t = 0; t < 40; t++)
        {
            env.StepRandom(1);
            for (int i = 0; i < 20; i++)
            {
                if (mode == AutoResetMode.SameStep && (env.Terminated[i] || env.Truncated[i])) Collect(i);
                if (mode == AutoResetMode.NextStep && pending[i]) Collect(i);
                pending[i] = env.Terminated[i] || env.Truncated[i];
            }
        }
        Assert.True(episodes > 200, $"only {episodes} episodes started");
    }

    [Fact]
    public void DisabledRefusesToStepAnEndedEnvAndChangesNothing()
    {
        EnvTestKit.SkipUnlessSupported(lanes);
        using var env = Make("ChainWalk-v0", AutoResetMode.Disabled, envCount: 5);
        // Env 3 goes right (ends at step 4); the others go left and never end.
        int[] actions = [0, 0, 0, 1, 0];
        for (int t = 0; t < 4; t++) env.Step(actions);
        Assert.Equal([false, false, false, true, false], env.Terminated.ToArray());
        Assert.Equal(4f, env.Observations[3]);

        var snapshot = Snapshot.Of(env);
        var e = Assert.Throws<InvalidOperationException>(() => env.Step(actions));
        Assert.Contains("Env 3", e.Message);
        snapshot.AssertUnchanged(env);
        Assert.Throws<InvalidOperationException>(() => env.StepRandom(1));
        snapshot.AssertUnchanged(env);
        Assert.Throws<ArgumentOutOfRangeException>(() => env.StepRandom(2));
        snapshot.AssertUnchanged(env);

        env.Reset([false, false, false, true, false]);
        Assert.Equal([0f, 0f, 0f, 0f, 0f], env.Observations.ToArray());
        env.Step([1, 1, 1, 1, 1]);
        Assert.Equal([1f, 1f, 1f, 1f, 1f], env.Observations.ToArray());
        Assert.All(env.Rewards.ToArray(), r => Assert.Equal(-1f, r));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(0)] // no limit: 250 steps pass ChainWalk's own (100)
    public void ATimeLimitTruncatesWithoutTerminatingAndZeroMeansNone(int limit)
    {
        EnvTestKit.SkipUnlessSupported(lanes);
        using var env = Make("ChainWalk-v0", AutoResetMode.SameStep, maxEpisodeSteps: limit, envCount: 3);
        var left = new int[3]; // left from the start never terminates
        for (int t = 1; t <= (limit > 0 ? 3 * limit : 250); t++)
        {
            env.Step(left);
            bool truncated = limit > 0 && t % limit == 0;
            Assert.All(env.Terminated.ToArray(), Assert.False);
            Assert.All(env.Truncated.ToArray(), x => Assert.Equal(truncated, x));
            if (!truncated) continue;
            Assert.All(env.EpisodeLengths.ToArray(), n => Assert.Equal(limit, n));
            Assert.All(env.EpisodeReturns.ToArray(), r => Assert.Equal((float)-limit, r));
            Assert.All(env.FinalObservations.ToArray(), x => Assert.Equal(0f, x));
        }
    }

    [Fact]
    public void TerminationAtTheTimeLimitSetsBothFlags()
    {
        EnvTestKit.SkipUnlessSupported(lanes);
        // Gymnasium's TimeLimit truncates whenever the step count reaches the limit, terminated or not.
        using var env = Make("ChainWalk-v0", AutoResetMode.SameStep, maxEpisodeSteps: 4, envCount: 3);
        int[] right = [1, 1, 1];
        for (int t = 1; t <= 4; t++) env.Step(right);
        Assert.All(env.Terminated.ToArray(), Assert.True);
        Assert.All(env.Truncated.ToArray(), Assert.True);
        Assert.All(env.EpisodeReturns.ToArray(), r => Assert.Equal(-13f, r));
    }

    [Fact]
    public void CartPoleTruncatesAt500()
    {
        EnvTestKit.SkipUnlessSupported(lanes);
        using var env = Make("CartPole-v1", AutoResetMode.SameStep, envCount: 20);
        Assert.Equal(500, env.Spec.MaxEpisodeSteps);
        var actions = new int[20];
        var length = new int[20];
        int truncations = 0;
        for (int t = 0; t < 1100; t++)
        {
            // A balancing controller: push towards where the pole falls, with a little cart centring.
            var obs = env.Observations;
            for (int i = 0; i < 20; i++)
                actions[i] = obs[i * 4 + 2] + 0.5f * obs[i * 4 + 3] + 0.01f * obs[i * 4] + 0.1f * obs[i * 4 + 1] > 0 ? 1 : 0;
            env.Step(actions);
            for (int i = 0; i < 20; i++)
            {
                length[i]++;
                Assert.Equal(length[i] == 500, env.Truncated[i]);
                if (env.Truncated[i])
                {
                    truncations++;
                    Assert.False(env.Terminated[i]);
                    Assert.Equal(500, env.EpisodeLengths[i]);
                    Assert.Equal(500f, env.EpisodeReturns[i]);
                }
                if (env.Terminated[i] || env.Truncated[i]) length[i] = 0;
            }
        }
        Assert.True(truncations >= 20, $"the controller reached the time limit only {truncations} times");
    }
}

public sealed class AutoResetTests_F16() : AutoResetTests(LaneKind.F16);
public sealed class AutoResetTests_F8() : AutoResetTests(LaneKind.F8);
public sealed class AutoResetTests_F4() : AutoResetTests(LaneKind.F4);
public sealed class AutoResetTests_Scalar() : AutoResetTests(LaneKind.F1);
public sealed class AutoResetTests_Double() : AutoResetTests(LaneKind.D1);
