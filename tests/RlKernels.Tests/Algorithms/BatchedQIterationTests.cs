using RlKernels.Algorithms.Tabular;
using RlKernels.Envs.Tabular;
using RlKernels.Tests.Kernels;

namespace RlKernels.Tests.Algorithms;

/// <summary>The batched solver at one <paramref name="precision"/>; results within |ref − x| ≤ <paramref name="tol"/>·(1 + |ref|).</summary>
public abstract class BatchedQIterationTests(TabularPrecision precision, double tol)
{
    private BatchedQIterationConfig Config => new() { Precision = precision, Tolerance = 1e-12 };

    private static readonly double[] Gammas = [0.9, 0.99, 1.0];

    public static TheoryData<string> Names() => new(TabularCases.Models.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void GammaBatch_MatchesReference(string name)
    {
        var model = TabularCases.Model(name);
        var batch = BatchedQIteration.SolveGammas(model, Gammas, Config);
        for (int b = 0; b < Gammas.Length; b++)
        {
            var member = batch.Member(b);
            Assert.True(member.Converged, $"{name} γ={Gammas[b]}: residual {member.Residual} after {member.Iterations}");
            var reference = TabularCases.ReferenceQ(name, Gammas[b]);
            KernelAssert.AllClose("Q", reference, member.Q, tol, tol, $"{name} γ={Gammas[b]} {precision}");
            for (int s = 0; s < model.StateCount; s++)
                Assert.True(GreedyPolicy.IsOptimal(reference, model.ActionCount, s, member.Policy[s], 10 * tol),
                    $"{name} γ={Gammas[b]}: action {member.Policy[s]} in state {s} is not optimal");
        }
    }

    [Theory]
    [InlineData("frozen4", "frozen4dry")]
    [InlineData("frozen8", "frozen8dry")]
    [InlineData("cliff", "cliffslip")]
    [InlineData("taxi", "taxirainy")]
    public void ModelBatch_MatchesReference_WithItsOwnGammaPerMember(string first, string second)
    {
        // 11 members (not a multiple of any lane width), alternating models and discounts.
        var names = Enumerable.Range(0, 11).Select(i => i % 2 == 0 ? first : second).ToArray();
        var gammas = Enumerable.Range(0, 11).Select(i => Gammas[i % 3]).ToArray();
        var batch = BatchedQIteration.SolveModels(names.Select(TabularCases.Model).ToArray(), gammas, Config);
        for (int b = 0; b < names.Length; b++)
        {
            var member = batch.Member(b);
            Assert.True(member.Converged, $"member {b} ({names[b]} γ={gammas[b]}): residual {member.Residual}");
            KernelAssert.AllClose("Q", TabularCases.ReferenceQ(names[b], gammas[b]), member.Q, tol, tol, $"member {b} {names[b]} γ={gammas[b]}");
        }
    }

    [Fact]
    public void ChainWalk_IsTheLecturesTable()
    {
        var member = BatchedQIteration.SolveGammas(TabularModels.ChainWalkModel(), [1.0], Config).Member(0);
        KernelAssert.AllClose("Q", [-14, -13, -14, -12, -13, -11, -12, -1, 0, 0], member.Q, tol, tol);
        Assert.Equal([1, 1, 1, 1], member.Policy[..4]);
    }

    [Fact]
    public void NonConvergence_IsReportedPerMember()
    {
        // Member 1 is a costly loop at γ = 1: it never converges; member 0 does.
        var loop = TabularMdp.FromTransitions(1, 1, [new(0, 0, 1, 0, -1, false)], [1.0]);
        var batch = BatchedQIteration.SolveGammas(loop, [0.5, 1.0], Config with { MaxIterations = 2000 });
        Assert.True(batch.Converged[0]);
        Assert.False(batch.Converged[1]);
        Assert.Equal(2000, batch.Iterations[1]);
    }

    [Fact]
    public void BadInput_IsRejected()
    {
        var chain = TabularModels.ChainWalkModel();
        Assert.Throws<ArgumentException>(() => BatchedQIteration.SolveGammas(chain, [0.9, 1.5], Config));
        Assert.Throws<ArgumentException>(() => BatchedQIteration.SolveGammas(chain, [double.NaN], Config));
        Assert.Throws<ArgumentException>(() => BatchedQIteration.SolveGammas(chain, [], Config));
        Assert.Throws<ArgumentException>(() => BatchedQIteration.SolveModels([chain, TabularCases.Model("frozen4")], [0.9], Config));
        Assert.Throws<ArgumentException>(() => BatchedQIteration.SolveModels([chain, chain], [0.9, 0.9, 0.9], Config));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ManyModels_InTiles_MatchOneByOne(int threads)
    {
        // 21 random models with their own γ: several tiles of W members each, and a partial last tile.
        var models = Enumerable.Range(0, 21).Select(m => SlicedMdp.RandomModel(23, 3, 4, (ulong)(100 + m))).ToArray();
        var gammas = Enumerable.Range(0, 21).Select(m => 0.5 + 0.02 * m).ToArray();
        var batch = BatchedQIteration.SolveModels(models, gammas, Config with { Threads = threads });
        for (int b = 0; b < models.Length; b++)
        {
            var member = batch.Member(b);
            Assert.True(member.Converged, $"member {b}: residual {member.Residual}");
            Assert.Equal(gammas[b], member.Gamma);
            var single = QIteration.Solve(models[b], new QIterationConfig { Gamma = gammas[b], Tolerance = 1e-12 });
            KernelAssert.AllClose("Q", single.Q, member.Q, tol, tol, $"member {b} threads={threads} {precision}");
        }
    }
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ManyFrozenLakes_InRefilledLanes_MatchOneByOne(int threads)
    {
        // 45 random 8x8 maps (shared next-state structure: the lane engine) with their own γ: more members than
        // lanes on every worker, so lanes are refilled as members converge at different sweeps.
        var models = RlKernels.Envs.Tabular.RandomFrozenLakeMaps.Models(45, 7);
        var gammas = Enumerable.Range(0, models.Count).Select(m => 0.8 + 0.004 * m).ToArray();
        var batch = BatchedQIteration.SolveModels(models, gammas, Config with { Threads = threads });
        for (int b = 0; b < models.Count; b++)
        {
            var member = batch.Member(b);
            Assert.True(member.Converged, $"member {b}: residual {member.Residual}");
            var single = QIteration.Solve(models[b], new QIterationConfig { Gamma = gammas[b], Tolerance = 1e-12 });
            KernelAssert.AllClose("Q", single.Q, member.Q, tol, tol, $"member {b} threads={threads} {precision}");
            KernelAssert.AllClose("V", single.V, member.V, tol, tol, $"member {b} threads={threads} {precision}");
            if (precision == TabularPrecision.Double)
            {
                Assert.InRange(member.Iterations, single.Iterations - 1, single.Iterations + 1);
                Assert.Equal(single.Policy, member.Policy);
            }
        }
    }

    [Fact]
    public void ModelBatch_NonConvergence_IsReportedPerMember()
    {
        // Same as NonConvergence_IsReportedPerMember, through SolveModels (one γ per model).
        var loop = TabularMdp.FromTransitions(1, 1, [new(0, 0, 1, 0, -1, false)], [1.0]);
        var batch = BatchedQIteration.SolveModels([loop, loop, loop], [0.5, 1.0, 0.9], Config with { MaxIterations = 2000 });
        Assert.True(batch.Converged[0]);
        Assert.False(batch.Converged[1]);
        Assert.Equal(2000, batch.Iterations[1]);
        Assert.True(batch.Converged[2]);
        KernelAssert.AllClose("Q", [-2.0, -10.0], [batch.Q[0], batch.Q[2]], tol, tol);
    }
}

public sealed class BatchedQIterationTests_Double() : BatchedQIterationTests(TabularPrecision.Double, 1e-9);

public sealed class BatchedQIterationTests_Float() : BatchedQIterationTests(TabularPrecision.Float, 1e-4);

/// <summary>
/// The lane engine at every lane width this process accelerates (4, 8, 16: Vector128/256/512), forced with
/// LaneSelection.Use, against Q-iteration one model at a time (float64 and float32).
/// </summary>
public sealed class BatchedQIterationWidthTests
{
    [Theory]
    [InlineData(4, TabularPrecision.Double, 1e-9)]
    [InlineData(4, TabularPrecision.Float, 1e-4)]
    [InlineData(8, TabularPrecision.Double, 1e-9)]
    [InlineData(8, TabularPrecision.Float, 1e-4)]
    [InlineData(16, TabularPrecision.Double, 1e-9)]
    [InlineData(16, TabularPrecision.Float, 1e-4)]
    public void FrozenLakesInLanesOfEveryWidth_MatchOneByOne(int width, TabularPrecision precision, double tol)
    {
        Assert.SkipUnless(RlKernels.Kernels.Lanes.LaneSelection.IsAccelerated(width), $"{width}-float lanes are not accelerated here.");
        // 19 random 8x8 maps: more members than lanes at every width, so lanes are refilled.
        var models = RandomFrozenLakeMaps.Models(19, 11);
        var gammas = Enumerable.Range(0, models.Count).Select(m => 0.8 + 0.01 * m).ToArray();
        TabularBatchSolution batch;
        using (RlKernels.Kernels.Lanes.LaneSelection.Use(width))
            batch = BatchedQIteration.SolveModels(models, gammas, new BatchedQIterationConfig { Precision = precision, Tolerance = 1e-12, Threads = 2 });
        for (int b = 0; b < models.Count; b++)
        {
            var member = batch.Member(b);
            Assert.True(member.Converged, $"width {width} member {b}: residual {member.Residual}");
            var single = QIteration.Solve(models[b], new QIterationConfig { Gamma = gammas[b], Tolerance = 1e-12 });
            KernelAssert.AllClose("Q", single.Q, member.Q, tol, tol, $"width {width} member {b} {precision}");
            if (precision == TabularPrecision.Double) Assert.Equal(single.Policy, member.Policy);
        }
    }
}
