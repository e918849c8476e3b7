using BenchmarkDotNet.Attributes;
using RlKernels.Algorithms.Tabular;

namespace RlKernels.Bench;

/// <summary>
/// One synchronous float32 Q-iteration sweep over a random sparse MDP (A = 4 actions, K = 8 next states
/// per (s, a)): <see cref="SlicedQIteration.Sweep"/> (AVX2 gathers, all cores) against
/// <see cref="SlicedQIteration.SweepScalar"/> (one thread, plain loop, the baseline). Transitions per
/// sweep = S·A·K; <c>rlk bench qiter</c> reports the same sweeps in transitions/s and GB/s.
/// </summary>
public class QIterationSweepBenchmarks
{
    [Params(10_000, 1_000_000)]
    public int States { get; set; }

    private SlicedQIteration _fast = null!, _scalar = null!;

    [GlobalSetup]
    public void Setup()
    {
        var model = SlicedMdp.Random(States, 4, 8, seed: 20240611);
        _fast = new SlicedQIteration(model, 0.99);
        _scalar = new SlicedQIteration(model, 0.99, threads: 1);
        // CHECK: both kernels give the same Q after a few sweeps (same float32 sums, same slot order).
        for (int i = 0; i < 3; i++)
        {
            float rf = _fast.Sweep(), rs = _scalar.SweepScalar();
            if (MathF.Abs(rf - rs) > 1e-5f * (1 + MathF.Abs(rs)))
                throw new InvalidOperationException($"Residuals differ: fast {rf}, scalar {rs}.");
        }
        double[] qf = _fast.Q(), qs = _scalar.Q();
        for (int i = 0; i < qf.Length; i++)
            if (Math.Abs(qf[i] - qs[i]) > 1e-5 * (1 + Math.Abs(qs[i])))
                throw new InvalidOperationException($"Q[{i}] differs: fast {qf[i]}, scalar {qs[i]}.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fast.Dispose();
        _scalar.Dispose();
    }

    [Benchmark(Baseline = true)]
    public float Scalar() => _scalar.SweepScalar();

    [Benchmark]
    public float Fast() => _fast.Sweep();
}
