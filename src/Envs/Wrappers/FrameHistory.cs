using System.Runtime.CompilerServices;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Wrappers;

/// <summary>
/// A fixed number of lane slots addressed by index: the frame stack's history. Explicit fields instead
/// of an array or Span so that it lives in registers or local memory of a GPU thread (ILGPU kernels
/// take no arrays or spans). Capacities are 8 (<see cref="FrameSlots8{T}"/>) and its doublings
/// (<see cref="FrameSlotPair{THalf, T}"/>): 16, 32, 64.
/// </summary>
public interface IFrameHistory<T> where T : struct, ILane<T>
{
    /// <summary>Number of slots.</summary>
    static abstract int Capacity { get; }

    /// <summary>Slot <paramref name="slot"/> (in [0, Capacity); out-of-range reads the last slot).</summary>
    T Get(int slot);

    /// <summary>Sets slot <paramref name="slot"/> (in [0, Capacity); out-of-range writes the last slot).</summary>
    void Set(int slot, T value);
}

/// <summary>Eight slots as explicit fields.</summary>
public struct FrameSlots8<T> : IFrameHistory<T> where T : struct, ILane<T>
{
    public T S0, S1, S2, S3, S4, S5, S6, S7;

    public static int Capacity => 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Get(int slot) => slot switch
    {
        0 => S0, 1 => S1, 2 => S2, 3 => S3, 4 => S4, 5 => S5, 6 => S6, _ => S7,
    };

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
}

/// <summary>Two halves: twice the capacity of <typeparamref name="THalf"/>.</summary>
public struct FrameSlotPair<THalf, T> : IFrameHistory<T>
    where THalf : struct, IFrameHistory<T> where T : struct, ILane<T>
{
    public THalf Low, High;

    public static int Capacity => 2 * THalf.Capacity;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Get(int slot) => slot < THalf.Capacity ? Low.Get(slot) : High.Get(slot - THalf.Capacity);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int slot, T value)
    {
        if (slot < THalf.Capacity) Low.Set(slot, value);
        else High.Set(slot - THalf.Capacity, value);
    }
}

/// <summary>16 slots.</summary>
public struct FrameSlots16<T> : IFrameHistory<T> where T : struct, ILane<T>
{
    public FrameSlotPair<FrameSlots8<T>, T> Slots;
    public static int Capacity => 16;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Get(int slot) => Slots.Get(slot);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int slot, T value) => Slots.Set(slot, value);
}

/// <summary>32 slots.</summary>
public struct FrameSlots32<T> : IFrameHistory<T> where T : struct, ILane<T>
{
    public FrameSlotPair<FrameSlots16<T>, T> Slots;
    public static int Capacity => 32;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Get(int slot) => Slots.Get(slot);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int slot, T value) => Slots.Set(slot, value);
}

/// <summary>64 slots (<see cref="EnvWrapperOptions.MaxStackSlots"/>).</summary>
public struct FrameSlots64<T> : IFrameHistory<T> where T : struct, ILane<T>
{
    public FrameSlotPair<FrameSlots32<T>, T> Slots;
    public static int Capacity => 64;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Get(int slot) => Slots.Get(slot);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int slot, T value) => Slots.Set(slot, value);
}
