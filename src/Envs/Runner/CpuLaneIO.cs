using System.Runtime.CompilerServices;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Runner;

/// <summary>
/// The CPU runner's memory: struct-of-arrays lane columns for state and bookkeeping, row-major float32
/// outputs for the caller.
/// </summary>
internal sealed class CpuEnvBuffers<T> where T : struct, ILane<T>
{
    public readonly int EnvCount, VecCount, StateSize, ObsSize;
    /// <summary>
    /// Distance between two columns (fields) of <see cref="State"/>, <see cref="ObsLanes"/> and
    /// <see cref="FinalObsLanes"/>, in lane values: VecCount padded so that a column spans an odd number
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
    public readonly T[] ObsLanes;       // [ObsSize, Stride] observations, lane layout
    public readonly T[] FinalObsLanes;  // [ObsSize, Stride] final observations, lane layout
    public readonly float[] Actions;    // [EnvCount]
    public readonly float[] Obs;        // [EnvCount, ObsSize]
    public readonly float[] FinalObs;   // [EnvCount, ObsSize]
    public readonly float[] Rewards;    // [EnvCount]
    public readonly bool[] Terminated;  // [EnvCount]
    public readonly bool[] Truncated;   // [EnvCount]
    public readonly float[] CompletedReturn; // [EnvCount], valid where the episode ended this step
    public readonly int[] CompletedLength;   // [EnvCount], valid where the episode ended this step

    public CpuEnvBuffers(int envCount, int stateSize, int obsSize)
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
        ObsLanes = new T[obsSize * Stride];
        FinalObsLanes = new T[obsSize * Stride];
        Actions = new float[envCount];
        // Outputs pinned (IPinnedOutputs): an embedder hands their addresses to C once instead of copying per step.
        Obs = GC.AllocateArray<float>(envCount * obsSize, pinned: true);
        FinalObs = GC.AllocateArray<float>(envCount * obsSize, pinned: true);
        Rewards = GC.AllocateArray<float>(envCount, pinned: true);
        Terminated = GC.AllocateArray<bool>(envCount, pinned: true);
        Truncated = GC.AllocateArray<bool>(envCount, pinned: true);
        CompletedReturn = GC.AllocateArray<float>(envCount, pinned: true);
        CompletedLength = GC.AllocateArray<int>(envCount, pinned: true);
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
        (long)(StateSize + 4 + 2 * ObsSize) * Unsafe.SizeOf<T>() / T.Count + 4L * (1 + 2 * ObsSize + 1 + 1 + 1) + 2;
}

/// <summary><see cref="IEnvLaneIO{T}"/> over <see cref="CpuEnvBuffers{T}"/> for lane value <c>vec</c>.</summary>
internal readonly struct CpuLaneIO<T> : IEnvLaneIO<T> where T : struct, ILane<T>
{
    private readonly CpuEnvBuffers<T> _b;
    private readonly int _vec, _firstEnv, _count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public CpuLaneIO(CpuEnvBuffers<T> buffers, int vec)
    {
        _b = buffers;
        _vec = vec;
        _firstEnv = vec * T.Count;
        _count = Math.Min(T.Count, buffers.EnvCount - _firstEnv);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly T Read(int index) => _b.State[index * _b.Stride + _vec];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteState(int field, T value) => _b.State[field * _b.Stride + _vec] = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteStateMasked(int field, T value, T mask)
    {
        ref T slot = ref _b.State[field * _b.Stride + _vec];
        slot = T.Select(mask, value, slot);
    }

    // Observations are written in lane layout (one vector store per feature) and transposed into
    // the caller's row-major rows once per call by ExportObservations: a K-step call pays for the
    // transpose once, not K times.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteObservation(int feature, T value) => _b.ObsLanes[feature * _b.Stride + _vec] = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteObservationMasked(int feature, T value, T mask)
    {
        ref T slot = ref _b.ObsLanes[feature * _b.Stride + _vec];
        slot = T.Select(mask, value, slot);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteFinalObservation(int feature, T value, T mask)
    {
        ref T slot = ref _b.FinalObsLanes[feature * _b.Stride + _vec];
        slot = T.Select(mask, value, slot);
    }

    /// <summary>Copies this lane value's observations and final observations into the row-major outputs.</summary>
    public readonly void ExportObservations()
    {
        int rowStart = _firstEnv * _b.ObsSize;
        for (int k = 0; k < _b.ObsSize; k++)
        {
            T.Store(_b.ObsLanes[k * _b.Stride + _vec], _b.Obs, rowStart + k, _b.ObsSize, _count);
            T.Store(_b.FinalObsLanes[k * _b.Stride + _vec], _b.FinalObs, rowStart + k, _b.ObsSize, _count);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly T EnvIndex() => T.BitsIota((uint)_firstEnv);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly T ReadAction() => T.Load(_b.Actions, _firstEnv, _count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void ReadBook(out EnvBook<T> book)
    {
        book.RngCounter = _b.RngCounter[_vec];
        book.EpisodeReturn = _b.EpisodeReturn[_vec];
        book.EpisodeLength = _b.EpisodeLength[_vec];
        book.Pending = _b.Pending[_vec];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteBook(in EnvBook<T> book)
    {
        _b.RngCounter[_vec] = book.RngCounter;
        _b.EpisodeReturn[_vec] = book.EpisodeReturn;
        _b.EpisodeLength[_vec] = book.EpisodeLength;
        _b.Pending[_vec] = book.Pending;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteStep(T reward, T terminated, T truncated)
    {
        T.Store(reward, _b.Rewards, _firstEnv, 1, _count);
        T.StoreMask(terminated, System.Runtime.InteropServices.MemoryMarshal.AsBytes(_b.Terminated.AsSpan()), _firstEnv, _count);
        T.StoreMask(truncated, System.Runtime.InteropServices.MemoryMarshal.AsBytes(_b.Truncated.AsSpan()), _firstEnv, _count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public readonly void WriteEpisode(T ended, T episodeReturn, T episodeLength)
    {
        ulong bits = T.MaskBits(ended);
        while (bits != 0)
        {
            int j = System.Numerics.BitOperations.TrailingZeroCount(bits);
            bits &= bits - 1;
            if (j >= _count) break;
            _b.CompletedReturn[_firstEnv + j] = (float)T.Element(episodeReturn, j);
            _b.CompletedLength[_firstEnv + j] = (int)T.Element(episodeLength, j);
        }
    }
}
