using System.Runtime.CompilerServices;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Wrappers;

/// <summary>
/// A fixed number of lane slots: the frame stack's history. Explicit fields instead of an array or
/// Span so that it lives in registers or local memory of a GPU thread (ILGPU kernels take no arrays or
/// spans). Capacities are the multiples of 8 up to 64: eight explicit
/// fields (<see cref="FrameSlots8{T}"/>), doublings (<see cref="FrameSlotPair{THalf, T}"/>: 16, 32, 64) and
/// sums (<see cref="FrameSlotSum{TLow, THigh, T}"/>: 24, 40, 48, 56). The runner loads and stores every
/// slot each step, so the wrapper picks the smallest that fits.
/// </summary>
/// <remarks>
/// Speed: a slot addressed by a run-time index is a switch (a jump table on the CPU), so the bulk
/// operations (<see cref="Load{TReader}"/>, <see cref="WriteSlots{TWriter}"/>) name every field
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

    /// <summary>Slot <paramref name="slot"/> (in [0, Capacity); out-of-range reads the last slot).</summary>
    T Get(int slot);

    /// <summary>Sets slot <paramref name="slot"/> (in [0, Capacity); out-of-range writes the last slot).</summary>
    void Set(int slot, T value);

    /// <summary>Slot i = <c>src.Read(offset + i)</c> for every slot.</summary>
    static abstract void Load<TReader>(ref TReader src, int offset, out TSelf h) where TReader : struct, ILaneReader<T>;

    /// <summary><c>dst.Write(offset + i, slot i)</c> for the slots i &lt; <paramref name="count"/>, in order.</summary>
    static abstract void WriteSlots<TWriter>(in TSelf h, ref TWriter dst, int offset, int count) where TWriter : struct, ILaneWriter<T>;
}

/// <summary>Eight slots as explicit fields.</summary>
public struct FrameSlots8<T> : IFrameHistory<FrameSlots8<T>, T> where T : struct, ILane<T>
{
    /// <summary>Slots 0 to 7.</summary>
    public T S0, S1, S2, S3, S4, S5, S6, S7;

    /// <inheritdoc/>
    public static int Capacity => 8;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly T Get(int slot) => slot switch
    {
        0 => S0, 1 => S1, 2 => S2, 3 => S3, 4 => S4, 5 => S5, 6 => S6, _ => S7,
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, T value) => Set(index, value);

    // Load and WriteSlots are out of line here, at eight slots: inlined into a step together with the
    // inner env, 32 or 64 slots' worth of reads and writes exhaust the JIT's inlining budget, which
    // then leaves lane operators and writers as calls; eight slots per call inline completely.

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
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
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void WriteSlots<TWriter>(in FrameSlots8<T> h, ref TWriter dst, int offset, int count) where TWriter : struct, ILaneWriter<T>
    {
        if (count <= 0) return;
        dst.Write(offset, h.S0);
        if (count <= 1) return;
        dst.Write(offset + 1, h.S1);
        if (count <= 2) return;
        dst.Write(offset + 2, h.S2);
        if (count <= 3) return;
        dst.Write(offset + 3, h.S3);
        if (count <= 4) return;
        dst.Write(offset + 4, h.S4);
        if (count <= 5) return;
        dst.Write(offset + 5, h.S5);
        if (count <= 6) return;
        dst.Write(offset + 6, h.S6);
        if (count <= 7) return;
        dst.Write(offset + 7, h.S7);
    }
}

