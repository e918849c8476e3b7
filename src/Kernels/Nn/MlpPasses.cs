using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RlKernels.Kernels.Drivers;

namespace RlKernels.Kernels.Nn;

// The fast and naive passes of Mlp. Work items are (member p, batch split s); each walks its rows in
// chunks of ChunkRows through every layer so a chunk's activations stay in L1/L2 between layers.
public sealed unsafe partial class Mlp
{
    /// <summary>Rows per chunk: 64 rows × 64 features × 4 bytes = 16 KiB per activation tile.</summary>
    private const int ChunkRows = 64;

    private static float* Ptr(float[] array) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));

    private float* WeightPtr(int layer, int member) => Ptr(Parameters) + Layout.MemberOffset(2 * layer, member);
    private float* BiasPtr(int layer, int member) => Ptr(Parameters) + Layout.MemberOffset(2 * layer + 1, member);
    private float* TransposedPtr(int layer, int member) => Ptr(_transposed) + _transposedOffset[layer] + (long)member * _sizes[layer] * _sizes[layer + 1];

    private (int Member, int Start, int End) Item(int item, int batch, int splits)
    {
        int p = item / splits, s = item % splits;
        return (p, (int)((long)batch * s / splits), (int)((long)batch * (s + 1) / splits));
    }

    private sealed class TransposeJob(Mlp net) : IRangeJob
    {
        public void Run(int start, int end)
        {
            for (int p = start; p < end; p++)
                for (int l = 0; l < net.LayerCount; l++)
                    MatMul.Transpose(net.WeightPtr(l, p), net._sizes[l + 1], net._sizes[l], net.TransposedPtr(l, p));
        }
    }

    private sealed class ForwardJob(Mlp net) : IRangeJob
    {
        private float* _x, _y;
        private int _batch, _splits;

        public void Set(float* x, float* y, int batch, int splits) { _x = x; _y = y; _batch = batch; _splits = splits; }

        public void Run(int start, int end)
        {
            int[] sizes = net._sizes;
            int layers = net.LayerCount;
            for (int item = start; item < end; item++)
            {
                var (p, r0, r1) = net.Item(item, _batch, _splits);
                for (int r = r0; r < r1; r += ChunkRows)
                {
                    int rows = Math.Min(ChunkRows, r1 - r);
                    long rowBase = (long)p * _batch + r;
                    Buffer.MemoryCopy(_x + rowBase * sizes[0], Ptr(net._acts[0]) + rowBase * sizes[0], (long)rows * sizes[0] * 4, (long)rows * sizes[0] * 4);
                    for (int l = 0; l < layers; l++)
                    {
                        int inSize = sizes[l], outSize = sizes[l + 1];
                        MatMul.RowsTimesMatrix(Ptr(net._acts[l]) + rowBase * inSize, inSize, net.TransposedPtr(l, p), net.WeightPtr(l, p),
                            rows, inSize, outSize, Ptr(net._acts[l + 1]) + rowBase * outSize, outSize,
                            new BiasActivationEpilogue(net.BiasPtr(l, p), net._activations[l]), net.VectorWidth);
                    }
                    int top = sizes[layers];
                    Buffer.MemoryCopy(Ptr(net._acts[layers]) + rowBase * top, _y + rowBase * top, (long)rows * top * 4, (long)rows * top * 4);
                }
            }
        }
    }

    private sealed class BackwardJob(Mlp net) : IRangeJob
    {
        private float* _dY, _dX;
        private int _batch, _splits;

        public void Set(float* dY, float* dX, int batch, int splits) { _dY = dY; _dX = dX; _batch = batch; _splits = splits; }

        public void Run(int start, int end)
        {
            int[] sizes = net._sizes;
            int layers = net.LayerCount;
            ParameterLayout layout = net.Layout;
            for (int item = start; item < end; item++)
            {
                var (p, r0, r1) = net.Item(item, _batch, _splits);
                float* work = Ptr(net._work) + (long)(item % _splits) * layout.TotalCount;
                for (int t = 0; t < layout.TensorCount; t++)
                    new Span<float>(work + layout.MemberOffset(t, p), layout.MemberSize(t)).Clear();
                for (int r = r0; r < r1; r += ChunkRows)
                {
                    int rows = Math.Min(ChunkRows, r1 - r);
                    long rowBase = (long)p * _batch + r;
                    int top = sizes[layers];
                    float* dz = _dY + rowBase * top;
                    Activation outAct = net._activations[layers - 1];
                    if (outAct != Activation.Identity)
                    {
                        // Output activation gradient: a short elementwise pass (heads are narrow).
                        float* h = Ptr(net._acts[layers]) + rowBase * top;
                        float* d = Ptr(net._deltas[layers]) + rowBase * top;
                        var grad = new ActivationGradEpilogue(h, top, outAct);
                        for (int i = 0; i < rows; i++)
                            for (int j = 0; j < top; j++) d[i * top + j] = grad.Apply(dz[i * top + j], i, j);
                        dz = d;
                    }
                    for (int l = layers - 1; l >= 0; l--)
                    {
                        int inSize = sizes[l], outSize = sizes[l + 1];
                        float* hIn = Ptr(net._acts[l]) + rowBase * inSize;
                        float* gW = work + layout.MemberOffset(2 * l, p);
                        if (net.GradientTransposed(l)) MatMul.TransposeATimesB(hIn, inSize, dz, outSize, rows, inSize, outSize, gW, net.VectorWidth);
                        else MatMul.TransposeATimesB(dz, outSize, hIn, inSize, rows, outSize, inSize, gW, net.VectorWidth);
                        MatMul.ColumnSums(dz, outSize, rows, outSize, work + layout.MemberOffset(2 * l + 1, p), net.VectorWidth);
                        if (l > 0)
                        {
                            float* dPrev = Ptr(net._deltas[l]) + rowBase * inSize;
                            MatMul.RowsTimesMatrix(dz, outSize, net.WeightPtr(l, p), net.TransposedPtr(l, p), rows, outSize, inSize,
                                dPrev, inSize, new ActivationGradEpilogue(hIn, inSize, net._activations[l - 1]), net.VectorWidth);
                            dz = dPrev;
                        }
                        else if (_dX != null)
                        {
                            float* dx = _dX + rowBase * inSize;
                            MatMul.RowsTimesMatrix(dz, outSize, net.WeightPtr(l, p), net.TransposedPtr(l, p), rows, outSize, inSize,
                                dx, inSize, new AccumulateEpilogue(dx, inSize), net.VectorWidth);
                        }
                    }
                }
                if (_splits == 1) net.ReduceMember(p, 1);
            }
        }
    }

    private sealed class ReduceJob(Mlp net) : IRangeJob
    {
        private int _splits;
        public void Set(int splits) => _splits = splits;
        public void Run(int start, int end)
        {
            for (int p = start; p < end; p++) net.ReduceMember(p, _splits);
        }
    }

    /// <summary>Gradients(member p) += Σ_s work[s](member p), transposing the layers accumulated as [in, out].</summary>
    private void ReduceMember(int p, int splits)
    {
        float* grads = Ptr(Gradients);
        for (int t = 0; t < Layout.TensorCount; t++)
        {
            int layer = t / 2, n = Layout.MemberSize(t), offset = Layout.MemberOffset(t, p);
            float* g = grads + offset;
            for (int s = 0; s < splits; s++)
            {
                float* w = Ptr(_work) + (long)s * Layout.TotalCount + offset;
                if (t % 2 == 0 && GradientTransposed(layer))
                {
                    int inSize = _sizes[layer], outSize = _sizes[layer + 1];
                    for (int i = 0; i < inSize; i++)
                        for (int o = 0; o < outSize; o++) g[o * inSize + i] += w[i * outSize + o];
                }
                else
                {
                    for (int i = 0; i < n; i++) g[i] += w[i];
                }
            }
        }
    }

    private void ForwardNaive(ReadOnlySpan<float> x, int batch, Span<float> y)
    {
        x.CopyTo(_acts[0]);
        for (int l = 0; l < LayerCount; l++)
        {
            Span<float> output = _acts[l + 1].AsSpan(0, Population * batch * _sizes[l + 1]);
            Linear.ForwardNaive(_acts[l].AsSpan(0, Population * batch * _sizes[l]), Weight(l), Bias(l), Population, batch, _sizes[l], _sizes[l + 1], output);
            for (int i = 0; i < output.Length; i++)
                output[i] = _activations[l] switch
                {
                    Activation.Tanh => MathF.Tanh(output[i]),
                    Activation.Relu => MathF.Max(output[i], 0f),
                    _ => output[i],
                };
        }
        _acts[LayerCount].AsSpan(0, y.Length).CopyTo(y);
    }

    private void BackwardNaive(ReadOnlySpan<float> dY, int batch, Span<float> dX)
    {
        Span<float> dz = _deltas[LayerCount].AsSpan(0, dY.Length);
        dY.CopyTo(dz);
        ApplyActivationGrad(_acts[LayerCount], _activations[LayerCount - 1], dz);
        for (int l = LayerCount - 1; l >= 0; l--)
        {
            int n = Population * batch * _sizes[l];
            Span<float> dIn = l > 0 ? _deltas[l].AsSpan(0, n) : dX;
            if (l > 0) dIn.Clear();
            Linear.BackwardNaive(_acts[l].AsSpan(0, n), Weight(l), _deltas[l + 1].AsSpan(0, Population * batch * _sizes[l + 1]),
                Population, batch, _sizes[l], _sizes[l + 1], dIn, WeightGradient(l), BiasGradient(l));
            if (l > 0) ApplyActivationGrad(_acts[l], _activations[l - 1], dIn);
        }
    }

    private static void ApplyActivationGrad(float[] h, Activation activation, Span<float> dz)
    {
        for (int i = 0; i < dz.Length; i++)
            dz[i] = activation switch
            {
                Activation.Tanh => dz[i] * (1f - h[i] * h[i]),
                Activation.Relu => h[i] > 0f ? dz[i] : 0f,
                _ => dz[i],
            };
    }
}
