using RlKernels.Algorithms.Deep;
using RlKernels.Kernels.Nn;

namespace RlKernels.Tests.Algorithms;

/// <summary>
/// Training does not depend on the thread count: the same seed and env count with 1, 2 and 3 threads give
/// bit-identical parameters and the same curve (wall-clock seconds aside). The configurations use batches of
/// several gradient slices (128 rows and up), so the chunked reductions are what is being checked.
/// </summary>
public class DeepDeterminismTests(ITestOutputHelper output)
{
    private static readonly int[] ThreadCounts = [1, 2, 3];

    public static TheoryData<string> Algorithms => ["ppo-cartpole", "a2c-cartpole", "ppo-pendulum", "reinforce-cartpole", "reparam-pendulum", "ppo-cartpole-stops"];

    private static TrainResult Train(string name, int threads) => name switch
    {
        // Minibatches of 64·32/4 = 512 rows: four slices each.
        "ppo-cartpole" => Ppo.Train(new PpoConfig { Run = Run("CartPole-v1", 64, 20_000, threads) }),
        // One update per 64·16 = 1024 rows: eight slices.
        "a2c-cartpole" => A2c.Train(new A2cConfig { Run = Run("CartPole-v1", 64, 20_000, threads) }),
        // The Gaussian policy, its log σ and annealing.
        "ppo-pendulum" => Ppo.Train(new PpoConfig
        {
            Run = Run("Pendulum-v1", 16, 16 * 64 * 4, threads), RolloutSteps = 64, Epochs = 2, Minibatches = 2, LearningRate = 1e-3f,
            AnnealLearningRate = true,
        }),
        "reinforce-cartpole" => Reinforce.Train(new ReinforceConfig { Run = Run("CartPole-v1", 16, 16 * 128 * 4, threads), RolloutSteps = 128, Minibatches = 2 }),
        // Backward through the critic into its input (dQ/da), batches of 300 rows.
        "reparam-pendulum" => ReparamActorCritic.Train(new ReparamActorCriticConfig
        {
            Run = Run("Pendulum-v1", 8, 1_600, threads), BatchSize = 300, WarmupSteps = 800, ReplayCapacity = 2_000,
        }),
        // A target low enough to be met: the stopping decision (training returns, then a greedy check) must
        // fall on the same update for every thread count.
        "ppo-cartpole-stops" => Ppo.Train(new PpoConfig
        {
            Run = Run("CartPole-v1", 64, 200_000, threads) with { TargetReturn = 60f, RecentEpisodes = 20, ConfirmEpisodes = 10, ConfirmMargin = 0f },
        }),
        _ => throw new ArgumentException(name),
    };

    private static RunSettings Run(string env, int envs, long steps, int threads) =>
        new() { EnvId = env, EnvCount = envs, TotalSteps = steps, Seed = 3, Threads = threads };

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void TheSameSeedTrainsTheSameNetworkForAnyThreadCount(string name)
    {
        TrainResult[] results = ThreadCounts.Select(t => Train(name, t)).ToArray();
        TrainResult first = results[0];
        output.WriteLine($"{name}: {first.EnvSteps} env steps, solved at step {first.SolvedAtStep?.ToString() ?? "never"}, final mean {first.FinalRecentMean[0]:F2}");
        if (name == "ppo-cartpole-stops")
            Assert.True(first.SolvedAtStep is not null && first.EnvSteps < 200_000, $"the low target should stop the run early (ran {first.EnvSteps} steps)");
        for (int i = 1; i < results.Length; i++)
        {
            TrainResult other = results[i];
            string what = $"{name}, 1 vs {ThreadCounts[i]} threads";
            Assert.Equal(first.EnvSteps, other.EnvSteps);
            Assert.Equal(first.SolvedAtStep, other.SolvedAtStep);
            Assert.Equal(Curve(first), Curve(other));
            Assert.Equal(first.FinalRecentMean, other.FinalRecentMean);
            AssertSameBits(first.Policy!.Net.Parameters, other.Policy!.Net.Parameters, $"{what}: policy");
            AssertSameBits(first.Policy.LogStd, other.Policy.LogStd, $"{what}: log σ");
            if (first.Critic is not null) AssertSameBits(first.Critic.Parameters, other.Critic!.Parameters, $"{what}: critic");
        }
    }

    /// <summary>The curve without its wall-clock column.</summary>
    private static List<(long, int, double, long)> Curve(TrainResult r) =>
        r.Curve.Select(p => (p.EnvSteps, p.Member, p.RecentMeanReturn, p.Episodes)).ToList();

    internal static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R}.");
    }
}
