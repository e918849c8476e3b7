using System.Runtime.CompilerServices;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Wrappers;

/// <summary>
/// A fixed number of lane slots: the frame stack's history. Explicit fields instead of an array or
/// Span so that it lives in registers or local memory of a GPU thread (ILGPU kernels take no arrays or
/// spans). Capacities are the multiples of 8 up to 64: eight explicit
/// fields (<see cref="FrameSlots8{T}"/>) and sums of smaller histories (<see cref="FrameSlotSum{TLow, THigh, T}"/>,
/// composed in <see cref="WrapperSink{T, TNext, TResult}"/>). The runner loads and stores every slot each
/// step, so the wrapper picks the smallest that fits. These named-slot histories serve the one-element lanes (the GPU
/// kernels'); the SIMD lanes use <see cref="IndexedFrameHistory{TBuffer, T}"/>, which picks a slot without a jump table.
/// </summary>
/// <remarks>
/// Speed: a slot addressed by a run-time index is a switch (a jump table on the CPU), so the bulk
/// operation (<see cref="Load{TReader}"/>) names every field
/// explicitly instead of looping over <see cref="Get"/> and <see cref="Set"/>; they are static and take
/// the history by <c>in</c>/<c>out</c>, so no caller copies it (a generic struct method called on an
/// <c>in</c> field would copy the whole history first). As an <see cref="ILaneWriter{T}"/> the history
/// takes an observation written to slots 0, 1, … directly; with the indices constant after inlining,
/// the switches fold away.
/// </remarks>
public interface IFrameHistory<TSelf, T> : ILaneWriter<T>
    where TSelf : struct, IFrameHistory<TSelf, T> where T : struct, ILane<T>
{
    /// <summary>Number of slots.</summary>
    static abstract int Capacity { get; }

    /// <summary>Slot <paramref name="slot"/> of <paramref name="h"/> (in [0, Capacity); out-of-range reads the last slot).
    /// Static, taking the history by <c>in</c>: an instance method called on an <c>in</c> history would copy it first.</summary>
    static abstract T Get(in TSelf h, int slot);

    /// <summary>Sets slot <paramref name="slot"/> (in [0, Capacity); out-of-range writes the last slot).</summary>
    void Set(int slot, T value);

    /// <summary>Where the history takes what it is given as an <see cref="ILaneWriter{T}"/>: <c>Write(index, value)</c>
    /// sets slot <c>WriteBase + index</c> (an observation written into a frame of the ring).</summary>
    int WriteBase { get; set; }

    /// <summary>A history whose slots nothing will read (Load's stand-in for a state that is not observed; see
    /// <see cref="ILaneReader{T}.Observed"/>): the slots are unspecified.</summary>
    static abstract void Unread(out TSelf h);

    /// <summary>Slot i = <c>src.Read(offset + i)</c> for every slot.</summary>
    static abstract void Load<TReader>(ref TReader src, int offset, out TSelf h) where TReader : struct, ILaneReader<T>;
}

/// <summary>Eight slots as explicit fields.</summary>
public struct FrameSlots8<T> : IFrameHistory<FrameSlots8<T>, T> where T : struct, ILane<T>
{
    /// <summary>Slots 0 to 7.</summary>
    public T S0, S1, S2, S3, S4, S5, S6, S7;
    private int _writeBase;

    /// <inheritdoc/>
    public static int Capacity => 8;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Get(in FrameSlots8<T> h, int slot) => slot switch
    {
        0 => h.S0, 1 => h.S1, 2 => h.S2, 3 => h.S3, 4 => h.S4, 5 => h.S5, 6 => h.S6, _ => h.S7,
    };

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int slot, T value)
    {
        switch (slot)
        {
            case 0: S0 = value; break;
            case 1: S1 = value; break;
            case 2: S2 = value; break;
            case 3: S3 = value; break;
            case 4: S4 = value; break;
            case 5: S5 = value; break;
            case 6: S6 = value; break;
            default: S7 = value; break;
        }
    }

    /// <inheritdoc/>
    public int WriteBase
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] readonly get => _writeBase;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] set => _writeBase = value;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, T value) => Set(_writeBase + index, value);

    // Load inline: out of line, each call took the history by reference, so the step kept it in stack
    // memory and paid a call per eight slots; inlined, a CartPole frame stack (k = 4, 16 slots) took about 18% less
    // CPU time per step, k = 2 and 8 about 7%, Acrobot k = 4 the same (one thread, 65,536 envs, alternating runs).

    /// <inheritdoc/>
    /// <remarks>Zeros: the slots are fields a GPU thread keeps in registers.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Unread(out FrameSlots8<T> h) => h = default;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load<TReader>(ref TReader src, int offset, out FrameSlots8<T> h) where TReader : struct, ILaneReader<T>
    {
        h.S0 = src.Read(offset);
        h.S1 = src.Read(offset + 1);
        h.S2 = src.Read(offset + 2);
        h.S3 = src.Read(offset + 3);
        h.S4 = src.Read(offset + 4);
        h.S5 = src.Read(offset + 5);
        h.S6 = src.Read(offset + 6);
        h.S7 = src.Read(offset + 7);
        h._writeBase = 0;
    }
}

/// <summary>Two parts: the capacity of <typeparamref name="TLow"/> plus that of <typeparamref name="THigh"/> (16 = 8 + 8, 24 = 16 + 8, …).</summary>
public struct FrameSlotSum<TLow, THigh, T> : IFrameHistory<FrameSlotSum<TLow, THigh, T>, T>
    where TLow : struct, IFrameHistory<TLow, T> where THigh : struct, IFrameHistory<THigh, T> where T : struct, ILane<T>
{
    /// <summary>Slots [0, TLow.Capacity).</summary>
    public TLow Low;
    /// <summary>Slots [TLow.Capacity, Capacity).</summary>
    public THigh High;
    private int _writeBase;

    /// <inheritdoc/>
    public static int Capacity => TLow.Capacity + THigh.Capacity;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Get(in FrameSlotSum<TLow, THigh, T> h, int slot) =>
        slot < TLow.Capacity ? TLow.Get(h.Low, slot) : THigh.Get(h.High, slot - TLow.Capacity);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int slot, T value)
    {
        if (slot < TLow.Capacity) Low.Set(slot, value);
        else High.Set(slot - TLow.Capacity, value);
    }

    /// <inheritdoc/>
    public int WriteBase
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] readonly get => _writeBase;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] set => _writeBase = value;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, T value) => Set(_writeBase + index, value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Unread(out FrameSlotSum<TLow, THigh, T> h)
    {
        TLow.Unread(out h.Low);
        THigh.Unread(out h.High);
        h._writeBase = 0;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load<TReader>(ref TReader src, int offset, out FrameSlotSum<TLow, THigh, T> h) where TReader : struct, ILaneReader<T>
    {
        TLow.Load(ref src, offset, out h.Low);
        THigh.Load(ref src, offset + TLow.Capacity, out h.High);
        h._writeBase = 0;
    }
}
