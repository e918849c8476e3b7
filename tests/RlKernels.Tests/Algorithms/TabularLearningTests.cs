using RlKernels.Algorithms.Tabular;
using RlKernels.Tests.Kernels;

namespace RlKernels.Tests.Algorithms;

public class TabularLearningTests
{
    private static readonly double[] ChainQStar = [-14, -13, -14, -12, -13, -11, -12, -1, 0, 0];

    [Fact]
    public void QLearning_LearnsChainWalkQStar()
    {
        var result = QLearning.Train(new TabularTdConfig { Gammas = [1.0], Epsilons = [0.3], EnvCount = 64, Steps = 1000 }, seed: 7);
        KernelAssert.AllClose("Q", ChainQStar, result.Table(0), 0.1, 0);
        Assert.Equal([1, 1, 1, 1], result.GreedyPolicy(0)[..4]);
    }

    [Fact]
    public void QLearning_Population_EachMemberLearnsQStarOfItsOwnGamma()
    {
        double[] gammas = [0.5, 0.9, 1.0, 0.99];
        var result = QLearning.Train(new TabularTdConfig
        {
            TableCount = 4, EnvCount = 64, Steps = 1500, Gammas = gammas, LearningRates = [0.1, 0.2, 0.3, 0.5], Epsilons = [0.3, 0.5, 0.3, 0.4],
        }, seed: 3);
        var chain = TabularModels.ChainWalkModel();
        for (int m = 0; m < 4; m++)
            KernelAssert.AllClose($"member {m}", QIteration.Solve(chain, new QIterationConfig { Gamma = gammas[m] }).Q, result.Table(m), 0.1, 0);
    }

    [Fact]
    public void SameSeed_SameResult_DifferentSeed_DifferentResult()
    {
        var config = new TabularTdConfig { EnvCount = 8, Steps = 50, Exploration = Exploration.Softmax, Temperature = 2 };
        Assert.Equal(QLearning.Train(config, 1).Q, QLearning.Train(config, 1).Q);
        Assert.NotEqual(QLearning.Train(config, 1).Q, QLearning.Train(config, 2).Q);
        var sarsa = new TabularTdConfig { EnvCount = 8, Steps = 50 };
        Assert.Equal(TabularSarsa.Train(sarsa, 5).Q, TabularSarsa.Train(sarsa, 5).Q);
    }

    [Fact]
    public void Sarsa_LearnsQPiOfItsBehaviourPolicy()
    {
        const double epsilon = 0.2;
        var result = TabularSarsa.Train(new TabularTdConfig
        {
            Gammas = [1.0], Epsilons = [epsilon], EnvCount = 64, Steps = 20000, LearningRates = [0.01], FinalLearningRateFraction = 0.02,
        }, seed: 11);
        var q = result.Table(0);
        // The behaviour policy: ε-greedy on the learned table.
        var pi = new double[10];
        for (int s = 0; s < 5; s++)
            TabularLearning.BehaviourPolicy(q.AsSpan(2 * s, 2), Exploration.EpsilonGreedy, epsilon, 1, pi.AsSpan(2 * s, 2));
        var qPi = PolicyEvaluation.Evaluate(TabularModels.ChainWalkModel(), pi, new PolicyEvaluationConfig { Gamma = 1 }).Q;
        KernelAssert.AllClose("Q^π", qPi, q, 0.1, 0);
    }

    [Fact]
    public void RMax_FindsTheOptimalChainWalkPolicy()
    {
        var result = RMax.Train(new RMaxConfig { Gamma = 1, KnownThreshold = 1, EnvCount = 4, Steps = 100 }, seed: 1);
        Assert.Equal([1, 1, 1, 1], result.GreedyPolicy(0)[..4]);
        KernelAssert.AllClose("Q", ChainQStar[..8], result.Table(0)[..8], 1e-9, 0);  // state 4 is never acted in: still utopian
    }

    [Fact]
    public void FrozenLakeSlippery_LearnedGreedyPolicy_ReachesTheGoalInAtLeast70Percent()
    {
        var result = QLearning.Train(new TabularTdConfig
        {
            EnvId = "FrozenLake-v1", EnvCount = 256, Steps = 4000, Gammas = [0.99], LearningRates = [0.02], Epsilons = [0.5],
        }, seed: 2024);
        var returns = TabularLearning.EvaluatePolicy("FrozenLake-v1", null, result.GreedyPolicy(0), 10_000, seed: 99);
        double success = returns.Count(r => r > 0) / (double)returns.Length;
        Assert.True(success >= 0.70, $"success rate {success:P1}");
    }

    [Fact]
    public void BadSettings_AreRejected()
    {
        Assert.Throws<ArgumentException>(() => QLearning.Train(new TabularTdConfig { Gammas = [1.5] }, 0));
        Assert.Throws<ArgumentException>(() => QLearning.Train(new TabularTdConfig { TableCount = 3, EnvCount = 8 }, 0));
        Assert.Throws<ArgumentException>(() => QLearning.Train(new TabularTdConfig { TableCount = 2, EnvCount = 8, Gammas = [0.9, 0.9, 0.9] }, 0));
        Assert.Throws<ArgumentException>(() => TabularSarsa.Train(new TabularTdConfig { EnvId = "CartPole-v1" }, 0));
        Assert.Throws<ArgumentException>(() => RMax.Train(new RMaxConfig { Gamma = -1 }, 0));
    }
}
