using RlKernels.Algorithms.Tabular;
using RlKernels.Envs.Tabular;

namespace RlKernels.Tests.Tabular;

/// <summary>
/// Tables handed in from outside are checked (a NaN warm start or value table is refused), and a diverged,
/// non-finite Q table still gives a policy instead of an IndexOutOfRangeException.
/// </summary>
public class TabularRobustnessTests
{
    // 2 states × 2 actions; state 1, action 0 terminates.
    private static TabularMdp Model() => TabularMdp.FromTransitions(2, 2,
    [
        new(0, 0, 1.0, 0, -1, false),
        new(0, 1, 1.0, 1, -1, false),
        new(1, 0, 1.0, 1, 0, true),
        new(1, 1, 1.0, 0, -1, false),
    ], [1.0, 0.0]);

    [Theory]
    [InlineData(double.NaN, double.NaN)]
    [InlineData(double.PositiveInfinity, 1.0)]
    [InlineData(double.PositiveInfinity, double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity, double.NegativeInfinity)]
    [InlineData(1.0, double.NaN)]
    public void ANonFiniteQTableStillGivesAPolicy(double q0, double q1)
    {
        // Before: the tie test (best − tol·(1 + |best|)) was NaN for +∞ and NaN rows, no action was "optimal",
        // and TowardTermination indexed an empty set.
        double[] q = [q0, q1, q0, q1];
        int[] policy = GreedyPolicy.TowardTermination(Model(), q);
        Assert.All(policy, a => Assert.InRange(a, 0, 1));
        Assert.All(GreedyPolicy.OptimalActions(q, 2), set => Assert.NotEmpty(set));
        if (q0 == double.PositiveInfinity && q1 == 1.0) Assert.Equal([0, 0], policy);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void ANonFiniteWarmStartIsRefused(double bad)
    {
        var e = Assert.Throws<ArgumentException>(() => PolicyEvaluation.Evaluate(Model(), Bellman.UniformPolicy(2, 2),
            new PolicyEvaluationConfig { DirectMaxStates = 0 }, [0.0, bad]));
        Assert.Contains("initial value holds", e.Message);
        Assert.Contains("at entry 1", e.Message);
        // A finite warm start is fine and converges to the same values as a cold one.
        var warm = PolicyEvaluation.Evaluate(Model(), Bellman.UniformPolicy(2, 2), new PolicyEvaluationConfig { DirectMaxStates = 0 }, [5.0, -5.0]);
        var cold = PolicyEvaluation.Evaluate(Model(), Bellman.UniformPolicy(2, 2), new PolicyEvaluationConfig { DirectMaxStates = 0 });
        Assert.Equal(cold.V[0], warm.V[0], 1e-8);
    }

    [Fact]
    public void ANonFiniteValueTableIsRefusedByKStepGreedy()
    {
        var e = Assert.Throws<ArgumentException>(() => GreedyPolicy.KStep(Model(), 0.9, [double.NaN, 0.0], 2));
        Assert.Contains("value table V holds NaN at entry 0", e.Message);
        Assert.Equal(2, GreedyPolicy.KStep(Model(), 0.9, [0.0, 0.0], 2).Length);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(1e308)]
    public void RMaxRefusesAUtopiaRewardNoModelMayHold(double utopia) =>
        Assert.Contains("UtopiaReward must be finite with |r| ≤", Assert.Throws<ArgumentException>(() =>
            RMax.Train(new RMaxConfig { UtopiaReward = utopia, Steps = 1 }, 1)).Message);
}
