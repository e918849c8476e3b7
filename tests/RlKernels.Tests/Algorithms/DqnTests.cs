using RlKernels.Algorithms.Deep;
using RlKernels.Envs.Registry;
using RlKernels.Kernels.Nn;
using RlKernels.Kernels.Threading;
using RlKernels.Tests.Kernels;
using Xunit;

namespace RlKernels.Tests.Algorithms;

/// <summary>DQN's pieces against plain computations (targets, double DQN, target network, ε), and a short training run.</summary>
public class DqnTests(ITestOutputHelper log)
{
    [Fact]
    public void TargetsMatchAPlainComputationForDqnAndDoubleDqn()
    {
        int seed = KernelAssert.FreshSeed();
        var rng = new System.Random(seed);
        // Two members of 20 rows, each with its own γ.
        const int rows = 40, k = 3, batch = 20;
        float[] gammas = [0.97f, 0.8f];
        float[] Uniform(int count) => Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
        float[] nextT = Uniform(rows * k), nextO = Uniform(rows * k), rewards = Uniform(rows);
        bool[] term = Enumerable.Range(0, rows).Select(_ => rng.Next(3) == 0).ToArray();
        var y = new float[rows];
        var yDouble = new float[rows];
        Dqn.Targets(nextT, default, rewards, term, batch, k, gammas, y);
        Dqn.Targets(nextT, nextO, rewards, term, batch, k, gammas, yDouble);
        for (int r = 0; r < rows; r++)
        {
            double max = double.NegativeInfinity;
            int chosen = 0;
            for (int c = 0; c < k; c++)
            {
                max = Math.Max(max, nextT[r * k + c]);
                if (nextO[r * k + c] > nextO[r * k + chosen]) chosen = c;
            }
            double gamma = gammas[r / batch];
            double plain = rewards[r] + (term[r] ? 0 : gamma * max);
            double dbl = rewards[r] + (term[r] ? 0 : gamma * nextT[r * k + chosen]);
            Assert.True(Math.Abs(plain - y[r]) < 1e-5, $"row {r}: {y[r]} vs {plain} (seed {seed})");
            Assert.True(Math.Abs(dbl - yDouble[r]) < 1e-5, $"row {r} double: {yDouble[r]} vs {dbl} (seed {seed})");
        }
        // Double DQN differs from DQN wherever the online choice is not the target's arg-max (random Q: most rows).
        Assert.Contains(Enumerable.Range(0, rows), r => !term[r] && y[r] != yDouble[r]);
    }

    [Fact]
    public void ATruncatedTransitionBootstrapsFromItsFinalObservationAndATerminatedOneFromZero()
    {
        // Pendulum's copies are all truncated at step 200: s′ in the buffer is the final observation, so the target
        // is r + γ·max Q̄(s_final); a row marked terminated gets r alone.
        using var env = EnvRegistry.Make("Pendulum-v1", 1, new RlKernels.Envs.Runner.VectorEnvOptions { Seed = 4 });
        var buffer = new ReplayBuffer(1, 256, 3, 1, discrete: false);
        var obs = new float[3];
        var action = new float[1];
        for (int t = 0; t < 200; t++)
        {
            env.Observations.CopyTo(obs);
            env.Step(action);
            buffer.Add(obs, default, action, env, 1);
        }
        using var pool = new WorkerPool(1);
        var q = new Mlp([3, 8, 2], Activation.Tanh, Activation.Identity, 1, pool);
        q.Initialize(11);
        var qFinal = new float[2];
        q.Forward(env.FinalObservations.ToArray(), 1, qFinal);
        var qStored = new float[2];
        q.Forward(buffer.NextObservations.AsSpan(199 * 3, 3), 1, qStored);
        Assert.Equal(qFinal, qStored);
        var y = new float[2];
        float r = buffer.Rewards[199];
        Dqn.Targets([.. qStored, .. qStored], default, [r, r], [false, true], 2, 2, [0.9f], y);
        Assert.Equal(r + 0.9f * Math.Max(qFinal[0], qFinal[1]), y[0], 5);
        Assert.Equal(r, y[1]);
    }

