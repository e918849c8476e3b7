using RlKernels.Algorithms.Tabular;
using RlKernels.Kernels.Gpu;
using RlKernels.Tests.Kernels;
using RlKernels.Tests.Reference;

namespace RlKernels.Tests.Algorithms;

/// <summary>The fast single-γ float32 sweep (CPU SIMD, scalar, ILGPU) against the float64 reference.</summary>
public class SlicedQIterationTests
{
    /// <summary>The float32 tolerance: |ref − x| ≤ 1e-4·(1 + |ref|).</summary>
    private const double Tol = 1e-4;

    [Fact]
    public void RandomSlicedModel_IsTheCompiledRandomTabularModel()
    {
        // S = 37 is not a multiple of 16: the last slice has padding lanes.
        var direct = SlicedMdp.Random(37, 3, 5, seed: 11);
        var compiled = SlicedMdp.FromModel(SlicedMdp.RandomModel(37, 3, 5, seed: 11));
        Assert.Equal(compiled.Next, direct.Next);
        Assert.Equal(compiled.Weight, direct.Weight);
        Assert.Equal(compiled.Reward, direct.Reward);
        Assert.Equal(48, direct.PaddedStateCount);
        Assert.Equal(37L * 3 * 5, direct.TransitionCount);
        Assert.Equal(48L * 3 * 5 * 8 + 48L * 3 * 12 + 48L * 8, direct.BytesPerSweep);
        Assert.Contains(direct.Weight, w => w == 0f);  // some outcomes terminate
    }

    [Theory]
    [InlineData(300, 4, 8, 0.9, 0)]
    [InlineData(300, 4, 8, 0.99, 1)]
    [InlineData(53, 3, 5, 0.95, 2)]
    public void FastSolve_MatchesReference_OnARandomModel(int states, int actions, int outcomes, double gamma, int threads)
    {
        var model = SlicedMdp.RandomModel(states, actions, outcomes, seed: 2024);
        var (expected, _) = QIterationReference.Solve(model, gamma, tolerance: 1e-10);
        var (q, iterations, residual, converged) = SlicedQIteration.Solve(SlicedMdp.Random(states, actions, outcomes, 2024), gamma, threads: threads);
        Assert.True(converged, $"residual {residual} after {iterations} sweeps");
        KernelAssert.AllClose("Q", expected, q, Tol, Tol, $"S={states} γ={gamma} threads={threads}");
    }

    [Theory]
    [InlineData("frozen8")]
    [InlineData("cliffslip")]
    [InlineData("taxirainy")]
    public void FastSolve_MatchesReference_OnToyText(string name)
    {
        // Toy-text lists have 1 to 3 outcomes: the shorter ones are padded with zero-weight slots.
        var model = TabularCases.Model(name);
        var (q, iterations, residual, converged) = SlicedQIteration.Solve(SlicedMdp.FromModel(model), 0.9);
        Assert.True(converged, $"{name}: residual {residual} after {iterations} sweeps");
        KernelAssert.AllClose("Q", TabularCases.ReferenceQ(name, 0.9), q, Tol, Tol, name);
    }

    [Fact]
    public void VectorSweep_EqualsScalarSweep()
    {
        var model = SlicedMdp.Random(1000, 4, 8, seed: 5);
        using var fast = new SlicedQIteration(model, 0.99);
        using var scalar = new SlicedQIteration(model, 0.99, threads: 1);
        for (int sweep = 0; sweep < 5; sweep++)
        {
            float rf = fast.Sweep(), rs = scalar.SweepScalar();
            Assert.Equal(rs, rf, 1e-5f);
        }
        // Same float32 sums in the same slot order; only the FMA contraction may differ.
        KernelAssert.AllClose("Q", scalar.Q(), fast.Q(), 1e-6, 1e-6);
    }

