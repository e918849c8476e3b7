using System.Runtime.Intrinsics;
using RlKernels.Kernels.Hardware;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Threading;
using RlKernels.Kernels.Nn;
using RlKernels.Tests.Reference;
using Xunit;

namespace RlKernels.Tests.Nn;

/// <summary>
/// Each fast-path width (16, 8, 4 floats: the Vector512/256/128 copies of Nn/NnWidth.template), forced on
/// machines that also have a wider one, so every width this CPU accelerates is tested wherever the suite runs
/// (CI reruns these tests with AVX2 and AVX-512 switched off, where only 4 runs): MLP forward and backward, the
/// fused tanh and the Adam step against float64 references on fresh random inputs (the seed is in every failure).
/// </summary>
public class VectorWidthPathTests : NnTest
{
    public static TheoryData<int> Widths => new() { 4, 8, 16 };

    private static void SkipUnlessAccelerated(int width) =>
        Assert.SkipUnless(LaneSelection.IsAccelerated(width), $"{width}-float vectors are not accelerated in this process.");

    /// <summary>(width, sizes, P, B, hidden, output, threads): two shapes at every width, then each width's own tile edges.</summary>
    public static TheoryData<int, string, int, int, Activation, Activation, int> ForcedWidthCases()
    {
        var cases = new TheoryData<int, string, int, int, Activation, Activation, int>();
        foreach (int width in new[] { 4, 8, 16 })
        {
            cases.Add(width, "5,19,67,3", 3, 37, Activation.Tanh, Activation.Identity, 1);
            cases.Add(width, "4,64,64,2", 5, 130, Activation.Relu, Activation.Tanh, 2);
        }
        cases.Add(4, "4,64,64,2", 1, 301, Activation.Tanh, Activation.Identity, 2);
        cases.Add(4, "17,131,1", 2, 9, Activation.Tanh, Activation.Relu, 2);
        // 4, 8 and 24 outputs reach the one-vector and two-vector tiles; 3 outputs over 24 inputs the dot-product kernel.
        cases.Add(4, "9,8,24,3", 3, 41, Activation.Tanh, Activation.Tanh, 2);
        cases.Add(4, "6,4,33,2", 2, 23, Activation.Relu, Activation.Identity, 2);
        cases.Add(8, "9,8,24,7", 3, 41, Activation.Tanh, Activation.Tanh, 2);
        cases.Add(16, "9,16,80,7", 3, 41, Activation.Tanh, Activation.Tanh, 2);
        return cases;
    }

    [Theory]
    [MemberData(nameof(ForcedWidthCases))]
    public void ForcedWidthMatchesReference(int width, string sizeList, int P, int B, Activation hidden, Activation output, int threads)
    {
        SkipUnlessAccelerated(width);
        Check(width, sizeList.Split(',').Select(int.Parse).ToArray(), P, B, hidden, output, threads);
    }

    /// <summary>Fresh odd shapes every run (sizes drawn from the printed seed), so tile edges and tails move around.</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void ForcedWidthMatchesReferenceOnRandomShapes(int width)
    {
        SkipUnlessAccelerated(width);
        for (int round = 0; round < 3; round++)
        {
            int layers = 2 + _data.Ints(1, 2)[0];
            int[] sizes = new int[layers + 1];
            for (int l = 0; l <= layers; l++) sizes[l] = 1 + _data.Ints(1, 3 * width + 7)[0];
            int P = 1 + _data.Ints(1, 3)[0], B = 3 + _data.Ints(1, 150)[0];
            Activation hidden = _data.Ints(1, 2)[0] == 0 ? Activation.Tanh : Activation.Relu;
            Check(width, sizes, P, B, hidden, Activation.Identity, 2);
        }
    }

