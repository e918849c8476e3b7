using BenchmarkDotNet.Attributes;
using RlKernels.Kernels.Threading;
using RlKernels.Kernels.Nn;

namespace RlKernels.Bench;

/// <summary>
/// One training step (forward, MSE gradient, backward, Adam) of a 4→64→64→2 tanh MLP population, fast
/// kernels on all cores against the naive single-thread loops. FLOPs per sample: 2·Σ in·out forward,
/// twice that backward, 26 880 in all; divide by the reported time per sample for GFLOP/s.
/// </summary>
[MemoryDiagnoser]
public class MlpBenchmarks
{
    private static readonly int[] Sizes = [4, 64, 64, 2];
    private WorkerPool _pool = null!;
    private Mlp _net = null!;
    private Adam _adam = null!;
    private float[] _x = [], _target = [], _y = [], _dY = [], _ones = [];

    /// <summary>(population, batch) pairs from the issue: B ∈ {256, 1024, 4096, 16384} and P = 64 × B = 256.</summary>
    [Params("1x256", "1x1024", "1x4096", "1x16384", "64x256")]
    public string Shape { get; set; } = "1x4096";

    [Params(MlpKernels.Fast, MlpKernels.Naive)]
    public MlpKernels Kernels { get; set; }

    private int Population => int.Parse(Shape.Split('x')[0]);
    private int Batch => int.Parse(Shape.Split('x')[1]);

    [GlobalSetup]
    public void Setup()
    {
        int P = Population, B = Batch;
        _pool = new WorkerPool(Environment.ProcessorCount);
        _net = new Mlp(Sizes, Activation.Tanh, Activation.Identity, P, _pool, Kernels);
        _net.Initialize(1);
        _adam = new Adam(_net.Layout, _pool);
        var random = new System.Random(1);
        _x = Enumerable.Range(0, P * B * Sizes[0]).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray();
        _target = Enumerable.Range(0, P * B * Sizes[^1]).Select(_ => (float)random.NextDouble()).ToArray();
        _y = new float[_target.Length];
        _dY = new float[_target.Length];
        _ones = Enumerable.Repeat(1f, P).ToArray();
        CheckAgainstNaive();
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    /// <summary>Samples per invocation, for BenchmarkDotNet's per-operation time.</summary>
    public int Samples => Population * Batch;

    [Benchmark]
    public void TrainStep()
    {
        int P = Population, B = Batch;
        _net.Forward(_x, B, _y);
        Array.Clear(_dY);
        MseLoss.Backward(_y, _target, _ones, P, B * Sizes[^1], _dY);
        _net.ZeroGradients();
        _net.Backward(_dY, []);
        _adam.Step(_net.Parameters, _net.Gradients);
    }

    /// <summary>Correctness before timing: the fast outputs and gradients match the naive ones.</summary>
    private void CheckAgainstNaive()
    {
        var naive = new Mlp(Sizes, Activation.Tanh, Activation.Identity, Population, null, MlpKernels.Naive);
        _net.Parameters.CopyTo(naive.Parameters, 0);
        var yNaive = new float[_y.Length];
        _net.Forward(_x, Batch, _y);
        naive.Forward(_x, Batch, yNaive);
        for (int i = 0; i < _y.Length; i++)
            if (MathF.Abs(_y[i] - yNaive[i]) > 1e-3f * (1 + MathF.Abs(yNaive[i])))
                throw new InvalidOperationException($"Fast forward differs from naive at {i}: {_y[i]} vs {yNaive[i]}.");
        _net.ZeroGradients();
        naive.ZeroGradients();
        _net.Backward(_target, []);
        naive.Backward(_target, []);
        for (int i = 0; i < _net.Gradients.Length; i++)
            if (MathF.Abs(_net.Gradients[i] - naive.Gradients[i]) > 1e-3f * (1 + MathF.Abs(naive.Gradients[i])))
                throw new InvalidOperationException($"Fast gradient differs from naive at {i}.");
    }
}
