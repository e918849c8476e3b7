using RlKernels.Algorithms.Deep;
using RlKernels.Envs.Registry;
using RlKernels.Tests.Kernels;
using Xunit;

namespace RlKernels.Tests.Algorithms;

/// <summary>The replay ring: wrap-around, uniform sampling (chi-squared), per-member seeds, size checks, s′ on truncation.</summary>
public class ReplayBufferTests(ITestOutputHelper log)
{
    // Adds one vector step of N rows per member; row (p, i) of step t carries the value 1000p + 10t + i everywhere.
    private static void AddStep(ReplayBuffer buffer, int n, int t, bool truncateAll = false)
    {
        int pop = buffer.Population, o = buffer.ObsSize;
        // The step's columns [P, N, ...]; s′ here is the observation after auto-reset, the final one apart.
        var step = new TransitionColumns(pop * n, o, actionWidth: 1, discrete: true);
        var final = new float[pop * n * o];
        for (int p = 0; p < pop; p++)
            for (int i = 0; i < n; i++)
            {
                int e = p * n + i;
                float v = 1000 * p + 10 * t + i;
                step.Observations.AsSpan(e * o, o).Fill(v);
                step.NextObservations.AsSpan(e * o, o).Fill(v + 0.25f);
                final.AsSpan(e * o, o).Fill(v + 0.5f);
                step.DiscreteActions[e] = (int)v;
                step.Rewards[e] = v;
                step.Terminated[e] = i % 3 == 1;
                step.Truncated[e] = truncateAll;
            }
        buffer.Add(step.Observations, step.DiscreteActions, default, step.Rewards, step.Terminated, step.Truncated, step.NextObservations, final, n);
    }

    [Fact]
    public void TheRingWrapsAroundKeepingTheLatestTransitions()
    {
        var buffer = new ReplayBuffer(population: 2, capacity: 5, obsSize: 3, actionWidth: 1, discrete: true);
        for (int t = 0; t < 4; t++) AddStep(buffer, n: 2, t); // 8 transitions into 5 slots per member
        Assert.Equal(5, buffer.Count);
        Assert.Equal(8 % 5, buffer.Head);
        for (int p = 0; p < 2; p++)
            for (int k = 0; k < 8; k++)
            {
                int t = k / 2, i = k % 2, slot = p * 5 + k % 5;
                float v = 1000 * p + 10 * t + i;
                if (k < 3) continue; // overwritten by transitions 5..7
                Assert.Equal(v, buffer.Rewards[slot]);
                Assert.Equal((int)v, buffer.DiscreteActions[slot]);
                Assert.Equal(v, buffer.Observations[slot * 3 + 2]);
                Assert.Equal(i % 3 == 1 ? v + 0.5f : v + 0.25f, buffer.NextObservations[slot * 3]); // s′: final where ended
                Assert.Equal(i % 3 == 1, buffer.Terminated[slot]);
            }
        // Every slot of member 1 came from member 1: members never mix.
        for (int s = 5; s < 10; s++) Assert.True(buffer.Rewards[s] >= 1000);
    }

    [Fact]
    public void SamplingIsUniformOverTheHeldTransitionsByChiSquared()
    {
        int seed = KernelAssert.FreshSeed();
        const int capacity = 64, held = 50, batch = 50, rounds = 2000; // 100 000 draws over 50 cells
        var buffer = new ReplayBuffer(population: 2, capacity, obsSize: 1, actionWidth: 1, discrete: true);
        for (int t = 0; t < held; t++) AddStep(buffer, n: 1, t);
        Assert.Equal(held, buffer.Count);
        var slots = new int[2 * batch];
        var counts = new long[2, held];
        for (uint r = 0; r < rounds; r++)
        {
            buffer.SampleSlots(batch, p => (ulong)seed * 7919 + (ulong)p, r, slots);
            for (int j = 0; j < slots.Length; j++)
            {
                int p = j / batch, i = slots[j] - p * capacity;
                Assert.InRange(i, 0, held - 1); // never an empty slot, never the other member's
                counts[p, i]++;
            }
        }
        // χ² with 49 degrees of freedom; the bound is its 1 − 1e-9 quantile (Wilson–Hilferty, z = 6.1): a correct
        // sampler fails it about once in 10⁹ runs.
        int df = held - 1;
        double a = 2.0 / (9 * df), bound = df * Math.Pow(1 - a + 6.1 * Math.Sqrt(a), 3);
        for (int p = 0; p < 2; p++)
        {
            double expected = (double)batch * rounds / held, chi2 = 0;
            for (int i = 0; i < held; i++) chi2 += (counts[p, i] - expected) * (counts[p, i] - expected) / expected;
            log.WriteLine($"member {p}: chi² = {chi2:F1} (df {df}, bound {bound:F1}), seed {seed}");
            Assert.True(chi2 < bound, $"member {p}: chi² {chi2:F1} ≥ {bound:F1} (seed {seed})");
        }
    }

