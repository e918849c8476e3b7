using RlKernels.Kernels.Threading;
using RlKernels.Kernels.Nn;
using RlKernels.Tests.Reference;

namespace RlKernels.Tests.Nn;

public class MlpTests : NnTest
{
    [Fact]
    public void ReferenceBackwardMatchesFiniteDifferences()
    {
        int[] sizes = [3, 5, 4, 2];
        Activation[] acts = MlpReference.Activations(sizes, Activation.Tanh, Activation.Tanh);
        const int P = 2, B = 3;
        var net = new Mlp(sizes, Activation.Tanh, Activation.Tanh, P);
        double[] theta = _data.Uniform(net.Layout.TotalCount), x = _data.Uniform(P * B * sizes[0]), g = _data.Uniform(P * B * sizes[^1]);
        double Loss() => FiniteDifference.Dot(MlpReference.Forward(theta, net.Layout, sizes, acts, x, P, B)[^1], g);
        var (dTheta, dX) = MlpReference.Backward(theta, net.Layout, sizes, acts, MlpReference.Forward(theta, net.Layout, sizes, acts, x, P, B), g, P, B);
        _data.MatchesFiniteDifferences(theta, Loss, dTheta, "dParams");
        _data.MatchesFiniteDifferences(x, Loss, dX, "dX");
    }

    [Theory]
    [InlineData("5,19,67,3", 3, 37, Activation.Tanh, Activation.Identity, MlpKernels.Fast, 1)]
    [InlineData("5,19,67,3", 3, 37, Activation.Tanh, Activation.Identity, MlpKernels.Fast, 2)]
    [InlineData("4,64,64,2", 1, 301, Activation.Tanh, Activation.Identity, MlpKernels.Fast, 2)]
    [InlineData("4,64,64,2", 5, 130, Activation.Relu, Activation.Tanh, MlpKernels.Fast, 2)]
    [InlineData("17,131,1", 2, 9, Activation.Tanh, Activation.Relu, MlpKernels.Fast, 2)]
    [InlineData("5,19,67,3", 3, 37, Activation.Tanh, Activation.Identity, MlpKernels.Naive, 1)]
    [InlineData("4,64,64,2", 5, 13, Activation.Relu, Activation.Tanh, MlpKernels.Naive, 1)]
    public void KernelsMatchReference(string sizeList, int P, int B, Activation hidden, Activation output, MlpKernels kernels, int threads)
    {
        int[] sizes = sizeList.Split(',').Select(int.Parse).ToArray();
        Activation[] acts = MlpReference.Activations(sizes, hidden, output);
        using var pool = new WorkerPool(threads);
        var net = new Mlp(sizes, hidden, output, P, pool, kernels);
        CheckAgainstReference(_data, net, sizes, acts, P, B);
    }

    /// <summary>
    /// Forward and backward of <paramref name="net"/> against the float64 reference on fresh random inputs,
    /// twice: the second round reuses the buffers of the first with a smaller batch. Outputs start poisoned.
    /// </summary>
    internal static void CheckAgainstReference(NnTestData data, Mlp net, int[] sizes, Activation[] acts, int P, int B)
    {
        foreach (int batch in new[] { B, B - 2 })
        {
            var (theta, thetaD) = data.Pair(net.Layout.TotalCount, 0.5);
            theta.CopyTo(net.Parameters, 0);
            var (x, xD) = data.Pair(P * batch * sizes[0]);
            var (dY, dYD) = data.Pair(P * batch * sizes[^1]);

            float[] y = NnTestData.Poisoned(P * batch * sizes[^1]);
            net.Forward(x, batch, y);
            double[][] h = MlpReference.Forward(thetaD, net.Layout, sizes, acts, xD, P, batch);
            data.Close(h[^1], y, $"y (B={batch})");
            SnapReluKinks(net, acts, h);

            var (grads0, grads0D) = data.Pair(net.Layout.TotalCount);
            grads0.CopyTo(net.Gradients, 0);
            var (dX, dX0) = data.Pair(P * batch * sizes[0]);
            net.Backward(dY, dX);
            var (dTheta, dXRef) = MlpReference.Backward(thetaD, net.Layout, sizes, acts, h, dYD, P, batch);
            data.Close(LinearTests.Add(grads0D, dTheta), net.Gradients, $"gradients (B={batch})");
            data.Close(LinearTests.Add(dX0, dXRef), dX, $"dX (B={batch})");
        }
    }

