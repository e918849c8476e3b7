using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RlKernels.Kernels.Lanes;

/// <summary>
/// Sixteen floats in a Vector512 (AVX-512). Masks are all-ones bit patterns per element. Picked by
/// <see cref="LaneSelection"/> where Vector512 is accelerated. The operators it shares with <see cref="F4"/>
/// and <see cref="F8"/> are generated from WideLane.template; this file holds what differs by width.
/// </summary>
public readonly partial struct F16
{
    /// <summary>Products of the even 32-bit elements of a and b as 64-bit elements (vpmuludq).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> MulEven(Vector512<uint> a, Vector512<uint> b) => Avx512F.Multiply(a, b);

    /// <summary>The odd elements of <paramref name="odd"/> and the even ones of <paramref name="even"/> (one vpternlogd).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> OddFromFirst(Vector512<uint> odd, Vector512<uint> even) => Vector512.ConditionalSelect(OddElements, odd, even);

    /// <inheritdoc/>
    public static void StoreMask(F16 mask, Span<byte> dst, int start, int count)
    {
        if (count == 16) (Avx512F.ConvertToVector128Byte(mask.V.AsUInt32()) & Vector128.Create((byte)1)).CopyTo(dst.Slice(start, 16));
        else StoreMaskBits(mask.V.ExtractMostSignificantBits(), dst, start, count);
    }

    /// <summary>
    /// Two 256-bit vgatherdps (.NET exposes no 512-bit gather); indices are clamped first (the
    /// instruction does no bounds check).
    /// </summary>
    public static unsafe F16 Gather(ReadOnlySpan<float> table, F16 index)
    {
        var i = GatherIndex(table, index);
        fixed (float* p = table)
            return new(Vector512.Create(Avx2.GatherVector256(p, i.GetLower(), 4), Avx2.GatherVector256(p, i.GetUpper(), 4)));
    }
}
