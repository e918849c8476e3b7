using RlKernels.Algorithms.Tabular;
using RlKernels.Envs.Tabular;
using RlKernels.Tests.Kernels;
using RlKernels.Tests.Reference;
using RlKernels.Tests.Tabular;

namespace RlKernels.Tests.Algorithms;

public class DynamicProgrammingTests
{
    private static readonly double[] LectureL = [-14, -14, -13, -12, 0];
    private static readonly double[] LectureR = [-13, -12, -11, -1, 0];
    private static readonly double[] LectureV = [-13, -12, -11, -1, 0];

    private static void AssertLectureChain(TabularSolution solution)
    {
        Assert.True(solution.Converged, $"{solution.Algorithm} did not converge (residual {solution.Residual})");
        for (int s = 0; s < 5; s++)
        {
            Assert.Equal(LectureL[s], solution.QValue(s, 0));
            Assert.Equal(LectureR[s], solution.QValue(s, 1));
            Assert.Equal(LectureV[s], solution.V[s]);
        }
    }

    [Fact]
    public void ChainWalk_QStar_IsTheLecturesTable_ForEverySolver()
    {
        var chain = TabularModels.ChainWalkModel();
        AssertLectureChain(QIteration.Solve(chain, new QIterationConfig { Gamma = 1 }));
        AssertLectureChain(ValueIteration.Solve(chain, new ValueIterationConfig { Gamma = 1 }));
        var pi = PolicyIteration.Solve(chain, new PolicyIterationConfig { Gamma = 1 });
        AssertLectureChain(pi);
        Assert.Equal([1, 1, 1, 1], pi.Policy[..4]);
    }

    [Fact]
    public void ChainWalk_QPi_OfAlwaysRight_EqualsQStar()
    {
        var chain = TabularModels.ChainWalkModel();
        var alwaysRight = Bellman.OneHotPolicy([1, 1, 1, 1, 1], 2);
        AssertLectureChain(QIteration.Solve(chain, new QIterationConfig { Gamma = 1, Policy = alwaysRight }));
        AssertLectureChain(PolicyEvaluation.Evaluate(chain, alwaysRight, new PolicyEvaluationConfig { Gamma = 1 }));
    }

    [Fact]
    public void ChainWalkModel_IsTheReferenceChain5Csv()
    {
        var csv = TabularMdp.LoadCsv(Path.Combine(TabularTestData.Dir, "chain5.csv"));
        TabularTestData.AssertExactlyEqual(csv, TabularModels.ChainWalkModel());
    }

    [Fact]
    public void TwoStateMdp_MatchesClosedForm()
    {
        // State 0: a0 stays (+1), a1 goes to 1 (0). State 1: a0 stays (+2), a1 goes to 0 (0). γ = 0.9:
        // V(1) = 2/(1−γ) = 20; Q(0,1) = γ·20 = 18 > staying (1/(1−γ) = 10), so V(0) = 18;
        // Q(0,0) = 1 + γ·18 = 17.2; Q(1,1) = γ·18 = 16.2.
        var model = TabularMdp.FromTransitions(2, 2,
        [
            new(0, 0, 1, 0, 1, false), new(0, 1, 1, 1, 0, false),
            new(1, 0, 1, 1, 2, false), new(1, 1, 1, 0, 0, false),
        ], TabularMdp.OneHot(2, 0));
        var solution = QIteration.Solve(model, new QIterationConfig { Gamma = 0.9, Tolerance = 1e-13 });
        KernelAssert.AllClose("Q", [17.2, 18, 20, 16.2], solution.Q, 1e-10, 1e-12);
        Assert.Equal([1, 0], solution.Policy);
    }

    [Theory]
    [MemberData(nameof(TabularCases.All), MemberType = typeof(TabularCases))]
    public void QStar_MatchesReference_AndGreedyActionsAreOptimal(string name, double gamma)
    {
        var model = TabularCases.Model(name);
        double[] reference = TabularCases.ReferenceQ(name, gamma);
        double[] referenceV = QIterationReference.MaxValue(reference, model.ActionCount);
        var solutions = new[]
        {
            QIteration.Solve(model, new QIterationConfig { Gamma = gamma, Tolerance = 1e-12 }),
            ValueIteration.Solve(model, new ValueIterationConfig { Gamma = gamma, Tolerance = 1e-12 }),
            PolicyIteration.Solve(model, new PolicyIterationConfig { Gamma = gamma, Tolerance = 1e-12 }),
        };
        foreach (var solution in solutions)
        {
            Assert.True(solution.Converged, $"{solution.Algorithm} on {name} at γ={gamma}: residual {solution.Residual}");
            KernelAssert.AllClose($"{solution.Algorithm} Q", reference, solution.Q, 1e-9, 1e-9, $"{name} γ={gamma}");
            KernelAssert.AllClose($"{solution.Algorithm} V", referenceV, solution.V, 1e-9, 1e-9, $"{name} γ={gamma}");
            for (int s = 0; s < model.StateCount; s++)
                Assert.True(GreedyPolicy.IsOptimal(reference, model.ActionCount, s, solution.Policy[s], 1e-7),
                    $"{solution.Algorithm} on {name} γ={gamma}: action {solution.Policy[s]} in state {s} is not optimal");
        }
    }

