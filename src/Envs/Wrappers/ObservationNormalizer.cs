using System.Numerics;
using System.Runtime.CompilerServices;
using RlKernels.Kernels.Threading;

namespace RlKernels.Envs.Wrappers;

/// <summary>
/// Running mean and variance of each observation feature over all envs and calls, and the normalization
/// obs ← clip((obs − mean) / sqrt(var + ε), ±clip): SIMD on all cores, no allocation per call.
/// </summary>
/// <remarks>
/// Statistics follow Gymnasium's RunningMeanStd exactly: mean 0, var 1, count 1e-4 at the start; each
/// batch ([envCount, obsSize], one row per env) is merged with the parallel formula of Chan et al. from
/// its population mean and variance. The batch moments are sums in double of values shifted by the
/// current mean (so that Σx² − (Σx)²/n does not cancel away the variance).
/// <para>
/// Vectorization: rows are taken W at a time (W = Vector&lt;float&gt;.Count), a chunk of W·obsSize floats.
/// Chunk position q always holds feature q mod obsSize, so each chunk is summed element-wise into
/// one accumulator per position with plain vector adds, and positions are folded into features once
/// at the end. The chunks are grouped into blocks of <see cref="ChunksPerBlock"/> (a constant, so the grouping
/// and with it every rounding is the same for any thread count); each block sums into its own partial, and
/// the partials are added in block order. Threads take contiguous ranges of blocks; the last block also takes
/// the rows that do not fill a chunk.
/// </para>
/// </remarks>
public sealed unsafe class ObservationNormalizer : IRangeJob, IDisposable
{
    /// <summary>Chunks per block, the unit of parallel work: below this, splitting costs more than it saves.</summary>
    private const int ChunksPerBlock = 256;

    private readonly ObservationNormalization _settings;
    private readonly int _envCount, _obsSize, _chunkSize, _chunkCount, _blocks;
    private readonly double[] _mean, _var;  // [obsSize] running statistics
    private readonly double[] _partial;     // [blocks, 2, chunkSize] shifted sums Σx', Σx'² per chunk position
    private readonly float[] _shift;        // [chunkSize] mean (as float) per chunk position, subtracted before summing
    private readonly float[] _scale;        // [chunkSize] 1 / sqrt(var + ε) per chunk position
    private readonly WorkerPool _pool;
    private double _count = 1e-4;

    // The call in progress: pinned spans as pointers, so the worker threads can reach them.
    private float* _src, _dst;
    private bool _reduce;

