using RlKernels.Algorithms.Deep;
using RlKernels.Envs.Registry;
using RlKernels.Kernels.Threading;
using RlKernels.Kernels.Nn;

namespace RlKernels.Tests.Algorithms;

/// <summary>
/// Per-member learning rates and annealing reach every parameter group, the Gaussian policy's log σ included
/// (it used to be stepped at the scalar rate whatever the members' rates or the schedule said).
/// </summary>
public class DeepOptimizerTests(ITestOutputHelper output)
{
    private const int Envs = 8, Rollout = 32, ReinforceRollout = 256, Epochs = 2, Minibatches = 2;

    private static RunSettings Pendulum(long steps, params ulong[] seeds) =>
        new() { EnvId = "Pendulum-v1", EnvCount = Envs, TotalSteps = steps, Seeds = seeds, Threads = 1 };

    /// <summary>Member p's initial policy network, as every algorithm builds it.</summary>
    private static float[] InitialPolicy(RunSettings run, int[] hidden, Activation activation)
    {
        using var env = EnvRegistry.Make(run.EnvId, 1);
        var spec = env.Spec;
        using var pool = new WorkerPool(1);
        return PolicyNet.NewMlp(spec.ObsSize, hidden, spec.Action.Count, activation, run, pool, outputGain: 0.01f).Parameters;
    }

    public static TheoryData<string> GaussianAlgorithms => ["ppo", "a2c", "reinforce"];

    private static TrainResult Train(string algo, RunSettings run, float[] rates, bool anneal = false) => algo switch
    {
        // The scalar rate is deliberately large: a group that fell back to it would move visibly.
        "ppo" => Ppo.Train(new PpoConfig
        {
            Run = run, RolloutSteps = Rollout, Epochs = Epochs, Minibatches = Minibatches, LearningRate = 0.05f, LearningRates = rates,
            AnnealLearningRate = anneal,
        }),
        "a2c" => A2c.Train(new A2cConfig { Run = run, RolloutSteps = Rollout, LearningRate = 0.05f, LearningRates = rates }),
        // REINFORCE learns only from episodes that end inside a rollout: Pendulum's last 200 steps.
        "reinforce" => Reinforce.Train(new ReinforceConfig { Run = run, RolloutSteps = ReinforceRollout, Minibatches = Minibatches, LearningRate = 0.05f, LearningRates = rates }),
        _ => throw new ArgumentException(algo),
    };

    /// <summary>Adam steps each parameter group takes in <paramref name="rollouts"/> rollouts.</summary>
    private static int AdamSteps(string algo, int rollouts) => algo switch
    {
        "ppo" => rollouts * Epochs * Minibatches,
        "a2c" => rollouts,
        _ => rollouts * Minibatches,
    };

    [Theory]
    [MemberData(nameof(GaussianAlgorithms))]
    public void EachMembersLogStdMovesAtItsOwnLearningRate(string algo)
    {
        const int rollouts = 3;
        const float rate = 2e-3f;
        var run = Pendulum(Envs * (algo == "reinforce" ? ReinforceRollout : Rollout) * rollouts, 11, 12);
        var result = Train(algo, run, [rate, 0f]);
        float[] logStd = result.Policy!.LogStd; // [P = 2, 1]
        output.WriteLine($"{algo}: log σ after {AdamSteps(algo, rollouts)} Adam steps: member 0 (lr {rate}) {logStd[0]:R}, member 1 (lr 0) {logStd[1]:R}");

        // Member 1 has rate 0: neither its log σ nor its network may move at all.
        Assert.Equal(0f, logStd[1]);
        float[] initial = InitialPolicy(run, [64, 64], Activation.Tanh);
        ParameterLayout layout = result.Policy.Net.Layout;
        for (int t = 0; t < layout.TensorCount; t++)
            DeepDeterminismTests.AssertSameBits(initial.AsSpan(layout.MemberOffset(t, 1), layout.MemberSize(t)).ToArray(),
                result.Policy.Net.Parameters.AsSpan(layout.MemberOffset(t, 1), layout.MemberSize(t)).ToArray(), $"{algo}: member 1 {layout.Name(t)}");

        // Member 0 moves, by no more than its rate allows: an Adam step is at most lr·(1 − β₁)/√(1 − β₂) ≈ 3.2·lr,
        // where the scalar rate (0.05) would allow 25 times more.
        float moved = Math.Abs(logStd[0]);
        Assert.True(moved > 0f, $"{algo}: member 0's log σ did not move");
        Assert.True(moved <= AdamSteps(algo, rollouts) * 3.2f * rate, $"{algo}: member 0's log σ moved {moved}, more than {AdamSteps(algo, rollouts)} steps at lr {rate} allow");
    }

    [Fact]
    public void AnnealingToZeroFreezesEveryParameterGroup()
    {
        // One rollout that uses the whole budget: the annealed rate of its update is 0·base, so nothing moves.
        var run = Pendulum(Envs * Rollout, 5);
        var result = Train("ppo", run, [0.01f], anneal: true);
        Assert.Equal(0f, result.Policy!.LogStd[0]);
        DeepDeterminismTests.AssertSameBits(InitialPolicy(run, [64, 64], Activation.Tanh), result.Policy.Net.Parameters, "policy");

        // The same run without annealing moves both groups.
        var moving = Train("ppo", run, [0.01f]);
        Assert.NotEqual(0f, moving.Policy!.LogStd[0]);
    }

    [Fact]
    public void AnnealingScalesEveryGroupFromItsOwnBaseRates()
    {
        var net = new Mlp([3, 8, 1], Activation.Tanh, Activation.Identity, population: 2);
        var critic = new Mlp([3, 8, 1], Activation.Tanh, Activation.Identity, population: 2);
        using var pendulum = EnvRegistry.Make("Pendulum-v1", 1);
        using var cartPole = EnvRegistry.Make("CartPole-v1", 1);
        var policy = new PolicyNet(pendulum.Spec, net, 0f);
        using var pool = new WorkerPool(1);
        var optimizers = new Optimizers(pool);
        NetOptimizer actor = optimizers.Add(net, [1e-3f, 4e-3f], maxGradNorm: 0.5f);
        NetOptimizer value = optimizers.Add(critic, [2e-3f, 6e-3f], maxGradNorm: 0.5f);
        LogStdOptimizer logStd = optimizers.AddLogStd(policy, [1e-3f, 4e-3f])!;
        optimizers.Anneal(steps: 250, totalSteps: 1000);
        Close([0.75e-3f, 3e-3f], actor.LearningRate);
        Close([1.5e-3f, 4.5e-3f], value.LearningRate);
        Close([0.75e-3f, 3e-3f], logStd.LearningRate);
        // Past the budget (the last rollout may overshoot it) the rate stays 0, never negative.
        optimizers.Anneal(steps: 1100, totalSteps: 1000);
        Assert.Equal([0f, 0f], logStd.LearningRate.ToArray());
        Assert.Equal([0f, 0f], actor.LearningRate.ToArray());
        Assert.Throws<ArgumentException>(() => optimizers.Add(net, [1e-3f], maxGradNorm: 0));
        Assert.Null(optimizers.AddLogStd(new PolicyNet(cartPole.Spec, new Mlp([4, 2], Activation.Tanh, Activation.Identity), 0f), [1e-3f]));
    }

    private static void Close(float[] expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int p = 0; p < expected.Length; p++) Assert.True(Math.Abs(expected[p] - actual[p]) <= 1e-6f * expected[p], $"member {p}: rate {actual[p]}, expected {expected[p]}");
    }
}