    [Fact]
    public void SamplingDependsOnlyOnTheMemberSeedAndRound()
    {
        var buffer = new ReplayBuffer(population: 2, capacity: 100, obsSize: 1, actionWidth: 1, discrete: true);
        for (int t = 0; t < 100; t++) AddStep(buffer, n: 1, t);
        var a = new int[2 * 64];
        var b = new int[2 * 64];
        buffer.SampleSlots(64, p => p == 0 ? 5UL : 9UL, 3, a);
        buffer.SampleSlots(64, p => p == 0 ? 5UL : 9UL, 3, b);
        Assert.Equal(a, b);
        buffer.SampleSlots(64, p => 5UL, 3, b); // member 1 now has member 0's seed: same rows, offset by its block
        Assert.Equal(a.AsSpan(0, 64).ToArray(), b.AsSpan(0, 64).ToArray());
        Assert.Equal(a.AsSpan(0, 64).ToArray().Select(s => s + 100), b.AsSpan(64, 64).ToArray());
        buffer.SampleSlots(64, p => p == 0 ? 5UL : 9UL, 4, b);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void ABatchLargerThanTheBufferIsRefused()
    {
        var buffer = new ReplayBuffer(population: 1, capacity: 8, obsSize: 2, actionWidth: 1, discrete: true);
        Assert.Contains("larger than the replay buffer", Assert.Throws<ArgumentException>(() => new ReplayBatch(buffer, 9)).Message);
        for (int t = 0; t < 3; t++) AddStep(buffer, n: 1, t);
        var e = Assert.Throws<ArgumentException>(() => buffer.SampleSlots(4, _ => 1, 0, new int[4]));
        Assert.Contains("larger than the 3 transitions", e.Message);
        Assert.Throws<ArgumentException>(() => buffer.SampleSlots(0, _ => 1, 0, []));
    }

    [Fact]
    public void ABufferLargerThanMemoryIsRefusedBeforeAllocating()
    {
        var e = Assert.Throws<ArgumentException>(() => new ReplayBuffer(population: 4, capacity: int.MaxValue, obsSize: 100_000, actionWidth: 1, discrete: true));
        Assert.Contains("replay buffer", e.Message);
        Assert.Contains("Use a smaller buffer", e.Message);
        Assert.Throws<ArgumentException>(() => new ReplayBuffer(1, 0, 3, 1, true));
        Assert.Equal(2L * 10 * (8 * 3 + 4 + 4 + 2), ReplayBuffer.EstimateBytes(2, 10, 3, 1, discrete: true));
        Assert.Equal(1L * 10 * (8 * 3 + 4 * 2 + 4 + 2), ReplayBuffer.EstimateBytes(1, 10, 3, 2, discrete: false));
    }

    [Fact]
    public void ATruncatedStepStoresTheFinalObservationAsNextState()
    {
        // Pendulum never terminates; its time limit truncates every copy at step 200, and the same-step autoreset
        // puts the next episode's first observation in Observations: s′ must be the final one.
        using var env = EnvRegistry.Make("Pendulum-v1", 2, new RlKernels.Envs.Runner.VectorEnvOptions { Seed = 3 });
        var buffer = new ReplayBuffer(population: 1, capacity: 512, obsSize: 3, actionWidth: 1, discrete: false);
        var actions = new float[2];
        var obs = new float[6];
        for (int t = 0; t < 200; t++)
        {
            env.Observations.CopyTo(obs);
            actions[0] = 0.5f; actions[1] = -1f;
            env.Step(actions);
            buffer.Add(obs, default, actions, env, 2);
        }
        Assert.True(env.Truncated[0] && env.Truncated[1] && !env.Terminated[0]);
        for (int i = 0; i < 2; i++)
        {
            int slot = 199 * 2 + i;
            Assert.True(buffer.Truncated[slot] && !buffer.Terminated[slot]);
            Assert.Equal(env.FinalObservations.Slice(i * 3, 3).ToArray(), buffer.NextObservations.AsSpan(slot * 3, 3).ToArray());
            Assert.NotEqual(env.Observations.Slice(i * 3, 3).ToArray(), buffer.NextObservations.AsSpan(slot * 3, 3).ToArray());
            Assert.Equal(actions[i], buffer.Actions[slot]);
            // Inside the episode s′ of step t is s of step t + 1.
            Assert.Equal(buffer.Observations.AsSpan((198 * 2 + 2 + i) * 3, 3).ToArray(), buffer.NextObservations.AsSpan((198 * 2 + i) * 3, 3).ToArray());
        }
    }
}
