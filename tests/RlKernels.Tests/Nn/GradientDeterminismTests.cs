using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RlKernels.Kernels.Threading;
using RlKernels.Kernels.Nn;
using RlKernels.Tests.Reference;

namespace RlKernels.Tests.Nn;

/// <summary>
/// The batch reductions of <see cref="Mlp.Backward"/> (weight gradients dW = Σ_b dzᵀh, bias gradients Σ_b dz) are
/// summed over slices fixed by the batch, never by the thread count: the same bits for pools of 1, 2, 3 and 5
/// threads, and within float tolerance of the float64 reference. Batches are fresh random sizes that are not
/// multiples of the 64-row chunk, so the last slice ends mid-chunk.
/// </summary>
public class GradientDeterminismTests(ITestOutputHelper output) : NnTest
{
    private static readonly int[] ThreadCounts = [1, 2, 3, 5];

    public static TheoryData<string, int, int> Shapes => new()
    {
        // One layer: the blocked dzᵀh kernel with tails in every direction (19 outputs, 5 inputs).
        { "5,19", 1, 16 },
        // 3 inputs under 33 outputs: the gradient accumulated transposed, [in, out], and transposed back.
        { "3,33", 2, 16 },
        // The benchmark net, one member: many slices per member.
        { "4,64,64,2", 1, 16 },
        // Odd widths through three layers, a population of 3, the narrow-output dot-product kernel.
        { "17,67,7,3", 3, 16 },
        { "5,19", 1, 8 },
        { "4,64,64,2", 1, 8 },
        { "17,67,7,3", 3, 8 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GradientsAreBitIdenticalForAnyThreadCountAndMatchFloat64(string sizeList, int population, int width)
    {
        Assert.SkipUnless(width == 16 ? Vector512.IsHardwareAccelerated : Vector256.IsHardwareAccelerated && Fma.IsSupported,
            $"{width}-float vectors are not accelerated on this CPU.");
        int[] sizes = sizeList.Split(',').Select(int.Parse).ToArray();
        Activation[] acts = MlpReference.Activations(sizes, Activation.Tanh, Activation.Identity);
        // Fresh random batches: several slices (at least 128 rows each) and never a whole number of 64-row chunks.
        foreach (int drawn in _data.Ints(2, 3000))
        {
            int batch = 257 + drawn;
            if (batch % 64 == 0) batch++;
            var (theta, thetaD) = _data.Pair(population * LayoutCount(sizes), 0.5);
            var (x, xD) = _data.Pair(population * batch * sizes[0]);
            var (dY, dYD) = _data.Pair(population * batch * sizes[^1]);
            var (grads0, grads0D) = _data.Pair(theta.Length);

            int[]? referenceBits = null;
            int[]? referenceDx = null;
            foreach (int threads in ThreadCounts)
            {
                using var pool = new WorkerPool(threads);
                var net = new Mlp(sizes, Activation.Tanh, Activation.Identity, population, pool, MlpKernels.Fast, width);
                theta.CopyTo(net.Parameters, 0);
                grads0.CopyTo(net.Gradients, 0);
                var y = new float[population * batch * sizes[^1]];
                var dX = new float[population * batch * sizes[0]];
                net.Forward(x, batch, y);
                net.Backward(dY, dX);
                int[] bits = Array.ConvertAll(net.Gradients, BitConverter.SingleToInt32Bits);
                int[] dxBits = Array.ConvertAll(dX, BitConverter.SingleToInt32Bits);
                if (referenceBits is null)
                {
                    referenceBits = bits;
                    referenceDx = dxBits;
                    double[][] h = MlpReference.Forward(thetaD, net.Layout, sizes, acts, xD, population, batch);
                    var (dTheta, dXRef) = MlpReference.Backward(thetaD, net.Layout, sizes, acts, h, dYD, population, batch);
                    _data.Close(LinearTests.Add(grads0D, dTheta), net.Gradients, $"gradients (B={batch})");
                    _data.Close(dXRef, dX, $"dX (B={batch})");
                    continue;
                }
                int first = FirstDifference(referenceBits, bits);
                Assert.True(first < 0, $"{sizeList} P={population} B={batch} width {width}: gradient element {first} differs between 1 and {threads} threads (seed {_data.Seed}).");
                Assert.True(FirstDifference(referenceDx!, dxBits) < 0, $"dX differs between 1 and {threads} threads (B={batch}, seed {_data.Seed}).");
            }
            output.WriteLine($"{sizeList} P={population} B={batch} width {width}: identical over {string.Join(", ", ThreadCounts)} threads");
        }
    }

    [Fact]
    public void RepeatedBackwardsAccumulateTheSameBitsForAnyThreadCount()
    {
        // Two backward passes of different batch sizes into the same gradients: the slot buffers are reused
        // and resized, and the sums must still not depend on the pool.
        int[] sizes = [6, 40, 2];
        var (theta, _) = _data.Pair(sizes[1] * sizes[0] + sizes[1] + sizes[2] * sizes[1] + sizes[2], 0.5);
        int[] batches = [1000 + _data.Ints(1, 500)[0] * 2 + 1, 300];
        var inputs = batches.Select(b => (_data.Pair(b * sizes[0]).F, _data.Pair(b * sizes[2]).F)).ToArray();
        float[]? reference = null;
        foreach (int threads in ThreadCounts)
        {
            using var pool = new WorkerPool(threads);
            var net = new Mlp(sizes, Activation.Relu, Activation.Identity, 1, pool);
            theta.CopyTo(net.Parameters, 0);
            for (int i = 0; i < batches.Length; i++)
            {
                net.Forward(inputs[i].Item1, batches[i], new float[batches[i] * sizes[2]]);
                net.Backward(inputs[i].Item2, default);
            }
            if (reference is null) { reference = (float[])net.Gradients.Clone(); continue; }
            Assert.True(FirstDifference(Array.ConvertAll(reference, BitConverter.SingleToInt32Bits), Array.ConvertAll(net.Gradients, BitConverter.SingleToInt32Bits)) < 0,
                $"accumulated gradients differ between 1 and {threads} threads (B = {batches[0]}, {batches[1]}; seed {_data.Seed})");
        }
    }

    private static int LayoutCount(int[] sizes)
    {
        int n = 0;
        for (int l = 0; l + 1 < sizes.Length; l++) n += sizes[l + 1] * sizes[l] + sizes[l + 1];
        return n;
    }

    private static int FirstDifference(int[] a, int[] b)
    {
        for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return i;
        return -1;
    }
}
