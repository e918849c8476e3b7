using RlKernels.Kernels.Threading;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Kernels.Nn;

/// <summary>Which kernels an <see cref="Mlp"/> runs.</summary>
public enum MlpKernels
{
    /// <summary>Register-blocked SIMD products (Vector512, 256 or 128: the widest accelerated) with fused bias/activation passes, split over the worker pool.</summary>
    Fast,
    /// <summary>Plain loops op by op on one thread: the benchmark baseline.</summary>
    Naive,
}

/// <summary>
/// A population of P independent multilayer perceptrons of the same shape (e.g. 4→64→64→2): Linear
/// layers with a hidden activation between them and an output activation after the last. Owns the
/// parameters and gradients (flat, see <see cref="Layout"/>) and the activations of the last forward pass.
/// </summary>
/// <remarks>
/// Tensors: per layer l, "layers.l.weight" [P, out, in] then "layers.l.bias" [P, out]. Backward uses the
/// activations stored by the latest <see cref="Forward"/>, so parameters must not change in between.
/// Not thread-safe: one call at a time. Buffers grow with the largest batch seen and are then reused,
/// so steady-state calls do not allocate.
/// </remarks>
public sealed unsafe partial class Mlp
{
    /// <summary>A pool of one: runs every job on the caller's thread.</summary>
    internal static readonly WorkerPool Inline = new(1);

    private readonly int[] _sizes;
    private readonly int _widest;              // max(_sizes): the chunk delta buffers' row width
    private readonly Activation[] _activations;
    private readonly WorkerPool _pool;
    private int _capacity;
    private int _batch;
    private float[][] _acts = [];
    private float[][] _deltas = [];
    private float[] _transposed;
    private float[] _work = [];
    private readonly int[] _transposedOffset;
    private readonly ForwardJob _forwardJob;
    private readonly BackwardJob _backwardJob;
    private readonly TransposeJob _transposeJob;
    private readonly ReduceJob _reduceJob;
    private readonly int[] _slotOffset;        // [tensors] start of tensor t inside one gradient slot
    private readonly (int Tensor, int Start, int End)[] _reduceRanges; // per member: element ranges the reduction splits over
    private readonly int _maxSlices;           // batch slices per member (see GradientSlices)

    /// <summary>Population size P.</summary>
    public int Population { get; }
    /// <summary>Number of Linear layers.</summary>
    public int LayerCount => _sizes.Length - 1;
    /// <summary>Features per input row.</summary>
    public int InputSize => _sizes[0];
    /// <summary>Features per output row.</summary>
    public int OutputSize => _sizes[^1];
    /// <summary>Sizes from input to output, e.g. [4, 64, 64, 2].</summary>
    public ReadOnlySpan<int> LayerSizes => _sizes;
    /// <summary>Which kernels run.</summary>
    public MlpKernels Kernels { get; }
    /// <summary>Floats per vector of the fast kernels: 16 (Vector512), 8 (Vector256), 4 (Vector128), 1 for the naive kernels.</summary>
    public int VectorWidth { get; }

    /// <summary>
    /// The fast kernels' vector width on this machine, the lanes' choice (<see cref="LaneSelection"/>): 16 where
    /// Vector512 is hardware-accelerated, 8 where Vector256 is, 4 where Vector128 is (NEON on ARM64, SSE on x86
    /// without AVX2), 1 (naive kernels only) otherwise. RLK_LANES=8 or 4 forces a narrower path.
    /// </summary>
    public static int BestVectorWidth { get; } = LaneSelection.BestWidth;
    /// <summary>Where each tensor lives in <see cref="Parameters"/> and <see cref="Gradients"/>.</summary>
    public ParameterLayout Layout { get; }
    /// <summary>All parameters, laid out by <see cref="Layout"/>.</summary>
    public float[] Parameters { get; }
    /// <summary>All gradients, same layout; backward accumulates here, <see cref="ZeroGradients"/> clears.</summary>
    public float[] Gradients { get; }

    /// <param name="layerSizes">Input size, hidden sizes, output size: at least two entries.</param>
    /// <param name="hidden">Activation after every layer but the last.</param>
    /// <param name="output">Activation after the last layer.</param>
    /// <param name="population">Number of independent members P.</param>
    /// <param name="pool">Threads to split work over; null runs on the caller's thread.</param>
    /// <param name="kernels">Fast (default) or the naive baseline.</param>
    public Mlp(ReadOnlySpan<int> layerSizes, Activation hidden, Activation output, int population = 1,
        WorkerPool? pool = null, MlpKernels kernels = MlpKernels.Fast)
        : this(layerSizes, hidden, output, population, pool, kernels, BestVectorWidth)
    {
    }

