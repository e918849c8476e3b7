using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RlKernels.Kernels.Threading;

namespace RlKernels.Kernels.Nn;

// The fast and naive passes of Mlp. Forward work items are (member p, batch split s); Backward items are
// (member p, gradient slice s, see Mlp.GradientSlices). Each walks its rows in chunks of ChunkRows through
// every layer so a chunk's activations stay in L1/L2 between layers.
//
// Why the backward pass sums through slots: float addition is not associative, so a gradient summed over
// the batch depends on how the rows are grouped. Grouping by thread would make training depend on the
// thread count. Instead every slice of the batch (fixed by the batch size, not the threads) sums into its
// own zeroed slot, and the reduction adds slot 0, 1, 2, … to the gradients in that order, whichever thread
// computed them: the same bits for any pool.
public sealed unsafe partial class Mlp
{
    /// <summary>Rows per chunk: 64 rows × 64 features × 4 bytes = 16 KiB per activation tile.</summary>
    private const int ChunkRows = 64;
    /// <summary>
    /// Fewest rows per gradient slice (2 chunks). Each slice costs a slot to clear and to add into the
    /// gradients; measured on the 4-64-64-2 benchmark net, 128-row slices keep that within a few percent
    /// while a 256-row batch still splits in two.
    /// </summary>
    private const int MinSliceRows = 2 * ChunkRows;
    /// <summary>Most gradient slices per member: work for 16 cores from one member, and a bounded reduction.</summary>
    private const int MaxSlicesPerMember = 16;
    /// <summary>Backward items (members × slices) to aim for; more only add slot traffic.</summary>
    private const int ParallelItems = 64;
    /// <summary>Floats all gradient slots may take together (16 MiB), unless one slot per member needs more.</summary>
    private const long SlotBudgetFloats = 1L << 22;
    /// <summary>Slot floats up to which the reduction runs on the calling thread (about 10 µs of adds).</summary>
    private const long InlineReduceFloats = 1 << 16;
    /// <summary>Elements per reduction work item: a tensor is reduced in ranges of this size, in parallel.</summary>
    private const int ReduceRangeElements = 2048;

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
        [ThreadStatic] private static float[]? t_chunkDeltas; // [2, ChunkRows, widest layer] per thread
        private float* _dY, _dX;
        private int _batch, _slices, _sliceRows;

        public void Set(float* dY, float* dX, int batch, int slices, int sliceRows)
        {
            _dY = dY; _dX = dX; _batch = batch; _slices = slices; _sliceRows = sliceRows;
        }

        public void Run(int start, int end)
        {
            int[] sizes = net._sizes;
            int layers = net.LayerCount;
            int memberCount = net.Layout.MemberCount;
            // A chunk's deltas live only while the chunk is walked back: two chunk-sized buffers of this thread,
            // used in turn, stay in L1/L2 where whole-batch arrays would stream to memory and back.
            float[] buffers = t_chunkDeltas is { } b && b.Length >= 2 * ChunkRows * net._widest
                ? b : (t_chunkDeltas = GC.AllocateArray<float>(2 * ChunkRows * net._widest, pinned: true));
            float* scratch = Ptr(buffers);
            for (int item = start; item < end; item++)
            {
                int p = item / _slices, s = item % _slices;
                int r0 = s * _sliceRows, r1 = Math.Min(_batch, r0 + _sliceRows);
                float* slot = Ptr(net._work) + (long)item * memberCount; // item = p·slices + s
                new Span<float>(slot, memberCount).Clear();
                float* bufA = scratch, bufB = scratch + ChunkRows * net._widest;
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
                        float* d = dz == bufA ? bufB : bufA; // the buffer dz is not in
                        var grad = new ActivationGradEpilogue(h, top, outAct);
                        for (int i = 0; i < rows; i++)
                            for (int j = 0; j < top; j++) d[i * top + j] = grad.Apply(dz[i * top + j], i, j);
                        dz = d;
                    }
                    for (int l = layers - 1; l >= 0; l--)
                    {
                        int inSize = sizes[l], outSize = sizes[l + 1];
                        float* hIn = Ptr(net._acts[l]) + rowBase * inSize;
                        float* gW = slot + net._slotOffset[2 * l];
                        if (net.GradientTransposed(l)) MatMul.TransposeATimesB(hIn, inSize, dz, outSize, rows, inSize, outSize, gW, net.VectorWidth);
                        else MatMul.TransposeATimesB(dz, outSize, hIn, inSize, rows, outSize, inSize, gW, net.VectorWidth);
                        MatMul.ColumnSums(dz, outSize, rows, outSize, slot + net._slotOffset[2 * l + 1], net.VectorWidth);
                        if (l > 0)
                        {
                            float* dPrev = dz == bufA ? bufB : bufA;
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
            }
        }
    }

    /// <summary>Items are (member p, element range of one tensor); each adds the slices' slots in slice order.</summary>
    private sealed class ReduceJob(Mlp net) : IRangeJob
    {
        private int _slices;
        public void Set(int slices) => _slices = slices;

        public void Run(int start, int end)
        {
            int ranges = net._reduceRanges.Length;
            for (int item = start; item < end; item++)
            {
                var (t, e0, e1) = net._reduceRanges[item % ranges];
                net.ReduceRange(item / ranges, t, e0, e1, _slices);
            }
        }
    }

    /// <summary>
    /// Gradients(member p, tensor t)[e0, e1) += slot_s(member p, tensor t) for s = 0, 1, …, slices − 1 in
    /// that order, transposing the layers accumulated as [in, out].
    /// </summary>
    private void ReduceRange(int p, int t, int e0, int e1, int slices)
    {
        float* g = Ptr(Gradients) + Layout.MemberOffset(t, p);
        int layer = t / 2;
        bool transposed = t % 2 == 0 && GradientTransposed(layer);
        int inSize = _sizes[layer], outSize = _sizes[layer + 1];
        for (int s = 0; s < slices; s++)
        {
            float* w = Ptr(_work) + ((long)p * slices + s) * Layout.MemberCount + _slotOffset[t];
            if (transposed)
            {
                // g is [out, in], the slot [in, out]; the range is the whole tensor.
                for (int o = 0; o < outSize; o++)
                    for (int i = 0; i < inSize; i++) g[o * inSize + i] += w[i * outSize + o];
                continue;
            }
            int e = e0;
            for (; e + Vector<float>.Count <= e1; e += Vector<float>.Count)
                (Vector.Load(g + e) + Vector.Load(w + e)).Store(g + e);
            for (; e < e1; e++) g[e] += w[e];
        }
    }

    private void ForwardNaive(ReadOnlySpan<float> x, int batch, Span<float> y)
    {
        x.CopyTo(_acts[0]);
        for (int l = 0; l < LayerCount; l++)
        {
            Span<float> output = _acts[l + 1].AsSpan(0, Population * batch * _sizes[l + 1]);
            Linear.Forward(_acts[l].AsSpan(0, Population * batch * _sizes[l]), Weight(l), Bias(l), Population, batch, _sizes[l], _sizes[l + 1], output, MlpKernels.Naive);
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
            Linear.Backward(_acts[l].AsSpan(0, n), Weight(l), _deltas[l + 1].AsSpan(0, Population * batch * _sizes[l + 1]),
                Population, batch, _sizes[l], _sizes[l + 1], dIn, WeightGradient(l), BiasGradient(l), MlpKernels.Naive);
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
