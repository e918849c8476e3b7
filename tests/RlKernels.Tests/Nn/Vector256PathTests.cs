using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RlKernels.Kernels.Threading;
using RlKernels.Kernels.Nn;
using RlKernels.Tests.Reference;

namespace RlKernels.Tests.Nn;

/// <summary>
/// The AVX2 (Vector256) fast path, forced on machines that also have AVX-512 so it is tested wherever
/// the suite runs: MLP forward and backward and the fused tanh against the float64 reference.
/// </summary>
public class Vector256PathTests
{
    private readonly NnTestData _data = new();

    private static bool Available => Vector256.IsHardwareAccelerated && Fma.IsSupported;

    [Theory]
    [InlineData("5,19,67,3", 3, 37, Activation.Tanh, Activation.Identity, 1)]
    [InlineData("4,64,64,2", 1, 301, Activation.Tanh, Activation.Identity, 2)]
    [InlineData("4,64,64,2", 5, 130, Activation.Relu, Activation.Tanh, 2)]
    [InlineData("17,131,1", 2, 9, Activation.Tanh, Activation.Relu, 2)]
    // 8 and 24 outputs reach the 4×8 tiles; 7 outputs over 24 inputs the dot-product kernel.
    [InlineData("9,8,24,7", 3, 41, Activation.Tanh, Activation.Tanh, 2)]
    public void ForcedVector256MatchesReference(string sizeList, int P, int B, Activation hidden, Activation output, int threads)
    {
        Assert.SkipUnless(Available, "No AVX2 with FMA on this CPU.");
        int[] sizes = sizeList.Split(',').Select(int.Parse).ToArray();
        Activation[] acts = Enumerable.Range(0, sizes.Length - 1).Select(l => l == sizes.Length - 2 ? output : hidden).ToArray();
        using var pool = new WorkerPool(threads);
        var net = new Mlp(sizes, hidden, output, P, pool, MlpKernels.Fast, vectorWidth: 8);
        Assert.Equal(8, net.VectorWidth);
        MlpTests.CheckAgainstReference(_data, net, sizes, acts, P, B);
    }

    [Fact]
    public void ForcedVector256TanhMatchesMathTanh()
    {
        Assert.SkipUnless(Available, "No AVX2 with FMA on this CPU.");
        // Every length from 0 to 3·8+1 exercises the vector body and the scalar tail.
        for (int n = 0; n <= 25; n++)
        {
            var (x, xd) = _data.Pair(n, 9);
            float[] y = NnTestData.Poisoned(n);
            Tanh.Forward(x, y, 8);
            _data.Close(Array.ConvertAll(xd, Math.Tanh), y, $"tanh n={n}", 1e-5, 0);
        }
        double[] edges = [1e-6, -3e-5, 3.9e-4, 4.1e-4, 1e-3, 0.05, 7.9, 8.5, 30, -30, -7.9, 0.7, -2, 3, -1e-3, 5];
        float[] t = NnTestData.Poisoned(edges.Length);
        Tanh.Forward(NnTestData.ToFloat(edges), t, 8);
        _data.Close(Array.ConvertAll(NnTestData.ToDouble(NnTestData.ToFloat(edges)), Math.Tanh), t, "tanh edge values", 1e-6, 0);
    }

    [Fact]
    public void Vector256AndVector512AgreeOnTheBenchmarkNet()
    {
        Assert.SkipUnless(Available && Vector512.IsHardwareAccelerated, "Needs both AVX2 with FMA and AVX-512.");
        int[] sizes = [4, 64, 64, 2];
        using var pool = new WorkerPool(2);
        var wide = new Mlp(sizes, Activation.Tanh, Activation.Identity, 2, pool, MlpKernels.Fast, vectorWidth: 16);
        var narrow = new Mlp(sizes, Activation.Tanh, Activation.Identity, 2, pool, MlpKernels.Fast, vectorWidth: 8);
        wide.Initialize(7);
        wide.Parameters.CopyTo(narrow.Parameters, 0);
        var (x, _) = _data.Pair(2 * 257 * 4);
        float[] yWide = NnTestData.Poisoned(2 * 257 * 2), yNarrow = NnTestData.Poisoned(2 * 257 * 2);
        wide.Forward(x, 257, yWide);
        narrow.Forward(x, 257, yNarrow);
        _data.Close(NnTestData.ToDouble(yWide), yNarrow, "y");
        wide.Backward(yWide, []);
        narrow.Backward(yWide, []);
        _data.Close(NnTestData.ToDouble(wide.Gradients), narrow.Gradients, "gradients");
    }

    [Fact]
    public void UnsupportedWidthIsRejected()
    {
        Assert.Throws<ArgumentException>(() => new Mlp([4, 2], Activation.Tanh, Activation.Identity, 1, null, MlpKernels.Fast, vectorWidth: 4));
        Assert.Equal(1, new Mlp([4, 2], Activation.Tanh, Activation.Identity, 1, null, MlpKernels.Naive, vectorWidth: Mlp.BestVectorWidth).VectorWidth);
    }
}