    /// <summary>
    /// Where a ReLU input lies within float32 rounding of 0, the float kernels and the float64 reference can take
    /// different branches (a kink: both derivatives are right, but they differ by a whole term). There the
    /// reference takes the kernel's output (0 or a value under 1e-4), so both differentiate the same branch; an
    /// output that differs by more is left alone and still fails the comparison.
    /// </summary>
    private static void SnapReluKinks(Mlp net, Activation[] acts, double[][] h)
    {
        for (int l = 1; l < h.Length; l++)
        {
            if (acts[l - 1] != Activation.Relu) continue;
            ReadOnlySpan<float> kernel = net.LayerOutput(l);
            for (int i = 0; i < h[l].Length; i++)
                if ((kernel[i] > 0) != (h[l][i] > 0) && Math.Max(kernel[i], h[l][i]) < 1e-4) h[l][i] = kernel[i];
        }
    }

    [Fact]
    public void NonFiniteValuesAreReportedWithTheTensorName()
    {
        var net = new Mlp([4, 8, 2], Activation.Tanh, Activation.Identity, population: 3);
        net.Initialize(1);
        net.ThrowIfNotFinite();
        net.BiasGradient(1)[2 * 2 + 1] = float.PositiveInfinity;
        var e = Assert.Throws<InvalidOperationException>(net.ThrowIfNotFinite);
        Assert.Contains("layers.1.bias", e.Message);
        Assert.Contains("member 2", e.Message);
    }

    [Fact]
    public void ShapeMismatchesThrow()
    {
        var net = new Mlp([4, 8, 2], Activation.Tanh, Activation.Identity, population: 2);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => net.Forward(new float[2 * 3 * 4 + 1], 3, new float[12])).ParamName);
        Assert.Throws<InvalidOperationException>(() => net.Backward(new float[12], []));
        net.Forward(new float[24], 3, new float[12]);
        Assert.Equal("dY", Assert.Throws<ArgumentException>(() => net.Backward(new float[13], [])).ParamName);
    }

    [Theory]
    [InlineData(InitScheme.Orthogonal)]
    [InlineData(InitScheme.He)]
    [InlineData(InitScheme.Xavier)]
    public void InitializationIsDeterministicPerMember(InitScheme scheme)
    {
        var a = new Mlp([5, 33, 7], Activation.Tanh, Activation.Identity, population: 3);
        var b = new Mlp([5, 33, 7], Activation.Tanh, Activation.Identity, population: 3);
        a.Initialize(11, scheme);
        b.Initialize(11, scheme);
        Assert.Equal(a.Parameters, b.Parameters);
        Assert.NotEqual(a.Weight(0)[..(33 * 5)].ToArray(), a.Weight(0)[(33 * 5)..(2 * 33 * 5)].ToArray());
        b.Initialize(12, scheme);
        Assert.NotEqual(a.Parameters, b.Parameters);
    }

    [Fact]
    public void OrthogonalInitHasOrthonormalRowsOrColumns()
    {
        var net = new Mlp([5, 33, 7], Activation.Tanh, Activation.Identity, population: 2);
        net.Initialize(3, InitScheme.Orthogonal, outputGain: 1f);
        // Layer 0 is [33, 5]: columns orthonormal (·√2 gain). Layer 1 is [7, 33]: rows orthonormal.
        CheckGram(net.Weight(0)[(33 * 5)..].ToArray(), 33, 5, byColumns: true, 2.0);
        CheckGram(net.Weight(1)[..(7 * 33)].ToArray(), 7, 33, byColumns: false, 1.0);

        static void CheckGram(float[] w, int rows, int cols, bool byColumns, double gainSquared)
        {
            int count = byColumns ? cols : rows, length = byColumns ? rows : cols;
            for (int u = 0; u < count; u++)
                for (int v = 0; v < count; v++)
                {
                    double dot = 0;
                    for (int e = 0; e < length; e++)
                        dot += byColumns ? (double)w[e * cols + u] * w[e * cols + v] : (double)w[u * cols + e] * w[v * cols + e];
                    Assert.InRange(dot, (u == v ? gainSquared : 0) - 1e-5, (u == v ? gainSquared : 0) + 1e-5);
                }
        }
    }
}
