using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Runner;

/// <summary>
/// The CPU runner's memory: struct-of-arrays lane columns for state and bookkeeping, and the row-major outputs
/// for the caller (the base class; pinned, see <see cref="IPinnedOutputs"/>).
/// </summary>
internal sealed class CpuEnvBuffers<T> : VectorEnvOutputs where T : struct, ILane<T>
{
    public readonly int EnvCount, VecCount, StateSize, ObsSize;
    /// <summary>
    /// Distance between two columns (fields) of <see cref="State"/>, in lane values: VecCount padded so that a column spans an odd number
    /// of cache lines. With a power-of-two stride (65536 envs: 4096 lane values of 64 bytes) every field
    /// of one lane value maps to the same L1 and L2 cache set, and an env with more fields than the
    /// cache's ways (a frame stack: dozens) misses on every access (measured 2× slower).
    /// </summary>
    public readonly int Stride;
    public readonly T[] State;          // [StateSize, Stride] lane values
    public readonly T[] RngCounter;     // [VecCount] bits
    public readonly T[] EpisodeReturn;  // [VecCount]
    public readonly T[] EpisodeLength;  // [VecCount]
    public readonly T[] Pending;        // [VecCount] mask
    /// <summary>Lane layout to row-major rows (observations to <see cref="VectorEnvOutputs.Obs"/>).</summary>
    public readonly LaneRowExport<T> RowExport;

    // Outputs pinned (IPinnedOutputs): an embedder hands their addresses to C once instead of copying per step.
    public CpuEnvBuffers(int envCount, int stateSize, int obsSize) : base(envCount, obsSize, pinned: true)
    {
        EnvCount = envCount;
        VecCount = (envCount + T.Count - 1) / T.Count;
        StateSize = stateSize;
        ObsSize = obsSize;
        Stride = PaddedStride(VecCount, Unsafe.SizeOf<T>());
        State = new T[stateSize * Stride];
        RngCounter = new T[VecCount];
        EpisodeReturn = new T[VecCount];
        EpisodeLength = new T[VecCount];
        Pending = new T[VecCount];
        RowExport = new LaneRowExport<T>(obsSize);
    }

    /// <summary>The smallest stride ≥ <paramref name="count"/> values of <paramref name="valueBytes"/> bytes spanning an odd number of 64-byte lines.</summary>
    internal static int PaddedStride(int count, int valueBytes)
    {
        if (valueBytes >= 64) return count | 1;
        int perLine = 64 / valueBytes;
        int lines = (count + perLine - 1) / perLine;
        return (lines | 1) * perLine;
    }

    /// <summary>Bytes of memory per env (state, bookkeeping and outputs).</summary>
    public long BytesPerEnv =>
        (long)(StateSize + 4) * Unsafe.SizeOf<T>() / T.Count + 4L * (1 + 2 * ObsSize + 1 + 1 + 1) + 2;
}