    [Fact]
    public void TargetNetworkUpdatesHardEveryPeriodOrByPolyakAveraging()
    {
        using var pool = new WorkerPool(1);
        var online = new Mlp([3, 5, 2], Activation.Relu, Activation.Identity, 2, pool);
        var target = new Mlp([3, 5, 2], Activation.Relu, Activation.Identity, 2, pool);
        online.Initialize(1);
        target.Initialize(2);
        float[] before = (float[])target.Parameters.Clone();
        Assert.False(TargetNetwork.Update(target, online, tau: 1f, step: 1, period: 3));
        Assert.False(TargetNetwork.Update(target, online, tau: 1f, step: 2, period: 3));
        Assert.Equal(before, target.Parameters);
        Assert.True(TargetNetwork.Update(target, online, tau: 1f, step: 3, period: 3));
        Assert.Equal(online.Parameters, target.Parameters);

        // Polyak: θ̄ ← (1 − τ)θ̄ + τθ every step, against float64.
        target.Initialize(2);
        double[] expected = target.Parameters.Select(v => (double)v).ToArray();
        for (int s = 1; s <= 5; s++)
        {
            online.Initialize((ulong)(10 + s));
            TargetNetwork.Update(target, online, tau: 0.05f, step: s, period: 1000);
            for (int i = 0; i < expected.Length; i++) expected[i] = 0.95 * expected[i] + 0.05 * online.Parameters[i];
        }
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - target.Parameters[i]) < 1e-6, $"element {i}");
        Assert.Throws<ArgumentOutOfRangeException>(() => TargetNetwork.Polyak(target.Parameters, online.Parameters, 0f));
    }

    [Fact]
    public void EpsilonDecaysLinearlyThenStaysFlat()
    {
        Assert.Equal(1f, Dqn.Epsilon(0, 1000, 1f, 0.05f, 0.5f));
        Assert.Equal(0.525f, Dqn.Epsilon(250, 1000, 1f, 0.05f, 0.5f), 5);
        Assert.Equal(0.05f, Dqn.Epsilon(500, 1000, 1f, 0.05f, 0.5f));
        Assert.Equal(0.05f, Dqn.Epsilon(900, 1000, 1f, 0.05f, 0.5f));
    }

    [Fact]
    public void BadConfigsAreRefusedBeforeAnyEnvIsMade()
    {
        Assert.Contains("larger than the replay buffer", Assert.Throws<ArgumentException>(() => Dqn.Train(new DqnConfig { BatchSize = 64, ReplayCapacity = 32 })).Message);
        Assert.Contains("replay buffer", Assert.Throws<ArgumentException>(() => Dqn.Train(new DqnConfig { ReplayCapacity = int.MaxValue, BatchSize = 1, Run = new() { EnvId = "CartPole-v1", Seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9] } })).Message);
        Assert.Throws<ArgumentException>(() => Dqn.Train(new DqnConfig { Tau = 0 }));
        Assert.Contains("discrete", Assert.Throws<ArgumentException>(() => Dqn.Train(new DqnConfig { Run = new() { EnvId = "Pendulum-v1", EnvCount = 2, TotalSteps = 100 } })).Message);
        Assert.Contains("ExplorationHold must be ≥ 1", Assert.Throws<ArgumentException>(() => Dqn.Train(new DqnConfig { ExplorationHold = 0 })).Message);
    }

    [Fact]
    public void HeldExplorationActionsChangeTheRunAndKeepItDeterministic()
    {
        float[] Q(DqnConfig c) => Dqn.Train(c).Policy!.Net.Parameters.ToArray();
        float[] held = Q(Short(false, 3, 2_000) with { ExplorationHold = 25 });
        Assert.NotEqual(Q(Short(false, 3, 2_000)), held);
        Assert.Equal(held, Q(Short(false, 3, 2_000) with { ExplorationHold = 25 }));
        // MountainCar-v0 gets RL Zoo's hyperparameters and held warm-up actions; CartPole keeps DqnConfig's.
        var mc = Dqn.DefaultConfig(new RunSettings { EnvId = "MountainCar-v0" }, DeepOverrides.None, @double: false);
        Assert.Equal((4e-3f, 0.98f, 0.07f, 0.2f), (mc.LearningRate, mc.Gamma, mc.EndEpsilon, mc.ExplorationFraction));
        Assert.True(mc.ExplorationHold > 1);
        var cp = Dqn.DefaultConfig(new RunSettings { EnvId = "CartPole-v1" }, DeepOverrides.None, @double: false);
        var plain = new DqnConfig();
        Assert.Equal((plain.LearningRate, plain.Gamma, plain.ExplorationHold, plain.LearningStarts), (cp.LearningRate, cp.Gamma, cp.ExplorationHold, cp.LearningStarts));
        Assert.Equal(plain.Hidden, cp.Hidden);
    }

    private static DqnConfig Short(bool dbl, ulong seed, long steps) => new()
    {
        Run = new() { EnvId = "CartPole-v1", EnvCount = 4, TotalSteps = steps, Seed = seed, TargetReturn = null, Threads = 1 },
        Double = dbl, LearningStarts = 1_000, ExplorationFraction = 0.3f, UpdatesPerStep = 0.25f, LearningRate = 1e-3f, TargetPeriod = 100,
        Loss = dbl ? QLoss.Huber : QLoss.Mse,
    };

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void AShortDoubleDqnRunLearnsCartPole()
    {
        var result = Dqn.Train(Short(dbl: true, seed: 3, steps: 20_000));
        double greedy = Evaluation.MeanReturns(result.Policy!, 20, 77)[0];
        log.WriteLine($"double-dqn CartPole-v1 20 000 steps seed 3: greedy mean return {greedy:F1}, train mean {result.FinalRecentMean[0]:F1}");
        Assert.True(greedy > 100, $"greedy mean return {greedy:F1} (a random policy gets about 22)");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TrainingIsDeterministicInItsSeed(bool dbl)
    {
        var a = Dqn.Train(Short(dbl, 3, 2_000));
        var b = Dqn.Train(Short(dbl, 3, 2_000));
        Assert.Equal(a.Policy!.Net.Parameters, b.Policy!.Net.Parameters);
        var c = Dqn.Train(Short(dbl, 4, 2_000));
        Assert.NotEqual(a.Policy!.Net.Parameters, c.Policy!.Net.Parameters);
    }
}
