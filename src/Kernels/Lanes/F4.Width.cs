using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace RlKernels.Kernels.Lanes;

/// <summary>
/// Four floats in a Vector128: NEON on ARM64 (Apple Silicon, Graviton, Ampere), SSE on x86 without AVX2.
/// Masks are all-ones bit patterns per element. Picked by <see cref="LaneSelection"/> where Vector128 is
/// accelerated and no wider vector is. The operators it shares with <see cref="F8"/> and <see cref="F16"/>
/// are generated from WideLane.template; this file holds what differs by width, written without x86-only
/// intrinsics except behind their own IsSupported check (each has a portable branch).
/// </summary>
public readonly partial struct F4
{
    /// <summary>Products of the even 32-bit elements of a and b as 64-bit elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> MulEven(Vector128<uint> a, Vector128<uint> b)
    {
        if (Sse2.IsSupported) return Sse2.Multiply(a, b); // pmuludq
        if (AdvSimd.Arm64.IsSupported) // uzp1 gathers the even elements into the low half, umull widens them
            return AdvSimd.MultiplyWideningLower(AdvSimd.Arm64.UnzipEven(a, a).GetLower(), AdvSimd.Arm64.UnzipEven(b, b).GetLower());
        return MulEvenPortable(a, b);
    }

    /// <summary>The odd elements of <paramref name="odd"/> and the even ones of <paramref name="even"/> (vpblendd with AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> OddFromFirst(Vector128<uint> odd, Vector128<uint> even) =>
        Avx2.IsSupported ? Avx2.Blend(even, odd, 0b1010) : Vector128.ConditionalSelect(OddElements, odd, even);

    /// <summary><see cref="MulEven"/> through 64-bit element arithmetic: any platform (tested against the fast branch).</summary>
    internal static Vector128<ulong> MulEvenPortable(Vector128<uint> a, Vector128<uint> b)
    {
        var low = Vector128.Create(0xFFFFFFFFul);
        return (a.AsUInt64() & low) * (b.AsUInt64() & low);
    }

    /// <inheritdoc/>
    /// <remarks>A full lane value: four sign masks narrowed to four bytes, one store (as <see cref="F8.StoreMask"/>).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreMask(F4 mask, Span<byte> dst, int start, int count)
    {
        if (count == 4)
        {
            var m = Vector128.ShiftRightArithmetic(mask.V.AsInt32(), 31);
            var m16 = Vector128.Narrow(m, m);
            var bytes = Vector128.Narrow(m16, m16).AsByte() & Vector128.Create((byte)1);
            System.Runtime.InteropServices.MemoryMarshal.Write(dst.Slice(start, 4), bytes.AsUInt32().ToScalar());
        }
        else StoreMaskBits(mask.V.ExtractMostSignificantBits(), dst, start, count);
    }

    /// <summary>
    /// Four scalar loads (no 128-bit gather on NEON or SSE); indices are clamped first, as on the wider lanes.
    /// </summary>
    public static F4 Gather(ReadOnlySpan<float> table, F4 index)
    {
        var i = GatherIndex(table, index);
        return new(Vector128.Create(table[i.GetElement(0)], table[i.GetElement(1)], table[i.GetElement(2)], table[i.GetElement(3)]));
    }
}