/// <summary><see cref="IEnvLaneIO{T}"/> over <see cref="CpuEnvBuffers{T}"/> for lane value <c>vec</c>.</summary>
internal readonly struct CpuLaneIO<T> : IEnvLaneIO<T> where T : struct, ILane<T>
{
    private readonly CpuEnvBuffers<T> _b;
    // The state columns and their stride, copied out of _b: in a register each, where reads from _b were repeated after
    // every store through a reference (a frame stack's history slots), which the JIT must assume could change them.
    private readonly T[] _state;
    private readonly int _stride;
    private readonly T[] _obs;
    private readonly float[] _actions;
    private readonly int _vec, _firstEnv, _count, _actionsFirstEnv, _obsOffset;

    /// <param name="buffers">The runner's memory.</param>
    /// <param name="vec">The lane value.</param>
    /// <param name="obs">[block, ObsSize] the calling worker's observations of this lane value, lane layout, exported to
    /// the row-major rows by <see cref="ExportObservations"/>. A worker's own small buffer, not a column of a
    /// [ObsSize, envs] array: it stays in L1, where a full array cost a write and a read of every observation
    /// through memory on each one-step call.</param>
    /// <param name="obsOffset">Where this lane value's [ObsSize] observations start in <paramref name="obs"/> (a worker's
    /// buffer holds those of a block of lane values).</param>
    /// <param name="actions">The caller's actions of a block of envs that holds this lane value's, as floats (the
    /// calling worker's buffer, see <see cref="CpuVectorEnv{TEnv, T, TParams}"/>); empty when actions are drawn.</param>
    /// <param name="actionsFirstEnv">The env of <c>actions[0]</c>.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public CpuLaneIO(CpuEnvBuffers<T> buffers, int vec, T[] obs, int obsOffset, float[] actions, int actionsFirstEnv)
    {
        _b = buffers;
        _state = buffers.State;
        _stride = buffers.Stride;
        _obs = obs;
        _obsOffset = obsOffset;
        _actions = actions;
        _actionsFirstEnv = actionsFirstEnv;
        _vec = vec;
        _firstEnv = vec * T.Count;
        _count = Math.Min(T.Count, buffers.EnvCount - _firstEnv);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly T Read(int index) => _state[index * _stride + _vec];

    /// <inheritdoc/>
    public readonly bool Observed
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] get => true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteState(int field, T value) => _state[field * _stride + _vec] = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteStateMasked(int field, T value, T mask)
    {
        ref T slot = ref _state[field * _stride + _vec];
        slot = T.Select(mask, value, slot);
    }

    // Observations are written in lane layout (one vector store per feature) and transposed into
    // the caller's row-major rows once per call by ExportObservations: a K-step call pays for the
    // transpose once, not K times.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteObservation(int feature, T value) => _obs[_obsOffset + feature] = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteObservationMasked(int feature, T value, T mask)
    {
        ref T slot = ref _obs[_obsOffset + feature];
        slot = T.Select(mask, value, slot);
    }

    /// <summary>Sets the observation buffer to this lane value's current row-major observations, for a masked
    /// reset that keeps the others.</summary>
    public readonly void LoadObservations()
    {
        Span<float> column = stackalloc float[T.Count];
        int rowStart = _firstEnv * _b.ObsSize;
        for (int k = 0; k < _b.ObsSize; k++)
        {
            column.Clear();
            for (int j = 0; j < _count; j++) column[j] = _b.Obs[rowStart + j * _b.ObsSize + k];
            _obs[_obsOffset + k] = T.Load(column, 0, T.Count);
        }
    }

    /// <remarks>Straight into the ended envs' row-major rows: about one env of a lane value ends at a time, so a few
    /// scalar stores replace the lane-layout copy that cost a transpose of the whole lane value at export.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteFinalObservation(int feature, T value, T mask)
    {
        ulong bits = T.MaskBits(mask);
        if (bits == 0) return;
        // Float lanes: the elements read from the value's memory, spilled once; T.Element with a run-time index spilled
        // the whole vector again for each ended env (a frame stack writes dozens of features per episode end).
        ref float elements = ref Unsafe.As<T, float>(ref Unsafe.AsRef(in value));
        while (bits != 0)
        {
            int j = System.Numerics.BitOperations.TrailingZeroCount(bits);
            bits &= bits - 1;
            if (j >= _count) break;
            _b.FinalObs[(_firstEnv + j) * _b.ObsSize + feature] = T.IsDouble ? (float)T.Element(value, j) : Unsafe.Add(ref elements, j);
        }
    }

    /// <summary>Copies this lane value's observations into the row-major outputs.</summary>
    public readonly void ExportObservations()
    {
        int rowStart = _firstEnv * _b.ObsSize;
        _b.RowExport.Export(_obs, _obsOffset, 1, _b.Obs, rowStart, _count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly T EnvIndex() => T.BitsIota((uint)_firstEnv);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly T ReadAction() => T.Load(_actions, _firstEnv - _actionsFirstEnv, _count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly T ReadRngCounter() => _b.RngCounter[_vec];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void ReadBook(out EnvBook<T> book, bool withPending, bool withReturn)
    {
        book.RngCounter = ReadRngCounter();
        book.EpisodeReturn = withReturn ? _b.EpisodeReturn[_vec] : T.Splat(0);
        book.EpisodeLength = _b.EpisodeLength[_vec];
        book.Pending = withPending ? _b.Pending[_vec] : T.FalseMask;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteBook(in EnvBook<T> book, bool withCounter, bool withPending, bool withReturn)
    {
        if (withCounter) _b.RngCounter[_vec] = book.RngCounter;
        if (withReturn) _b.EpisodeReturn[_vec] = book.EpisodeReturn;
        _b.EpisodeLength[_vec] = book.EpisodeLength;
        if (withPending) _b.Pending[_vec] = book.Pending;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteStep(T reward, T terminated, T truncated)
    {
        T.Store(reward, _b.Rewards, _firstEnv, 1, _count);
        T.StoreMask(terminated, System.Runtime.InteropServices.MemoryMarshal.AsBytes(_b.Terminated.AsSpan()), _firstEnv, _count);
        T.StoreMask(truncated, System.Runtime.InteropServices.MemoryMarshal.AsBytes(_b.Truncated.AsSpan()), _firstEnv, _count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteEpisode(T ended, T episodeReturn, T episodeLength)
    {
        if (_count == T.Count && !T.IsDouble && T.Count >= 4)
        {
            // A full float lane value: one store each for returns and lengths, every env's (the outputs are valid where
            // an episode ended). It runs for every lane value of a call's last step, in stride with the other outputs;
            // a blend with the stored values read each line of these arrays first, a cache miss per ended lane value.
            WriteEpisodeFull(episodeReturn, episodeLength);
            return;
        }
        if (T.Count == 1)
        {
            if (T.AnyTrue(ended))
            {
                _b.CompletedReturn[_firstEnv] = (float)T.Element(episodeReturn, 0);
                _b.CompletedLength[_firstEnv] = (int)T.Element(episodeLength, 0);
            }
            return;
        }
        if (T.AnyTrue(ended)) WriteEndedEnvs(ended, episodeReturn, episodeLength);
    }

    /// <summary>The general <see cref="WriteEpisode"/>: the ended envs one by one (partial or double lane values).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void WriteEndedEnvs(T ended, T episodeReturn, T episodeLength)
    {
        // Both vectors stored once, then read per ended env: taking elements out of the registers one at a time
        // (T.Element) spilled the whole vector for each.
        Span<float> returns = stackalloc float[T.Count], lengths = stackalloc float[T.Count];
        T.Store(episodeReturn, returns, 0, 1, T.Count);
        T.Store(episodeLength, lengths, 0, 1, T.Count);
        ulong bits = T.MaskBits(ended);
        while (bits != 0)
        {
            int j = System.Numerics.BitOperations.TrailingZeroCount(bits);
            bits &= bits - 1;
            if (j >= _count) break;
            _b.CompletedReturn[_firstEnv + j] = returns[j];
            // Float lanes count in floats; a double lane's count may pass 2^24, where a float would round it.
            _b.CompletedLength[_firstEnv + j] = T.IsDouble ? (int)T.Element(episodeLength, j) : (int)lengths[j];
        }
    }

    /// <summary>The running returns and lengths of a full 16-, 8- or 4-wide float lane value written over the
    /// completed-episode outputs (they are the completed episodes' where an episode ended).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void WriteEpisodeFull(T episodeReturn, T episodeLength)
    {
        // The spans check the bounds once for the whole vector.
        ref float returns = ref _b.CompletedReturn.AsSpan(_firstEnv, T.Count)[0];
        ref int lengths = ref _b.CompletedLength.AsSpan(_firstEnv, T.Count)[0];
        if (T.Count == 16)
        {
            Unsafe.As<T, Vector512<float>>(ref episodeReturn).StoreUnsafe(ref returns);
            Vector512.ConvertToInt32(Unsafe.As<T, Vector512<float>>(ref episodeLength)).StoreUnsafe(ref lengths);
        }
        else if (T.Count == 8)
        {
            Unsafe.As<T, Vector256<float>>(ref episodeReturn).StoreUnsafe(ref returns);
            Vector256.ConvertToInt32(Unsafe.As<T, Vector256<float>>(ref episodeLength)).StoreUnsafe(ref lengths);
        }
        else
        {
            Unsafe.As<T, Vector128<float>>(ref episodeReturn).StoreUnsafe(ref returns);
            Vector128.ConvertToInt32(Unsafe.As<T, Vector128<float>>(ref episodeLength)).StoreUnsafe(ref lengths);
        }
    }
}
