using RlKernels.Algorithms.Deep;

namespace RlKernels.Tests.Algorithms;

/// <summary>
/// Policy-gradient algorithms train their standard tasks with the defaults of <c>rlk train</c>. One seed each here
/// (the suite must stay fast on two cores); bench/deep-cartpole.sh runs seeds 1–3 of every algorithm.
/// </summary>
public class DeepPolicyGradientTests(ITestOutputHelper output)
{
    private static RunSettings CartPole(string algo, ulong seed)
    {
        var (envs, steps) = DeepAlgorithms.Defaults(algo, "CartPole-v1");
        return new RunSettings { EnvId = "CartPole-v1", EnvCount = envs, TotalSteps = steps, Seed = seed, TargetReturn = 475f };
    }

    [Theory]
    [InlineData("ppo")]
    [InlineData("a2c")]
    [InlineData("reinforce-baseline")]
    public void SolvesCartPole(string algo)
    {
        var result = DeepAlgorithms.Train(algo, CartPole(algo, 1));
        double eval = Evaluation.MeanReturns(result.Policy!, 100, seed: 999)[0];
        output.WriteLine($"{algo}: {result.EnvSteps} env steps, {result.Seconds:F2} s, solved at {result.SolvedAtSeconds:F2} s, eval {eval:F1}");
        Assert.NotNull(result.SolvedAtSeconds);
        Assert.True(eval >= 475, $"{algo}: mean evaluation return {eval:F1} < 475");
    }

    [Theory]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    [InlineData("ppo")]
    [InlineData("reparam-ac")]
    public void GaussianPoliciesSolvePendulum(string algo)
    {
        var (envs, steps) = DeepAlgorithms.Defaults(algo, "Pendulum-v1");
        var result = DeepAlgorithms.Train(algo, new RunSettings
        {
            EnvId = "Pendulum-v1", EnvCount = envs, TotalSteps = steps, Seed = 1, TargetReturn = DeepAlgorithms.TargetReturn("Pendulum-v1"),
        });
        double eval = Evaluation.MeanReturns(result.Policy!, 100, seed: 999)[0];
        output.WriteLine($"{algo} Pendulum: {result.EnvSteps} env steps, {result.Seconds:F2} s, eval {eval:F1}");
        Assert.True(eval >= -250, $"mean evaluation return {eval:F1} < −250");
    }

    private static TrainResult ShortPpo(ulong seed, int threads) => Ppo.Train(new PpoConfig
    {
        Run = new RunSettings { EnvId = "CartPole-v1", EnvCount = 16, TotalSteps = 16 * 32 * 6, Seed = seed, Threads = threads },
    });

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SameSeedGivesTheSameLearningCurveBitForBit(int threads)
    {
        var a = ShortPpo(7, threads);
        var b = ShortPpo(7, threads);
        var c = ShortPpo(8, threads);
        Assert.Equal(a.Curve.Select(p => (p.EnvSteps, p.RecentMeanReturn, p.Episodes)), b.Curve.Select(p => (p.EnvSteps, p.RecentMeanReturn, p.Episodes)));
        Assert.Equal(a.Policy!.Net.Parameters, b.Policy!.Net.Parameters);
        Assert.NotEqual(a.Policy!.Net.Parameters, c.Policy!.Net.Parameters);
    }

    [Theory]
    [InlineData("a2c", "CartPole-v1", 20_000)]
    [InlineData("reinforce-baseline", "CartPole-v1", 80_000)]
    [InlineData("deep-sarsa", "CartPole-v1", 20_000)]
    [InlineData("reparam-ac", "Pendulum-v1", 3_000)]
    public void EveryAlgorithmIsDeterministicInItsSeed(string algo, string env, long steps)
    {
        TrainResult Run(ulong seed) => DeepAlgorithms.Train(algo, new RunSettings { EnvId = env, EnvCount = 16, TotalSteps = steps, Seed = seed, Threads = 2 });
        var a = Run(4);
        var b = Run(4);
        var c = Run(5);
        Assert.Equal(a.Curve.Select(p => p.RecentMeanReturn), b.Curve.Select(p => p.RecentMeanReturn));
        Assert.Equal(a.Policy!.Net.Parameters, b.Policy!.Net.Parameters);
        Assert.NotEqual(a.Policy!.Net.Parameters, c.Policy!.Net.Parameters);
    }

    [Fact]
    public void APopulationTrainsOneMemberPerSeedAndLearningRate()
    {
        var result = Ppo.Train(new PpoConfig
        {
            Run = new RunSettings { EnvId = "CartPole-v1", EnvCount = 16, TotalSteps = 16 * 32 * 4, Seeds = [1, 2, 3] },
            LearningRates = [3e-3f, 1e-3f, 1e-4f],
        });
        Assert.Equal(3, result.Policy!.Net.Population);
        Assert.Equal(3, result.FinalRecentMean.Length);
        Assert.Equal(3 * 4, result.Curve.Count);
        Assert.Throws<ArgumentException>(() => Ppo.Train(new PpoConfig
        {
            Run = new RunSettings { EnvId = "CartPole-v1", EnvCount = 4, TotalSteps = 100, Seeds = [1, 2] },
            LearningRates = [1e-3f],
        }));
    }

    [Fact]
    public void ADivergingRunStopsNamingTheStepAndKeepsTheLastGoodPolicy()
    {
        var e = Assert.Throws<TrainingDivergedException>(() => Ppo.Train(new PpoConfig
        {
            Run = new RunSettings { EnvId = "CartPole-v1", EnvCount = 16, TotalSteps = 200_000 },
            LearningRate = 1e38f, MaxGradNorm = 0, NormalizeAdvantages = false,
        }));
        output.WriteLine(e.Message);
        Assert.True(e.Step > 0);
        Assert.Contains("step", e.Message);
        Assert.NotNull(e.LastGood);
        Assert.All(e.LastGood!.Net.Parameters, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void SavedPolicyLoadsAndActsTheSame()
    {
        var result = ShortPpo(3, 1);
        string path = Path.Combine(Path.GetTempPath(), $"rlk-{Guid.NewGuid():N}.safetensors");
        try
        {
            result.Policy!.Save(path, new Dictionary<string, string> { ["algo"] = "ppo" });
            var loaded = PolicyNet.Load(path, result.Policy.Spec);
            Assert.Equal(result.Policy.Net.Parameters, loaded.Net.Parameters);
            Assert.Equal(Evaluation.MeanReturns(result.Policy, 10, 5), Evaluation.MeanReturns(loaded, 10, 5));
            using var pendulum = RlKernels.Envs.Registry.EnvRegistry.Make("Pendulum-v1", 1);
            Assert.Throws<RlKernels.Kernels.Nn.SafetensorsFormatException>(() => PolicyNet.Load(path, pendulum.Spec));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void EvaluationReportsTheSpreadOfEpisodeReturns()
    {
        var policy = ShortPpo(3, 1).Policy!;
        var (mean, std) = Evaluation.Returns(policy, 10, 5);
        Assert.Equal(Evaluation.MeanReturns(policy, 10, 5), mean);
        Assert.True(std[0] > 0, $"std {std[0]} over 10 episodes of a briefly trained CartPole policy");
        // CartPole returns lie in [1, 500], so their spread is at most half the range.
        Assert.True(std[0] <= 249.5);
        var (oneMean, oneStd) = Evaluation.Returns(policy, 1, 5);
        Assert.Equal(0, oneStd[0]);
        Assert.InRange(oneMean[0], 1, 500);
    }
}