    /// <summary>Both ways of reading V(Next) give the same bits (the same values feed the same sums), and match the scalar sweep.</summary>
    [Fact]
    public void HardwareGatherAndLoads_GiveIdenticalSweeps()
    {
        if (!SlicedQIteration.IsVectorized) Assert.Skip("needs AVX2 and FMA");
        int seed = KernelAssert.FreshSeed();
        var model = SlicedMdp.Random(1013, 3, 5, seed: (ulong)seed);
        using var hardware = new SlicedQIteration(model, 0.97);
        using var loads = new SlicedQIteration(model, 0.97);
        using var measured = new SlicedQIteration(model, 0.97);
        using var scalar = new SlicedQIteration(model, 0.97, threads: 1);
        hardware.UseGather(SlicedQIteration.GatherChoice.Hardware);
        loads.UseGather(SlicedQIteration.GatherChoice.Loads);
        Assert.Equal(SlicedQIteration.GatherChoice.Unmeasured, measured.Gather);
        for (int sweep = 0; sweep < 6; sweep++)
        {
            float rh = hardware.Sweep(), rl = loads.Sweep(), rm = measured.Sweep();
            scalar.SweepScalar();
            Assert.Equal(rh, rl);
            Assert.Equal(rh, rm);
        }
        Assert.Contains(measured.Gather, new[] { SlicedQIteration.GatherChoice.Hardware, SlicedQIteration.GatherChoice.Loads });
        Assert.Equal(hardware.Q(), loads.Q());
        Assert.Equal(hardware.Q(), measured.Q());
        KernelAssert.AllClose("Q", scalar.Q(), loads.Q(), 1e-6, 1e-6, $"seed {seed}");
    }

    [Fact]
    public void GpuKernel_OnCpuAccelerator_MatchesReference()
    {
        var tabular = SlicedMdp.RandomModel(40, 4, 8, seed: 77);
        var (expected, _) = QIterationReference.Solve(tabular, 0.9, tolerance: 1e-10);
        using var device = GpuDevice.Open(GpuDeviceKind.CpuAccelerator);
        using var gpu = new GpuSlicedQIteration(SlicedMdp.FromModel(tabular), 0.9, device);
        var (q, iterations, residual, converged) = gpu.Solve();
        Assert.True(converged, $"residual {residual} after {iterations} sweeps");
        KernelAssert.AllClose("Q", expected, q, Tol, Tol, "ILGPU CPU accelerator");
    }

    [Fact]
    public void BadInput_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => SlicedMdp.Random(0, 4, 8, 1));
        Assert.Throws<ArgumentException>(() => SlicedMdp.Random(-5, 4, 8, 1));
        Assert.Throws<ArgumentException>(() => SlicedMdp.Random(10, 0, 8, 1));
        Assert.Throws<ArgumentException>(() => SlicedMdp.Random(10, 4, 0, 1));
        Assert.Throws<ArgumentException>(() => SlicedMdp.Random(int.MaxValue, 4, 8, 1));
        var model = SlicedMdp.Random(10, 2, 2, 1);
        Assert.Throws<ArgumentException>(() => new SlicedQIteration(model, 1.5));
        Assert.Throws<ArgumentException>(() => new SlicedQIteration(model, double.NaN));
        Assert.Throws<ArgumentException>(() => new SlicedQIteration(model, 0.9, threads: -1));
        Assert.Throws<ArgumentException>(() => SlicedQIteration.Solve(model, 0.9, tolerance: -1));
        Assert.Throws<ArgumentException>(() => SlicedQIteration.Solve(model, 0.9, maxIterations: 0));
    }

    [Fact]
    public void GammaOne_WithoutTermination_IsReportedNotConverged()
    {
        // A one-state self-loop with reward −1 never terminates: at γ = 1 its values run off to −∞.
        var loop = new RlKernels.Envs.Tabular.TabularMdp(1, 1, [0, 1], [0], [1.0], [-1.0], [false], [1.0]);
        var (_, iterations, _, converged) = SlicedQIteration.Solve(SlicedMdp.FromModel(loop), 1.0, maxIterations: 50);
        Assert.False(converged);
        Assert.Equal(50, iterations);
    }
}