    /// <summary>As the public constructor, with the fast kernels' vector width forced (tests run the narrower paths on wider machines).</summary>
    /// <param name="layerSizes">Input size, hidden sizes, output size: at least two entries.</param>
    /// <param name="hidden">Activation after every layer but the last.</param>
    /// <param name="output">Activation after the last layer.</param>
    /// <param name="population">Number of independent members P.</param>
    /// <param name="pool">Threads to split work over; null runs on the caller's thread.</param>
    /// <param name="kernels">Fast or the naive baseline.</param>
    /// <param name="vectorWidth">16, 8 or 4 where that vector is hardware-accelerated (<see cref="LaneSelection.IsAccelerated"/>); 1 makes Fast fall back to Naive.</param>
    internal Mlp(ReadOnlySpan<int> layerSizes, Activation hidden, Activation output, int population,
        WorkerPool? pool, MlpKernels kernels, int vectorWidth)
    {
        if (!LaneSelection.Widths.Contains(vectorWidth)) throw new ArgumentException($"vectorWidth must be 1, 4, 8 or 16, got {vectorWidth}.", nameof(vectorWidth));
        if (!LaneSelection.IsAccelerated(vectorWidth))
            throw new PlatformNotSupportedException($"{vectorWidth}-float vectors are not accelerated on this machine.");
        if (layerSizes.Length < 2) throw new ArgumentException("layerSizes needs at least an input and an output size.", nameof(layerSizes));
        foreach (int s in layerSizes) Shapes.Positive(s, nameof(layerSizes));
        Shapes.Positive(population, nameof(population));
        _sizes = layerSizes.ToArray();
        _widest = _sizes.Max();
        Population = population;
        _pool = pool ?? Inline;
        // Without SIMD the fast path would be slower than the plain loops, so Fast falls back to Naive.
        Kernels = kernels == MlpKernels.Fast && vectorWidth == 1 ? MlpKernels.Naive : kernels;
        VectorWidth = Kernels == MlpKernels.Naive ? 1 : vectorWidth;
        _activations = new Activation[LayerCount];
        for (int l = 0; l < LayerCount; l++) _activations[l] = l == LayerCount - 1 ? output : hidden;

        var memberSizes = new int[2 * LayerCount];
        var names = new string[2 * LayerCount];
        for (int l = 0; l < LayerCount; l++)
        {
            memberSizes[2 * l] = _sizes[l + 1] * _sizes[l];
            memberSizes[2 * l + 1] = _sizes[l + 1];
            names[2 * l] = $"layers.{l}.weight";
            names[2 * l + 1] = $"layers.{l}.bias";
        }
        Layout = new ParameterLayout(population, memberSizes, names);
        // Pinned: the kernels keep raw pointers into these for the duration of a pooled call.
        Parameters = GC.AllocateArray<float>(Layout.TotalCount, pinned: true);
        Gradients = GC.AllocateArray<float>(Layout.TotalCount, pinned: true);
        _transposedOffset = new int[LayerCount];
        int total = 0;
        for (int l = 0; l < LayerCount; l++) { _transposedOffset[l] = total; total += population * _sizes[l] * _sizes[l + 1]; }
        _transposed = GC.AllocateArray<float>(total, pinned: true);
        _slotOffset = new int[Layout.TensorCount];
        var ranges = new List<(int, int, int)>();
        for (int t = 0, slot = 0; t < Layout.TensorCount; slot += Layout.MemberSize(t), t++)
        {
            _slotOffset[t] = slot;
            // A gradient kept transposed in the slots is reduced whole (it is narrow: in < 16); others in ranges.
            int step = t % 2 == 0 && GradientTransposed(t / 2) ? Layout.MemberSize(t) : ReduceRangeElements;
            for (int e = 0; e < Layout.MemberSize(t); e += step)
                ranges.Add((t, e, Math.Min(Layout.MemberSize(t), e + step)));
        }
        _reduceRanges = ranges.ToArray();
        _maxSlices = (int)Math.Clamp(Math.Min(ParallelItems / population, SlotBudgetFloats / ((long)population * Layout.MemberCount)), 1, MaxSlicesPerMember);
        _forwardJob = new ForwardJob(this);
        _backwardJob = new BackwardJob(this);
        _transposeJob = new TransposeJob(this);
        _reduceJob = new ReduceJob(this);
    }

