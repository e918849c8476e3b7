using RlKernels.Kernels.Nn;
using RlKernels.Tests.Reference;

namespace RlKernels.Tests.Nn;

public class LinearTests : NnTest
{
    [Fact]
    public void ReferenceBackwardMatchesFiniteDifferences()
    {
        const int P = 2, B = 3, I = 5, O = 7;
        double[] x = _data.Uniform(P * B * I), w = _data.Uniform(P * O * I), b = _data.Uniform(P * O), g = _data.Uniform(P * B * O);
        double Loss() => FiniteDifference.Dot(LinearReference.Forward(x, w, b, P, B, I, O), g);
        var (dX, dW, dB) = LinearReference.Backward(x, w, g, P, B, I, O);
        _data.MatchesFiniteDifferences(x, Loss, dX, "dX");
        _data.MatchesFiniteDifferences(w, Loss, dW, "dW");
        _data.MatchesFiniteDifferences(b, Loss, dB, "dB");
    }

    [Theory]
    [InlineData(1, 37, 5, 3, false)]
    [InlineData(3, 13, 67, 19, false)]
    [InlineData(2, 9, 64, 64, false)]
    [InlineData(1, 7, 4, 2, false)]
    [InlineData(2, 11, 19, 131, false)]
    [InlineData(3, 13, 67, 19, true)]
    [InlineData(1, 7, 4, 2, true)]
    public void KernelsMatchReference(int P, int B, int I, int O, bool naive)
    {
        var (x, xd) = _data.Pair(P * B * I);
        var (w, wd) = _data.Pair(P * O * I);
        var (b, bd) = _data.Pair(P * O);
        var (dY, dYd) = _data.Pair(P * B * O);

        float[] y = NnTestData.Poisoned(P * B * O);
        var kernels = naive ? MlpKernels.Naive : MlpKernels.Fast;
        Linear.Forward(x, w, b, P, B, I, O, y, kernels);
        _data.Close(LinearReference.Forward(xd, wd, bd, P, B, I, O), y, "y");

        // Backward accumulates: start from random values and expect start + gradient.
        var (dX, dX0) = _data.Pair(P * B * I);
        var (dW, dW0) = _data.Pair(P * O * I);
        var (dB, dB0) = _data.Pair(P * O);
        Linear.Backward(x, w, dY, P, B, I, O, dX, dW, dB, kernels);
        var (rX, rW, rB) = LinearReference.Backward(xd, wd, dYd, P, B, I, O);
        _data.Close(Add(dX0, rX), dX, "dX");
        _data.Close(Add(dW0, rW), dW, "dW");
        _data.Close(Add(dB0, rB), dB, "dB");
    }

    /// <summary>The weight transpose every fast forward pass runs (8 × 8 register blocks with AVX, edges element by element) is an exact copy, on fresh odd shapes and on the 8-multiples.</summary>
    [Fact]
    public unsafe void TransposeIsExactOnFreshShapes()
    {
        int[] drawn = _data.Ints(8, 70);
        var shapes = new List<(int Rows, int Cols)> { (64, 64), (8, 8), (16, 24), (1, 1) };
        for (int i = 0; i < drawn.Length; i += 2) shapes.Add((drawn[i] + 1, drawn[i + 1] + 1));
        foreach (var (rows, cols) in shapes)
        {
            float[] src = NnTestData.ToFloat(_data.Uniform(rows * cols));
            float[] dst = NnTestData.Poisoned(rows * cols);
            fixed (float* ps = src, pd = dst) MatMul.Transpose(ps, rows, cols, pd);
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++)
                    Assert.True(dst[j * rows + i] == src[i * cols + j], $"{rows} x {cols}: element ({i}, {j}) (seed {_data.Seed})");
        }
    }

    [Fact]
    public void ShapeMismatchNamesTheParameter()
    {
        var x = new float[2 * 3 * 4];
        var e = Assert.Throws<ArgumentException>(() => Linear.Forward(x, new float[2 * 5 * 4 - 1], new float[10], 2, 3, 4, 5, new float[30]));
        Assert.Equal("weight", e.ParamName);
        Assert.Contains("[P, out, in]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Linear.Backward(x, new float[40], new float[30], 2, 3, 4, 5, [], new float[40], new float[9]));
        Assert.Equal("dBias", e.ParamName);
    }

    internal static double[] Add(double[] a, double[] b) => a.Zip(b, (u, v) => u + v).ToArray();
}
