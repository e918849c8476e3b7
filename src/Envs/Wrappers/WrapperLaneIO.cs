using System.Runtime.CompilerServices;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Wrappers;

// Adapters that let a wrapper hand its inner env a shifted or filtered view of the reader or writer
// it was given. They hold the reader or writer by value; wrappers copy a writer back after the inner
// call, so a writer that keeps its data in its own fields works as well as one that holds references.
// All of them compile with ILGPU: plain structs, int arithmetic, no spans.

/// <summary>Reads field k of the inner env as field <c>offset + k</c> of the outer state.</summary>
public struct OffsetReader<T, TReader>(TReader inner, int offset) : ILaneReader<T>
    where T : struct, ILane<T> where TReader : struct, ILaneReader<T>
{
    private TReader _inner = inner;
    private readonly int _offset = offset;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Read(int index) => _inner.Read(_offset + index);

    /// <inheritdoc/>
    public bool Observed
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] get => _inner.Observed;
    }
}

/// <summary>Writes field k of the inner env as field <c>offset + k</c> of the outer state.</summary>
public struct OffsetWriter<T, TWriter>(TWriter inner, int offset) : ILaneWriter<T>
    where T : struct, ILane<T> where TWriter : struct, ILaneWriter<T>
{
    /// <summary>The wrapped writer; copied back by the wrapper after the inner call.</summary>
    public TWriter Inner = inner;
    private readonly int _offset = offset;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, T value) => Inner.Write(_offset + index, value);
}

/// <summary>
/// Keeps the observation features whose bit is set in <c>keepMask</c> and renumbers them densely:
/// feature k goes to position popcount(keepMask &amp; ((1 &lt;&lt; k) − 1)); the others are dropped.
/// </summary>
public struct KeptFeatureWriter<T, TWriter>(TWriter inner, uint keepMask) : ILaneWriter<T>
    where T : struct, ILane<T> where TWriter : struct, ILaneWriter<T>
{
    /// <summary>The wrapped writer, which receives the kept features.</summary>
    public TWriter Inner = inner;
    private readonly uint _keepMask = keepMask;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, T value)
    {
        if (((_keepMask >> index) & 1u) == 0) return;
        // A loop rather than BitOperations.PopCount: it compiles to plain PTX, and index is small (< 32).
        int rank = 0;
        for (int j = 0; j < index; j++) rank += (int)((_keepMask >> j) & 1u);
        Inner.Write(rank, value);
    }
}