    private void Check(int width, int[] sizes, int P, int B, Activation hidden, Activation output, int threads)
    {
        Activation[] acts = MlpReference.Activations(sizes, hidden, output);
        using var pool = new WorkerPool(threads);
        var net = new Mlp(sizes, hidden, output, P, pool, MlpKernels.Fast, vectorWidth: width);
        Assert.Equal(width, net.VectorWidth);
        MlpTests.CheckAgainstReference(_data, net, sizes, acts, P, B);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void ForcedWidthTanhMatchesMathTanh(int width)
    {
        SkipUnlessAccelerated(width);
        // Every length from 0 to 2·16+1 exercises the vector body and the scalar tail.
        for (int n = 0; n <= 33; n++)
        {
            var (x, xd) = _data.Pair(n, 9);
            float[] y = NnTestData.Poisoned(n);
            Activations.TanhForward(x, y, width);
            _data.Close(Array.ConvertAll(xd, Math.Tanh), y, $"tanh n={n}", 1e-5, 0);
        }
        double[] edges = [1e-6, -3e-5, 3.9e-4, 4.1e-4, 1e-3, 0.05, 7.9, 8.5, 30, -30, -7.9, 0.7, -2, 3, -1e-3, 5];
        float[] t = NnTestData.Poisoned(edges.Length);
        Activations.TanhForward(NnTestData.ToFloat(edges), t, width);
        _data.Close(Array.ConvertAll(NnTestData.ToDouble(NnTestData.ToFloat(edges)), Math.Tanh), t, "tanh edge values", 1e-6, 0);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(4)]
    public void NarrowAndWidestAgreeOnTheBenchmarkNet(int width)
    {
        Assert.SkipUnless(LaneSelection.IsAccelerated(width) && LaneSelection.HardwareWidth > width, $"Needs {width}-float vectors and a wider width.");
        int[] sizes = [4, 64, 64, 2];
        using var pool = new WorkerPool(2);
        var wide = new Mlp(sizes, Activation.Tanh, Activation.Identity, 2, pool, MlpKernels.Fast, vectorWidth: LaneSelection.HardwareWidth);
        var narrow = new Mlp(sizes, Activation.Tanh, Activation.Identity, 2, pool, MlpKernels.Fast, vectorWidth: width);
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
        Assert.Throws<ArgumentException>(() => new Mlp([4, 2], Activation.Tanh, Activation.Identity, 1, null, MlpKernels.Fast, vectorWidth: 2));
        if (!Vector512.IsHardwareAccelerated)
            Assert.Throws<PlatformNotSupportedException>(() => new Mlp([4, 2], Activation.Tanh, Activation.Identity, 1, null, MlpKernels.Fast, vectorWidth: 16));
        Assert.Equal(1, new Mlp([4, 2], Activation.Tanh, Activation.Identity, 1, null, MlpKernels.Naive, vectorWidth: Mlp.BestVectorWidth).VectorWidth);
    }

    [Fact]
    public void BestVectorWidthFollowsTheLanes()
    {
        // The MLP takes the lanes' width: where only Vector128 is accelerated (NEON, SSE) that is 4, not the naive kernels.
        Assert.Equal(LaneSelection.BestWidth, Mlp.BestVectorWidth);
        Assert.Equal(Mlp.BestVectorWidth, new Mlp([4, 2], Activation.Tanh, Activation.Identity).VectorWidth);
        if (Environment.GetEnvironmentVariable(LaneSelection.EnvironmentVariable) is null or "")
            Assert.Equal(LaneSelection.HardwareWidth, Mlp.BestVectorWidth);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void FmaPeakMeasuresEveryWidth(int width)
    {
        SkipUnlessAccelerated(width);
        double gflops = FmaPeak.MeasureGflops(threads: 1, width: width, seconds: 0.002, repeats: 1);
        Assert.True(double.IsFinite(gflops) && gflops > 0, $"width {width}: {gflops} GFLOP/s");
        Assert.Throws<ArgumentException>(() => FmaPeak.MeasureGflops(threads: 1, width: 2));
    }

    [Fact]
    public void FmaPeakProbeTimesRunAfterRun()
    {
        using var probe = FmaPeak.Probe.Create(threads: 1, seconds: 0.002);
        double first = probe.TimeRepeat(), second = probe.TimeRepeat();
        Assert.True(double.IsFinite(first) && first > 0 && double.IsFinite(second) && second > 0, $"{first}, {second} GFLOP/s");
        Assert.Throws<ArgumentException>(() => FmaPeak.Probe.Create(threads: -1));
        Assert.Throws<ArgumentException>(() => FmaPeak.Probe.Create(width: 3));
        Assert.Throws<ArgumentException>(() => FmaPeak.Probe.Create(seconds: 0));
        Assert.Throws<ArgumentException>(() => FmaPeak.Probe.Create(seconds: double.NaN));
        Assert.Throws<ArgumentException>(() => FmaPeak.MeasureGflops(repeats: 0));
    }
}
