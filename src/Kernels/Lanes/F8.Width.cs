using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RlKernels.Kernels.Lanes;

/// <summary>
/// Eight floats in a Vector256 (AVX2). Masks are all-ones bit patterns per element. Picked by
/// <see cref="LaneSelection"/> where Vector256 is accelerated and Vector512 is not. The operators it shares
/// with <see cref="F4"/> and <see cref="F16"/> are generated from WideLane.template; this file holds what
/// differs by width.
/// </summary>
public readonly partial struct F8
{
    /// <summary>Products of the even 32-bit elements of a and b as 64-bit elements (vpmuludq).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> MulEven(Vector256<uint> a, Vector256<uint> b) => Avx2.Multiply(a, b);

    /// <summary>The odd elements of <paramref name="odd"/> and the even ones of <paramref name="even"/>: one vpblendd (a select
    /// with a constant mask compiles to three logic operations, twice per Philox round).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> OddFromFirst(Vector256<uint> odd, Vector256<uint> even) => Avx2.Blend(even, odd, 0b1010_1010);

    /// <inheritdoc/>
    /// <remarks>A full lane value narrows its eight sign masks to eight bytes and stores them at once: the runner writes
    /// two masks per step, and the bit loop's eight byte stores each were a sizeable share of a CartPole step.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreMask(F8 mask, Span<byte> dst, int start, int count)
    {
        if (count == 8)
        {
            // The sign bit decides, as in ExtractMostSignificantBits: −1 or 0 per element, narrowed 32 → 16 → 8 bits.
            var m = Vector256.ShiftRightArithmetic(mask.V.AsInt32(), 31);
            var m16 = Vector128.Narrow(m.GetLower(), m.GetUpper());
            var bytes = Vector128.Narrow(m16, m16).AsByte() & Vector128.Create((byte)1);
            System.Runtime.InteropServices.MemoryMarshal.Write(dst.Slice(start, 8), bytes.AsUInt64().ToScalar());
        }
        else StoreMaskBits(mask.V.ExtractMostSignificantBits(), dst, start, count);
    }

    /// <summary>One vgatherdps; indices are clamped first (the instruction does no bounds check).</summary>
    public static unsafe F8 Gather(ReadOnlySpan<float> table, F8 index)
    {
        var i = GatherIndex(table, index);
        fixed (float* p = table) return new(Avx2.GatherVector256(p, i, 4));
    }
}