/// <summary>Two halves: twice the capacity of <typeparamref name="THalf"/>.</summary>
public struct FrameSlotPair<THalf, T> : IFrameHistory<FrameSlotPair<THalf, T>, T>
    where THalf : struct, IFrameHistory<THalf, T> where T : struct, ILane<T>
{
    /// <summary>Slots [0, THalf.Capacity) and [THalf.Capacity, Capacity).</summary>
    public THalf Low, High;

    /// <inheritdoc/>
    public static int Capacity => 2 * THalf.Capacity;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Get(int slot) => slot < THalf.Capacity ? Low.Get(slot) : High.Get(slot - THalf.Capacity);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int slot, T value)
    {
        if (slot < THalf.Capacity) Low.Set(slot, value);
        else High.Set(slot - THalf.Capacity, value);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, T value) => Set(index, value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load<TReader>(ref TReader src, int offset, out FrameSlotPair<THalf, T> h) where TReader : struct, ILaneReader<T>
    {
        THalf.Load(ref src, offset, out h.Low);
        THalf.Load(ref src, offset + THalf.Capacity, out h.High);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteSlots<TWriter>(in FrameSlotPair<THalf, T> h, ref TWriter dst, int offset, int count) where TWriter : struct, ILaneWriter<T>
    {
        THalf.WriteSlots(h.Low, ref dst, offset, count);
        if (count > THalf.Capacity) THalf.WriteSlots(h.High, ref dst, offset + THalf.Capacity, count - THalf.Capacity);
    }
}

/// <summary>Two unequal parts: the capacity of <typeparamref name="TLow"/> plus that of <typeparamref name="THigh"/>.</summary>
public struct FrameSlotSum<TLow, THigh, T> : IFrameHistory<FrameSlotSum<TLow, THigh, T>, T>
    where TLow : struct, IFrameHistory<TLow, T> where THigh : struct, IFrameHistory<THigh, T> where T : struct, ILane<T>
{
    /// <summary>Slots [0, TLow.Capacity).</summary>
    public TLow Low;
    /// <summary>Slots [TLow.Capacity, Capacity).</summary>
    public THigh High;

    /// <inheritdoc/>
    public static int Capacity => TLow.Capacity + THigh.Capacity;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Get(int slot) => slot < TLow.Capacity ? Low.Get(slot) : High.Get(slot - TLow.Capacity);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int slot, T value)
    {
        if (slot < TLow.Capacity) Low.Set(slot, value);
        else High.Set(slot - TLow.Capacity, value);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, T value) => Set(index, value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load<TReader>(ref TReader src, int offset, out FrameSlotSum<TLow, THigh, T> h) where TReader : struct, ILaneReader<T>
    {
        TLow.Load(ref src, offset, out h.Low);
        THigh.Load(ref src, offset + TLow.Capacity, out h.High);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteSlots<TWriter>(in FrameSlotSum<TLow, THigh, T> h, ref TWriter dst, int offset, int count) where TWriter : struct, ILaneWriter<T>
    {
        TLow.WriteSlots(h.Low, ref dst, offset, count);
        if (count > TLow.Capacity) THigh.WriteSlots(h.High, ref dst, offset + TLow.Capacity, count - TLow.Capacity);
    }
}

/// <summary>16 slots.</summary>
public struct FrameSlots16<T> : IFrameHistory<FrameSlots16<T>, T> where T : struct, ILane<T>
{
    /// <summary>The slots, as a composition of smaller histories; the members forward to it.</summary>
    public FrameSlotPair<FrameSlots8<T>, T> Slots;
    /// <inheritdoc/>
    public static int Capacity => 16;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Get(int slot) => Slots.Get(slot);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int slot, T value) => Slots.Set(slot, value);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, T value) => Slots.Set(index, value);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load<TReader>(ref TReader src, int offset, out FrameSlots16<T> h) where TReader : struct, ILaneReader<T> =>
        FrameSlotPair<FrameSlots8<T>, T>.Load(ref src, offset, out h.Slots);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteSlots<TWriter>(in FrameSlots16<T> h, ref TWriter dst, int offset, int count) where TWriter : struct, ILaneWriter<T> =>
        FrameSlotPair<FrameSlots8<T>, T>.WriteSlots(h.Slots, ref dst, offset, count);
}

/// <summary>32 slots.</summary>
public struct FrameSlots32<T> : IFrameHistory<FrameSlots32<T>, T> where T : struct, ILane<T>
{
    /// <summary>The slots, as a composition of smaller histories; the members forward to it.</summary>
    public FrameSlotPair<FrameSlots16<T>, T> Slots;
    /// <inheritdoc/>
    public static int Capacity => 32;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Get(int slot) => Slots.Get(slot);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int slot, T value) => Slots.Set(slot, value);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, T value) => Slots.Set(index, value);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load<TReader>(ref TReader src, int offset, out FrameSlots32<T> h) where TReader : struct, ILaneReader<T> =>
        FrameSlotPair<FrameSlots16<T>, T>.Load(ref src, offset, out h.Slots);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteSlots<TWriter>(in FrameSlots32<T> h, ref TWriter dst, int offset, int count) where TWriter : struct, ILaneWriter<T> =>
        FrameSlotPair<FrameSlots16<T>, T>.WriteSlots(h.Slots, ref dst, offset, count);
}

/// <summary>64 slots (<see cref="EnvWrapperOptions.MaxStackSlots"/>).</summary>
public struct FrameSlots64<T> : IFrameHistory<FrameSlots64<T>, T> where T : struct, ILane<T>
{
    /// <summary>The slots, as a composition of smaller histories; the members forward to it.</summary>
    public FrameSlotPair<FrameSlots32<T>, T> Slots;
    /// <inheritdoc/>
    public static int Capacity => 64;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Get(int slot) => Slots.Get(slot);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int slot, T value) => Slots.Set(slot, value);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, T value) => Slots.Set(index, value);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load<TReader>(ref TReader src, int offset, out FrameSlots64<T> h) where TReader : struct, ILaneReader<T> =>
        FrameSlotPair<FrameSlots32<T>, T>.Load(ref src, offset, out h.Slots);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteSlots<TWriter>(in FrameSlots64<T> h, ref TWriter dst, int offset, int count) where TWriter : struct, ILaneWriter<T> =>
        FrameSlotPair<FrameSlots32<T>, T>.WriteSlots(h.Slots, ref dst, offset, count);
}

