using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RlKernels.Kernels.Lanes;

/// <summary>
/// The memory paths of the SIMD lanes (<see cref="F4"/>, <see cref="F8"/>, <see cref="F16"/>) that go through a small stack
/// buffer of one lane's floats: partial loads, strided stores, and loads and stores of doubles. Written once
/// over the lane type; each instantiation compiles to the same code the per-width copies did.
/// </summary>
internal static class LaneSpill
{
    /// <summary>src[start .. start+count) with the missing elements 0, through one full-width load.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static T LoadPartial<T>(ReadOnlySpan<float> src, int start, int count) where T : struct, ILane<T>
    {
        Span<float> tmp = stackalloc float[T.Count];
        tmp.Clear();
        src.Slice(start, count).CopyTo(tmp);
        return T.Load(tmp, 0, T.Count);
    }

    /// <summary>src[start .. start+count) rounded to float, the missing elements 0.</summary>
    public static T Load<T>(ReadOnlySpan<double> src, int start, int count) where T : struct, ILane<T>
    {
        Span<float> tmp = stackalloc float[T.Count];
        tmp.Clear();
        for (int j = 0; j < count; j++) tmp[j] = (float)src[start + j];
        return T.Load(tmp, 0, T.Count);
    }

    /// <summary>Element j to dst[start + j·stride] for j &lt; count.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void StoreStrided<T>(T value, Span<float> dst, int start, int stride, int count) where T : struct, ILane<T>
    {
        if (count <= 0) return;
        // Bounds-check both ends (checked: no wrap-around) so the unchecked writes below stay inside dst,
        // whatever the sign of start or stride.
        _ = dst[start];
        _ = dst[checked(start + (count - 1) * stride)];
        // Spill once, then scalar moves: cheaper than extracting each element from the register.
        Span<float> tmp = stackalloc float[T.Count];
        T.Store(value, tmp, 0, 1, T.Count);
        ref float d = ref MemoryMarshal.GetReference(dst);
        for (int j = 0; j < count; j++) Unsafe.Add(ref d, start + j * stride) = tmp[j];
    }

    /// <summary>Element j to dst[start + j] for j &lt; count.</summary>
    public static void Store<T>(T value, Span<double> dst, int start, int count) where T : struct, ILane<T>
    {
        for (int j = 0; j < count; j++) dst[start + j] = T.Element(value, j);
    }
}