    /// <param name="envCount">Rows of each batch.</param>
    /// <param name="obsSize">Features per row.</param>
    /// <param name="settings">ε and clip.</param>
    /// <param name="threads">Threads (≥ 1); fewer are used for small batches.</param>
    public ObservationNormalizer(int envCount, int obsSize, ObservationNormalization settings, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(envCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(obsSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        settings.Validate();
        _settings = settings;
        _envCount = envCount;
        _obsSize = obsSize;
        _chunkSize = Vector<float>.Count * obsSize;
        _chunkCount = envCount / Vector<float>.Count;
        _blocks = Math.Max(1, _chunkCount / ChunksPerBlock);
        _mean = new double[obsSize];
        _var = new double[obsSize];
        Array.Fill(_var, 1.0);
        _partial = new double[_blocks * 2 * _chunkSize];
        _shift = new float[_chunkSize];
        _scale = new float[_chunkSize];
        _pool = new WorkerPool(Math.Min(threads, _blocks));
        RefreshPatterns();
    }

    /// <summary>[obsSize] running mean.</summary>
    public ReadOnlySpan<double> Mean => _mean;
    /// <summary>[obsSize] running (population) variance.</summary>
    public ReadOnlySpan<double> Variance => _var;
    /// <summary>Rows seen, plus Gymnasium's initial 1e-4.</summary>
    public double Count => _count;

    /// <summary>Merges a batch <paramref name="obs"/> ([envCount, obsSize]) into the running statistics.</summary>
    public void Update(ReadOnlySpan<float> obs)
    {
        CheckLength(obs.Length, nameof(obs));
        fixed (float* src = obs)
        {
            _src = src;
            _reduce = true;
            try { _pool.Run(this, _blocks); }
            finally { _src = null; }
        }

        // Fold chunk positions and blocks (in block order) into features; then Gymnasium's update_mean_var_count_from_moments.
        double n = _envCount;
        for (int f = 0; f < _obsSize; f++)
        {
            double s1 = 0, s2 = 0;
            for (int block = 0; block < _blocks; block++)
            {
                int baseIndex = block * 2 * _chunkSize;
                for (int q = f; q < _chunkSize; q += _obsSize)
                {
                    s1 += _partial[baseIndex + q];
                    s2 += _partial[baseIndex + _chunkSize + q];
                }
            }
            double shifted = s1 / n;
            double batchMean = _shift[f] + shifted;
            double batchVar = Math.Max(0, s2 / n - shifted * shifted);
            double delta = batchMean - _mean[f];
            double total = _count + n;
            double m2 = _var[f] * _count + batchVar * n + delta * delta * _count * n / total;
            _mean[f] += delta * n / total;
            _var[f] = m2 / total;
        }
        _count += n;
        RefreshPatterns();
    }

    /// <summary>Writes the normalized <paramref name="obs"/> to <paramref name="normalized"/> (both [envCount, obsSize]; may alias).</summary>
    public void Normalize(ReadOnlySpan<float> obs, Span<float> normalized)
    {
        CheckLength(obs.Length, nameof(obs));
        CheckLength(normalized.Length, nameof(normalized));
        fixed (float* src = obs)
        fixed (float* dst = normalized)
        {
            _src = src;
            _dst = dst;
            _reduce = false;
            try { _pool.Run(this, _blocks); }
            finally { _src = _dst = null; }
        }
    }

    private void CheckLength(int length, string name)
    {
        if (length != _envCount * _obsSize)
            throw new ArgumentException($"Expected [{_envCount}, {_obsSize}] = {_envCount * _obsSize} floats, got {length}.", name);
    }

    private void RefreshPatterns()
    {
        for (int q = 0; q < _chunkSize; q++)
        {
            int f = q % _obsSize;
            _shift[q] = (float)_mean[f];
            _scale[q] = (float)(1.0 / Math.Sqrt(_var[f] + _settings.Epsilon));
        }
    }

    /// <summary>Worker entry: blocks [start, end).</summary>
    void IRangeJob.Run(int start, int end)
    {
        for (int block = start; block < end; block++)
        {
            // Blocks of ChunksPerBlock chunks; the last takes the remainder (fewer than ChunksPerBlock more).
            int firstChunk = block * ChunksPerBlock;
            int endChunk = block == _blocks - 1 ? _chunkCount : firstChunk + ChunksPerBlock;
            int tailRows = block == _blocks - 1 ? _envCount - _chunkCount * Vector<float>.Count : 0;
            if (_reduce) Reduce(block, firstChunk, endChunk, tailRows);
            else Apply(firstChunk, endChunk, tailRows);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Reduce(int block, int firstChunk, int endChunk, int tailRows)
    {
        int w = Vector<float>.Count, half = Vector<double>.Count;
        Span<double> sum = _partial.AsSpan(block * 2 * _chunkSize, _chunkSize);
        Span<double> sumSq = _partial.AsSpan(block * 2 * _chunkSize + _chunkSize, _chunkSize);
        sum.Clear();
        sumSq.Clear();
        for (int c = firstChunk; c < endChunk; c++)
        {
            float* chunk = _src + (long)c * _chunkSize;
            for (int q = 0; q < _chunkSize; q += w)
            {
                Vector<float> x = Vector.Load(chunk + q) - new Vector<float>(_shift.AsSpan(q));
                Vector.Widen(x, out Vector<double> lo, out Vector<double> hi);
                (new Vector<double>(sum[q..]) + lo).CopyTo(sum[q..]);
                (new Vector<double>(sum[(q + half)..]) + hi).CopyTo(sum[(q + half)..]);
                (new Vector<double>(sumSq[q..]) + lo * lo).CopyTo(sumSq[q..]);
                (new Vector<double>(sumSq[(q + half)..]) + hi * hi).CopyTo(sumSq[(q + half)..]);
            }
        }
        // Rows past the last whole chunk: position f of a chunk holds feature f.
        float* tail = _src + (long)_chunkCount * _chunkSize;
        for (int i = 0; i < tailRows * _obsSize; i++)
        {
            int f = i % _obsSize;
            double x = tail[i] - (double)_shift[f];
            sum[f] += x;
            sumSq[f] += x * x;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Apply(int firstChunk, int endChunk, int tailRows)
    {
        int w = Vector<float>.Count;
        float clip = (float)Math.Min(_settings.Clip, float.MaxValue);
        var high = new Vector<float>(clip);
        var low = -high;
        for (int c = firstChunk; c < endChunk; c++)
        {
            long offset = (long)c * _chunkSize;
            for (int q = 0; q < _chunkSize; q += w)
            {
                Vector<float> x = Vector.Load(_src + offset + q);
                Vector<float> y = (x - new Vector<float>(_shift.AsSpan(q))) * new Vector<float>(_scale.AsSpan(q));
                Vector.Store(Vector.Min(Vector.Max(y, low), high), _dst + offset + q);
            }
        }
        long tail = (long)_chunkCount * _chunkSize;
        for (int i = 0; i < tailRows * _obsSize; i++)
        {
            int f = i % _obsSize;
            float y = (_src[tail + i] - _shift[f]) * _scale[f];
            _dst[tail + i] = Math.Min(Math.Max(y, -clip), clip);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _pool.Dispose();
}