/// <summary>24 slots.</summary>
public struct FrameSlots24<T> : IFrameHistory<FrameSlots24<T>, T> where T : struct, ILane<T>
{
    /// <summary>The slots, as a composition of smaller histories; the members forward to it.</summary>
    public FrameSlotSum<FrameSlots16<T>, FrameSlots8<T>, T> Slots;
    /// <inheritdoc/>
    public static int Capacity => 24;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Get(int slot) => Slots.Get(slot);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int slot, T value) => Slots.Set(slot, value);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, T value) => Slots.Set(index, value);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load<TReader>(ref TReader src, int offset, out FrameSlots24<T> h) where TReader : struct, ILaneReader<T> =>
        FrameSlotSum<FrameSlots16<T>, FrameSlots8<T>, T>.Load(ref src, offset, out h.Slots);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteSlots<TWriter>(in FrameSlots24<T> h, ref TWriter dst, int offset, int count) where TWriter : struct, ILaneWriter<T> =>
        FrameSlotSum<FrameSlots16<T>, FrameSlots8<T>, T>.WriteSlots(h.Slots, ref dst, offset, count);
}

/// <summary>40 slots.</summary>
public struct FrameSlots40<T> : IFrameHistory<FrameSlots40<T>, T> where T : struct, ILane<T>
{
    /// <summary>The slots, as a composition of smaller histories; the members forward to it.</summary>
    public FrameSlotSum<FrameSlots32<T>, FrameSlots8<T>, T> Slots;
    /// <inheritdoc/>
    public static int Capacity => 40;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Get(int slot) => Slots.Get(slot);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int slot, T value) => Slots.Set(slot, value);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, T value) => Slots.Set(index, value);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load<TReader>(ref TReader src, int offset, out FrameSlots40<T> h) where TReader : struct, ILaneReader<T> =>
        FrameSlotSum<FrameSlots32<T>, FrameSlots8<T>, T>.Load(ref src, offset, out h.Slots);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteSlots<TWriter>(in FrameSlots40<T> h, ref TWriter dst, int offset, int count) where TWriter : struct, ILaneWriter<T> =>
        FrameSlotSum<FrameSlots32<T>, FrameSlots8<T>, T>.WriteSlots(h.Slots, ref dst, offset, count);
}

/// <summary>48 slots.</summary>
public struct FrameSlots48<T> : IFrameHistory<FrameSlots48<T>, T> where T : struct, ILane<T>
{
    /// <summary>The slots, as a composition of smaller histories; the members forward to it.</summary>
    public FrameSlotSum<FrameSlots32<T>, FrameSlots16<T>, T> Slots;
    /// <inheritdoc/>
    public static int Capacity => 48;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Get(int slot) => Slots.Get(slot);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int slot, T value) => Slots.Set(slot, value);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, T value) => Slots.Set(index, value);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load<TReader>(ref TReader src, int offset, out FrameSlots48<T> h) where TReader : struct, ILaneReader<T> =>
        FrameSlotSum<FrameSlots32<T>, FrameSlots16<T>, T>.Load(ref src, offset, out h.Slots);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteSlots<TWriter>(in FrameSlots48<T> h, ref TWriter dst, int offset, int count) where TWriter : struct, ILaneWriter<T> =>
        FrameSlotSum<FrameSlots32<T>, FrameSlots16<T>, T>.WriteSlots(h.Slots, ref dst, offset, count);
}

/// <summary>56 slots.</summary>
public struct FrameSlots56<T> : IFrameHistory<FrameSlots56<T>, T> where T : struct, ILane<T>
{
    /// <summary>The slots, as a composition of smaller histories; the members forward to it.</summary>
    public FrameSlotSum<FrameSlots32<T>, FrameSlots24<T>, T> Slots;
    /// <inheritdoc/>
    public static int Capacity => 56;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Get(int slot) => Slots.Get(slot);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int slot, T value) => Slots.Set(slot, value);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, T value) => Slots.Set(index, value);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load<TReader>(ref TReader src, int offset, out FrameSlots56<T> h) where TReader : struct, ILaneReader<T> =>
        FrameSlotSum<FrameSlots32<T>, FrameSlots24<T>, T>.Load(ref src, offset, out h.Slots);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteSlots<TWriter>(in FrameSlots56<T> h, ref TWriter dst, int offset, int count) where TWriter : struct, ILaneWriter<T> =>
        FrameSlotSum<FrameSlots32<T>, FrameSlots24<T>, T>.WriteSlots(h.Slots, ref dst, offset, count);
}
