using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RlKernels.Kernels.Random;

namespace RlKernels.Kernels.Lanes;

/// <summary>
/// Sixteen floats in a Vector512 (AVX-512). Masks are all-ones bit patterns per element. Picked by
/// <see cref="LaneSelection"/> only where Avx512F is supported; F8 is its 256-bit twin.
/// </summary>
public readonly struct F16 : ILane<F16>
{
    /// <summary>The sixteen float elements (for masks: all-ones bits per true element).</summary>
    public readonly Vector512<float> V;

    /// <summary>Wraps a Vector512 as a lane value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public F16(Vector512<float> v) => V = v;

    /// <inheritdoc/>
    public static int Count => 16;
    /// <inheritdoc/>
    public static bool IsDouble => false;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 Splat(double value) => new(Vector512.Create((float)value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 operator +(F16 a, F16 b) => new(a.V + b.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 operator -(F16 a, F16 b) => new(a.V - b.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 operator *(F16 a, F16 b) => new(a.V * b.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 operator /(F16 a, F16 b) => new(a.V / b.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 operator -(F16 a) => new(-a.V);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 Sin(F16 x)
    {
        SinCos(x, out F16 sin, out _);
        return sin;
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 Cos(F16 x)
    {
        SinCos(x, out _, out F16 cos);
        return cos;
    }

    /// <summary>The shared <see cref="LaneTrig"/> polynomial (bit-identical to F1); the library functions beyond its range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SinCos(F16 x, out F16 sin, out F16 cos)
    {
        LaneTrig.SinCos(x, out sin, out cos);
        F16 far = LaneTrig.OutOfRange(x);
        if (AnyTrue(far)) SinCosFar(x, far, ref sin, ref cos);
    }

    /// <summary>Library sin/cos where |x| is beyond the polynomial's reduction; out of line (rare, and large).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SinCosFar(F16 x, F16 far, ref F16 sin, ref F16 cos)
    {
        sin = Select(far, new(Vector512.Sin(x.V)), sin);
        cos = Select(far, new(Vector512.Cos(x.V)), cos);
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 Sqrt(F16 x) => new(Vector512.Sqrt(x.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 Log(F16 x) => new(Vector512.Log(x.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 Abs(F16 x) => new(Vector512.Abs(x.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 Min(F16 a, F16 b) => new(Vector512.Min(a.V, b.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 Max(F16 a, F16 b) => new(Vector512.Max(a.V, b.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 Floor(F16 x) => new(Vector512.Floor(x.V));
    /// <summary>y − m·floor(y/m): the same float formula as F1 (bit-identical across float lanes); only D1 is exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 FlooredMod(F16 y, F16 m) => new(y.V - m.V * Vector512.Floor(y.V / m.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 RoundToFloat(F16 x) => x;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 Square(F16 x) => x * x;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 LessThan(F16 a, F16 b) => new(Vector512.LessThan(a.V, b.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 LessOrEqual(F16 a, F16 b) => new(Vector512.LessThanOrEqual(a.V, b.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 GreaterThan(F16 a, F16 b) => new(Vector512.GreaterThan(a.V, b.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 GreaterOrEqual(F16 a, F16 b) => new(Vector512.GreaterThanOrEqual(a.V, b.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 Equal(F16 a, F16 b) => new(Vector512.Equals(a.V, b.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 And(F16 maskA, F16 maskB) => new(maskA.V & maskB.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 Or(F16 maskA, F16 maskB) => new(maskA.V | maskB.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 AndNot(F16 maskA, F16 maskB) => new(Vector512.AndNot(maskA.V, maskB.V));
    /// <inheritdoc/>
    public static F16 FalseMask => new(Vector512<float>.Zero);
    /// <inheritdoc/>
    public static F16 TrueMask => new(Vector512<uint>.AllBitsSet.AsSingle());
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 Select(F16 mask, F16 ifTrue, F16 ifFalse) => new(Vector512.ConditionalSelect(mask.V, ifTrue.V, ifFalse.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 MaskToOne(F16 mask) => new(mask.V & Vector512<float>.One);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 NonZero(F16 value) => new(~Vector512.Equals(value.V, Vector512<float>.Zero));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyTrue(F16 mask) => mask.V.AsUInt32() != Vector512<uint>.Zero;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MaskBits(F16 mask) => mask.V.ExtractMostSignificantBits();

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 BitsIota(uint first) => new((Vector512.Create(first) + Vector512<uint>.Indices).AsSingle());
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 BitsSplat(uint value) => new(Vector512.Create(value).AsSingle());
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 BitsAdd(F16 bits, uint increment, F16 mask) =>
        new((bits.V.AsUInt32() + (Vector512.Create(increment) & mask.V.AsUInt32())).AsSingle());

    private static readonly Vector512<uint> OddElements = Vector512.Create(0u, ~0u, 0u, ~0u, 0u, ~0u, 0u, ~0u, 0u, ~0u, 0u, ~0u, 0u, ~0u, 0u, ~0u);

    /// <summary>32×32→64 products of a by the constant m, split into high and low words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MulHiLo(Vector512<uint> a, uint m, out Vector512<uint> hi, out Vector512<uint> lo)
    {
        var mv = Vector512.Create(m);
        lo = a * mv;
        // vpmuludq multiplies the even 32-bit elements into 64-bit products; shift to reach the odd ones.
        var even = Avx512F.Multiply(a, mv);
        var odd = Avx512F.Multiply(Avx512F.ShiftRightLogical(a.AsUInt64(), 32).AsUInt32(), mv);
        hi = Vector512.ConditionalSelect(OddElements, odd.AsUInt32(), Avx512F.ShiftRightLogical(even, 32).AsUInt32());
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Philox(F16 c0, F16 c1, uint c2, uint c3, uint k0, uint k1,
        out F16 r0, out F16 r1, out F16 r2, out F16 r3)
    {
        var x0 = c0.V.AsUInt32();
        var x1 = c1.V.AsUInt32();
        var x2 = Vector512.Create(c2);
        var x3 = Vector512.Create(c3);
        for (int round = 0; round < Philox4x32.Rounds; round++)
        {
            MulHiLo(x0, Philox4x32.M0, out var hi0, out var lo0);
            MulHiLo(x2, Philox4x32.M1, out var hi1, out var lo1);
            x0 = hi1 ^ x1 ^ Vector512.Create(k0);
            x1 = lo1;
            x2 = hi0 ^ x3 ^ Vector512.Create(k1);
            x3 = lo0;
            k0 += Philox4x32.W0;
            k1 += Philox4x32.W1;
        }
        r0 = new(x0.AsSingle()); r1 = new(x1.AsSingle()); r2 = new(x2.AsSingle()); r3 = new(x3.AsSingle());
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 BitsToUnit(F16 bits) =>
        new(Vector512.ConvertToSingle(Vector512.ShiftRightLogical(bits.V.AsUInt32(), 8).AsInt32()) * Vector512.Create(1.0f / 16777216.0f));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 BitsToOpenUnit(F16 bits) =>
        new((Vector512.ConvertToSingle(Vector512.ShiftRightLogical(bits.V.AsUInt32(), 9).AsInt32()) + Vector512.Create(0.5f)) * Vector512.Create(1.0f / 8388608.0f));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint BitsElement(F16 bits, int j) => bits.V.AsUInt32().GetElement(j);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Element(F16 value, int j) => value.V.GetElement(j);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F16 Load(ReadOnlySpan<float> src, int start, int count) =>
        count == 16 ? new(Vector512.Create(src.Slice(start, 16))) : LaneSpill.LoadPartial<F16>(src, start, count);

    /// <inheritdoc/>
    public static F16 Load(ReadOnlySpan<double> src, int start, int count) => LaneSpill.Load<F16>(src, start, count);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(F16 value, Span<float> dst, int start, int stride, int count)
    {
        if (stride == 1 && count == 16)
            value.V.CopyTo(dst.Slice(start, 16));
        else
            LaneSpill.StoreStrided(value, dst, start, stride, count);
    }

    /// <inheritdoc/>
    public static void Store(F16 value, Span<double> dst, int start, int count) => LaneSpill.Store(value, dst, start, count);

    /// <inheritdoc/>
    public static void StoreMask(F16 mask, Span<byte> dst, int start, int count)
    {
        var bytes = Avx512F.ConvertToVector128Byte(mask.V.AsUInt32()) & Vector128.Create((byte)1);
        if (count == 16)
        {
            bytes.CopyTo(dst.Slice(start, 16));
            return;
        }
        for (int j = 0; j < count; j++) dst[start + j] = bytes.GetElement(j);
    }

    /// <summary>
    /// Two 256-bit vgatherdps (.NET exposes no 512-bit gather); indices are clamped first (the
    /// instruction does no bounds check).
    /// </summary>
    public static unsafe F16 Gather(ReadOnlySpan<float> table, F16 index)
    {
        if (table.IsEmpty) throw new ArgumentException("Cannot gather from an empty table.", nameof(table));
        var i = Vector512.Min(Vector512.Max(Vector512.ConvertToInt32(index.V), Vector512<int>.Zero), Vector512.Create(table.Length - 1));
        fixed (float* p = table)
            return new(Vector512.Create(Avx2.GatherVector256(p, i.GetLower(), 4), Avx2.GatherVector256(p, i.GetUpper(), 4)));
    }

    /// <summary>The sixteen elements as Vector512 formats them.</summary>
    public override string ToString() => V.ToString();
}