    /// <summary>Weights of layer l, [P, out, in].</summary>
    public Span<float> Weight(int layer) => Parameters.AsSpan(Layout.Offset(2 * layer), Population * Layout.MemberSize(2 * layer));
    /// <summary>Biases of layer l, [P, out].</summary>
    public Span<float> Bias(int layer) => Parameters.AsSpan(Layout.Offset(2 * layer + 1), Population * _sizes[layer + 1]);
    /// <summary>Weight gradient of layer l, [P, out, in].</summary>
    public Span<float> WeightGradient(int layer) => Gradients.AsSpan(Layout.Offset(2 * layer), Population * Layout.MemberSize(2 * layer));
    /// <summary>Bias gradient of layer l, [P, out].</summary>
    public Span<float> BiasGradient(int layer) => Gradients.AsSpan(Layout.Offset(2 * layer + 1), Population * _sizes[layer + 1]);
    /// <summary>Activation after layer l.</summary>
    public Activation ActivationOf(int layer) => _activations[layer];

    /// <summary>
    /// Draws every weight from the counter RNG (deterministic in the seed) and zeroes the biases. Gains:
    /// √2 for hidden layers under orthogonal init (the PPO convention), <paramref name="outputGain"/> for the last layer.
    /// </summary>
    public void Initialize(ulong seed, InitScheme scheme = InitScheme.Orthogonal, float outputGain = 1f)
    {
        for (int l = 0; l < LayerCount; l++)
        {
            float gain = l == LayerCount - 1 ? outputGain : scheme == InitScheme.Orthogonal ? MathF.Sqrt(2f) : 1f;
            Initialization.Fill(Weight(l), Population, _sizes[l + 1], _sizes[l], scheme, gain, seed, (uint)l);
            Bias(l).Clear();
        }
    }

    /// <summary>Sets all gradients to zero.</summary>
    public void ZeroGradients() => Array.Clear(Gradients);

    /// <summary>
    /// Throws <see cref="InvalidOperationException"/> naming the tensor, member and element of the first
    /// NaN or infinity in the parameters or gradients, so a diverged run stops instead of spreading NaN.
    /// </summary>
    public void ThrowIfNotFinite()
    {
        Check(Parameters, "parameter");
        Check(Gradients, "gradient");

        void Check(float[] buffer, string what)
        {
            for (int t = 0; t < Layout.TensorCount; t++)
                for (int p = 0; p < Population; p++)
                {
                    ReadOnlySpan<float> s = buffer.AsSpan(Layout.MemberOffset(t, p), Layout.MemberSize(t));
                    for (int i = 0; i < s.Length; i++)
                        if (!float.IsFinite(s[i]))
                            throw new InvalidOperationException($"Non-finite {what} {s[i]} in {Layout.Name(t)} (member {p}, element {i}).");
                }
        }
    }

    /// <summary>Layer <paramref name="layer"/>'s output h_l of the last forward pass ([P, B, size_l]; h_0 = x), for tests.</summary>
    internal ReadOnlySpan<float> LayerOutput(int layer) => _acts[layer].AsSpan(0, Population * _batch * _sizes[layer]);

    /// <summary>Runs the network on a batch and keeps the activations for <see cref="Backward"/>.</summary>
    /// <remarks>Effectively computes h₀ = x, h_{l+1} = act_l(h_l·W_lᵀ + b_l), y = h_L, per member.</remarks>
    public void Forward(
        ReadOnlySpan<float> x, // [P, B, in]
        int batch,
        Span<float> y)         // [P, B, out]
    {
        Shapes.Positive(batch, nameof(batch));
        Shapes.Require(x.Length, (long)Population * batch * InputSize, nameof(x), "[P, B, in]");
        Shapes.Require(y.Length, (long)Population * batch * OutputSize, nameof(y), "[P, B, out]");
        EnsureCapacity(batch);
        _batch = batch;
        if (Kernels == MlpKernels.Naive)
        {
            ForwardNaive(x, batch, y);
            return;
        }
        fixed (float* px = x, py = y)
        {
            _pool.Run(_transposeJob, Population);
            int splits = Splits(batch);
            _forwardJob.Set(px, py, batch, splits);
            _pool.RunItems(_forwardJob, Population * splits);
        }
    }