    /// <summary>Case <paramref name="name"/> and its policy-iteration solution at γ = 1.</summary>
    private static (TabularMdp Model, TabularSolution Solution) PolicyIterationAtGammaOne(string name)
    {
        var model = TabularCases.Model(name);
        return (model, PolicyIteration.Solve(model, new PolicyIterationConfig { Gamma = 1 }));
    }

    [Theory]
    [InlineData("frozen4dry")]
    [InlineData("frozen8dry")]
    public void PolicyIteration_AtGammaOne_ReachesTheGoal_DespiteWallTies(string name)
    {
        var (model, solution) = PolicyIterationAtGammaOne(name);
        Assert.True(solution.Converged);
        // Bumping into the wall at the start ties with the best move at γ = 1.
        Assert.True(GreedyPolicy.OptimalActions(solution.Q, 4)[0].Length > 1);
        int goal = model.StateCount - 1;
        foreach (var policy in new[] { solution.Policy, QIteration.Solve(model, new QIterationConfig { Gamma = 1 }).Policy })
        {
            int s = 0;
            for (int step = 0; step < model.StateCount && s != goal; step++)
                s = model.NextState[model.Outcomes(s, policy[s]).Start];
            Assert.Equal(goal, s);
        }
    }

    [Theory]
    [InlineData("frozen4")]
    [InlineData("frozen8")]
    public void PolicyIteration_AtGammaOne_Slippery_PolicyAchievesTheOptimalGoalProbability(string name)
    {
        var (model, solution) = PolicyIterationAtGammaOne(name);
        var own = PolicyEvaluation.Evaluate(model, Bellman.OneHotPolicy(solution.Policy, 4), new PolicyEvaluationConfig { Gamma = 1, Tolerance = 1e-13 });
        double optimal = QIterationReference.MaxValue(TabularCases.ReferenceQ(name, 1.0), 4)[0];
        Assert.Equal(optimal, own.V[0], 1e-8);
        Assert.True(optimal > 0.8);
    }

    [Fact]
    public void NonConvergence_IsReported_NotLoopedForever()
    {
        var chain = TabularModels.ChainWalkModel();
        var alwaysLeft = Bellman.OneHotPolicy([0, 0, 0, 0, 0], 2);
        var q = QIteration.Solve(chain, new QIterationConfig { Gamma = 1, Policy = alwaysLeft, MaxIterations = 500 });
        Assert.False(q.Converged);
        Assert.Equal(500, q.Iterations);
        Assert.Equal(1.0, q.Residual, 1e-9);
        var pe = PolicyEvaluation.Evaluate(chain, alwaysLeft, new PolicyEvaluationConfig { Gamma = 1, MaxIterations = 300 });
        Assert.False(pe.Converged);
        Assert.Equal(300, pe.Iterations);
        // Policy iteration from a policy that never terminates reports it too.
        var pi = PolicyIteration.Solve(chain, new PolicyIterationConfig { Gamma = 1, InitialPolicy = alwaysLeft, MaxEvaluationIterations = 200 });
        Assert.False(pi.Converged);
        // A costly self-loop with nothing else: value iteration at γ = 1 diverges.
        var loop = TabularMdp.FromTransitions(1, 1, [new(0, 0, 1, 0, -1, false)], [1.0]);
        var vi = ValueIteration.Solve(loop, new ValueIterationConfig { Gamma = 1, MaxIterations = 1000 });
        Assert.False(vi.Converged);
        Assert.Equal(1000, vi.Iterations);
    }

    [Fact]
    public void KStepGreedy_FromZero_FindsTheChainsOptimalPolicy_WithEnoughLookahead()
    {
        var chain = TabularModels.ChainWalkModel();
        var zero = new double[5];
        // One step of lookahead sees only the −10: R in state 2 looks worse than L.
        Assert.Equal(0, GreedyPolicy.KStep(chain, 1, zero, 1)[2]);
        Assert.Equal([1, 1, 1, 1], GreedyPolicy.KStep(chain, 1, zero, 20)[..4]);
        var vStar = QIteration.Solve(chain, new QIterationConfig { Gamma = 1 }).V;
        Assert.Equal([1, 1, 1, 1], GreedyPolicy.KStep(chain, 1, vStar, 1)[..4]);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0000001)]
    [InlineData(double.NaN)]
    public void GammaOutsideUnitInterval_IsRejected(double gamma)
    {
        var chain = TabularModels.ChainWalkModel();
        Assert.Throws<ArgumentException>(() => QIteration.Solve(chain, new QIterationConfig { Gamma = gamma }));
        Assert.Throws<ArgumentException>(() => ValueIteration.Solve(chain, new ValueIterationConfig { Gamma = gamma }));
        Assert.Throws<ArgumentException>(() => PolicyIteration.Solve(chain, new PolicyIterationConfig { Gamma = gamma }));
    }

    [Fact]
    public void BadPolicy_IsRejected()
    {
        var chain = TabularModels.ChainWalkModel();
        var bad = Bellman.UniformPolicy(5, 2);
        bad[3] = 0.7;
        Assert.Throws<ArgumentException>(() => QIteration.Solve(chain, new QIterationConfig { Policy = bad }));
        bad[3] = -0.5; bad[2] = 1.5;
        Assert.Throws<ArgumentException>(() => QIteration.Solve(chain, new QIterationConfig { Policy = bad }));
        Assert.Throws<ArgumentException>(() => QIteration.Solve(chain, new QIterationConfig { Policy = new double[3] }));
    }
}
