using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Wrappers;

/// <summary>
/// A frame-stack history for the SIMD lanes (CPU only): <typeparamref name="TBuffer"/>'s slots addressed by index, a
/// plain indexed load or store. <see cref="FrameSlots8{T}"/> names its slots as fields so that ILGPU can keep them in a
/// GPU thread's registers, and pays for it with a jump table per slot picked at run time (the frame stack's aging and
/// reset padding pick every slot that way); ILGPU rejects the span this type uses, even in a branch dead for the GPU's
/// lane type, so the wrapper picks this type for lanes wider than one element only (<see cref="WrapperSink{T, TNext, TResult}"/>),
/// which never reach a GPU kernel.
/// </summary>
/// <typeparam name="TBuffer">An inline array of lane values: its size fixes the capacity.</typeparam>
/// <typeparam name="T">The lane type.</typeparam>
public struct IndexedFrameHistory<TBuffer, T> : IFrameHistory<IndexedFrameHistory<TBuffer, T>, T>
    where TBuffer : struct where T : struct, ILane<T>
{
    private TBuffer _slots;
    private int _writeBase;

    /// <inheritdoc/>
    public static int Capacity
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Unsafe.SizeOf<TBuffer>() / Unsafe.SizeOf<T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Span<T> Slots(ref IndexedFrameHistory<TBuffer, T> h) =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<TBuffer, T>(ref h._slots), Capacity);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Get(in IndexedFrameHistory<TBuffer, T> h, int slot) =>
        Unsafe.Add(ref Unsafe.As<TBuffer, T>(ref Unsafe.AsRef(in h._slots)), Clamp(slot));

    /// <summary>The slot, or the last one for an index outside [0, Capacity): in range without a bounds check (the step's
    /// frame stores and loads checked each index twice).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Clamp(int slot) => (int)Math.Min((uint)slot, (uint)(Capacity - 1));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int slot, T value) => Unsafe.Add(ref Unsafe.As<TBuffer, T>(ref _slots), Clamp(slot)) = value;

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
    /// <remarks>Leaves the slots' stack memory as it is (no store at all).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Unread(out IndexedFrameHistory<TBuffer, T> h)
    {
        Unsafe.SkipInit(out h);
        h._writeBase = 0;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load<TReader>(ref TReader src, int offset, out IndexedFrameHistory<TBuffer, T> h) where TReader : struct, ILaneReader<T>
    {
        Unsafe.SkipInit(out h);
        h._writeBase = 0;
        Span<T> slots = Slots(ref h);
        for (int i = 0; i < slots.Length; i++) slots[i] = src.Read(offset + i);
    }
}

/// <summary>Capacities of <see cref="IndexedFrameHistory{TBuffer, T}"/>: the multiples of 4 up to <see cref="EnvWrapperOptions.MaxStackSlots"/>.</summary>
[InlineArray(4)] public struct LaneBuffer4<T> { private T _first; }
/// <inheritdoc cref="LaneBuffer4{T}"/>
[InlineArray(8)] public struct LaneBuffer8<T> { private T _first; }
/// <inheritdoc cref="LaneBuffer4{T}"/>
[InlineArray(12)] public struct LaneBuffer12<T> { private T _first; }
/// <inheritdoc cref="LaneBuffer4{T}"/>
[InlineArray(16)] public struct LaneBuffer16<T> { private T _first; }
/// <inheritdoc cref="LaneBuffer4{T}"/>
[InlineArray(20)] public struct LaneBuffer20<T> { private T _first; }
/// <inheritdoc cref="LaneBuffer4{T}"/>
[InlineArray(24)] public struct LaneBuffer24<T> { private T _first; }
/// <inheritdoc cref="LaneBuffer4{T}"/>
[InlineArray(28)] public struct LaneBuffer28<T> { private T _first; }
/// <inheritdoc cref="LaneBuffer4{T}"/>
[InlineArray(32)] public struct LaneBuffer32<T> { private T _first; }
/// <inheritdoc cref="LaneBuffer4{T}"/>
[InlineArray(36)] public struct LaneBuffer36<T> { private T _first; }
/// <inheritdoc cref="LaneBuffer4{T}"/>
[InlineArray(40)] public struct LaneBuffer40<T> { private T _first; }
/// <inheritdoc cref="LaneBuffer4{T}"/>
[InlineArray(44)] public struct LaneBuffer44<T> { private T _first; }
/// <inheritdoc cref="LaneBuffer4{T}"/>
[InlineArray(48)] public struct LaneBuffer48<T> { private T _first; }
/// <inheritdoc cref="LaneBuffer4{T}"/>
[InlineArray(52)] public struct LaneBuffer52<T> { private T _first; }
/// <inheritdoc cref="LaneBuffer4{T}"/>
[InlineArray(56)] public struct LaneBuffer56<T> { private T _first; }
/// <inheritdoc cref="LaneBuffer4{T}"/>
[InlineArray(60)] public struct LaneBuffer60<T> { private T _first; }
/// <inheritdoc cref="LaneBuffer4{T}"/>
[InlineArray(64)] public struct LaneBuffer64<T> { private T _first; }
/// <inheritdoc cref="LaneBuffer4{T}"/>
[InlineArray(68)] public struct LaneBuffer68<T> { private T _first; }
/// <inheritdoc cref="LaneBuffer4{T}"/>
[InlineArray(72)] public struct LaneBuffer72<T> { private T _first; }