    /// <summary>
    /// Backpropagates the output gradient through the last forward pass; accumulates into
    /// <see cref="Gradients"/> and, when <paramref name="dX"/> is not empty, into dX.
    /// </summary>
    /// <remarks>
    /// Effectively computes dz_L = dY ⊙ act′(h_L), dW_l += dz_lᵀ h_l, db_l += Σ dz_l, dz_{l−1} = (dz_l W_l) ⊙ act′(h_l).
    /// The sums over the batch are grouped by fixed slices of rows and added in slice order, so the gradients
    /// are bit-identical for any pool size (see GradientSlices).
    /// </remarks>
    public void Backward(
        ReadOnlySpan<float> dY, // [P, B, out]
        Span<float> dX)         // [P, B, in] or empty
    {
        if (_batch == 0) throw new InvalidOperationException("Backward needs a Forward first.");
        int batch = _batch;
        Shapes.Require(dY.Length, (long)Population * batch * OutputSize, nameof(dY), "[P, B, out] (B of the last Forward)");
        if (!dX.IsEmpty) Shapes.Require(dX.Length, (long)Population * batch * InputSize, nameof(dX), "[P, B, in] or empty");
        if (Kernels == MlpKernels.Naive)
        {
            BackwardNaive(dY, batch, dX);
            return;
        }
        var (slices, sliceRows) = GradientSlices(batch);
        EnsureWork(slices);
        fixed (float* pdy = dY, pdx = dX)
        {
            _backwardJob.Set(pdy, dX.IsEmpty ? null : pdx, batch, slices, sliceRows);
            _pool.RunItems(_backwardJob, Population * slices);
            _reduceJob.Set(slices);
            // A small reduction is cheaper on this thread than a wake-up of the pool (same sums either way).
            int items = Population * _reduceRanges.Length;
            if ((long)Population * slices * Layout.MemberCount <= InlineReduceFloats) _reduceJob.Run(0, items);
            else _pool.Run(_reduceJob, items);
        }
    }

    /// <summary>
    /// How Backward cuts a member's batch for the gradient sums: into slices of whole ChunkRows-row chunks,
    /// at least MinSliceRows rows each (the last may be shorter) and at most <see cref="_maxSlices"/> of them. Each slice sums its rows into its own slot, starting from
    /// zero; the slots are then added to the gradients in slice order. Slice sizes depend on the batch and
    /// the network only, never on the thread count, so the gradients are bit-identical for any pool.
    /// </summary>
    private (int Slices, int SliceRows) GradientSlices(int batch)
    {
        int chunks = (batch + ChunkRows - 1) / ChunkRows;
        int chunksPerSlice = Math.Max(MinSliceRows / ChunkRows, (chunks + _maxSlices - 1) / _maxSlices);
        int sliceRows = chunksPerSlice * ChunkRows;
        return ((batch + sliceRows - 1) / sliceRows, sliceRows);
    }

    /// <summary>
    /// Forward splits per member: about four items per thread, so that the threads share the batch out as they
    /// go (RunItems), none smaller than 128 rows (rows are independent, so any split gives the same outputs).
    /// </summary>
    private int Splits(int batch)
    {
        int want = (4 * _pool.ThreadCount + Population - 1) / Population;
        return Math.Max(1, Math.Min(want, batch / MinSliceRows));
    }

    private void EnsureCapacity(int batch)
    {
        if (batch <= _capacity) return;
        _acts = new float[_sizes.Length][];
        // Whole-batch deltas only for the naive kernels; the fast backward keeps a chunk's deltas in per-thread buffers.
        _deltas = Kernels == MlpKernels.Naive ? new float[_sizes.Length][] : [];
        for (int l = 0; l < _sizes.Length; l++)
        {
            _acts[l] = GC.AllocateArray<float>(Population * batch * _sizes[l], pinned: true);
            if (Kernels == MlpKernels.Naive) _deltas[l] = GC.AllocateArray<float>(Population * batch * _sizes[l], pinned: true);
        }
        _capacity = batch;
    }

    /// <summary>Gradient slots: [P, slices, Layout.MemberCount], member p's slice s at (p·slices + s)·MemberCount.</summary>
    private void EnsureWork(int slices)
    {
        long need = (long)Population * slices * Layout.MemberCount;
        if (_work.Length < need) _work = GC.AllocateArray<float>(checked((int)need), pinned: true);
    }

    /// <summary>
    /// The weight gradient of layer l is accumulated transposed, [in, out], when in is narrower than a
    /// vector and out is not: the blocked kernel then vectorizes over out instead of idling on in.
    /// </summary>
    private bool GradientTransposed(int layer) => _sizes[layer] < 16 && _sizes[layer + 1] >= 16;
}
