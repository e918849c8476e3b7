using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RlKernels.Kernels.Random;

namespace RlKernels.Kernels.Lanes;

/// <summary>
/// Eight floats in a Vector256 (AVX2). Masks are all-ones bit patterns per element. Picked by
/// <see cref="LaneSelection"/> where Avx2 is supported and AVX-512 is not; F16 is its 512-bit twin.
/// </summary>
public readonly struct F8 : ILane<F8>
{
    /// <summary>The eight float elements (for masks: all-ones bits per true element).</summary>
    public readonly Vector256<float> V;

    /// <summary>Wraps a Vector256 as a lane value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public F8(Vector256<float> v) => V = v;

    /// <inheritdoc/>
    public static int Count => 8;
    /// <inheritdoc/>
    public static bool IsDouble => false;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 Splat(double value) => new(Vector256.Create((float)value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 operator +(F8 a, F8 b) => new(a.V + b.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 operator -(F8 a, F8 b) => new(a.V - b.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 operator *(F8 a, F8 b) => new(a.V * b.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 operator /(F8 a, F8 b) => new(a.V / b.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 operator -(F8 a) => new(-a.V);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 Sin(F8 x)
    {
        SinCos(x, out F8 sin, out _);
        return sin;
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 Cos(F8 x)
    {
        SinCos(x, out _, out F8 cos);
        return cos;
    }

    /// <summary>The shared <see cref="LaneTrig"/> polynomial (bit-identical to F1); the library functions beyond its range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SinCos(F8 x, out F8 sin, out F8 cos)
    {
        LaneTrig.SinCos(x, out sin, out cos);
        F8 far = LaneTrig.OutOfRange(x);
        if (AnyTrue(far)) SinCosFar(x, far, ref sin, ref cos);
    }

    /// <summary>Library sin/cos where |x| is beyond the polynomial's reduction; out of line (rare, and large).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SinCosFar(F8 x, F8 far, ref F8 sin, ref F8 cos)
    {
        sin = Select(far, new(Vector256.Sin(x.V)), sin);
        cos = Select(far, new(Vector256.Cos(x.V)), cos);
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 Sqrt(F8 x) => new(Vector256.Sqrt(x.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 Log(F8 x) => new(Vector256.Log(x.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 Abs(F8 x) => new(Vector256.Abs(x.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 Min(F8 a, F8 b) => new(Vector256.Min(a.V, b.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 Max(F8 a, F8 b) => new(Vector256.Max(a.V, b.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 Floor(F8 x) => new(Vector256.Floor(x.V));
    /// <summary>y − m·floor(y/m): the same float formula as F1 (bit-identical across float lanes); only D1 is exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 FlooredMod(F8 y, F8 m) => new(y.V - m.V * Vector256.Floor(y.V / m.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 RoundToFloat(F8 x) => x;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 Square(F8 x) => x * x;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 LessThan(F8 a, F8 b) => new(Vector256.LessThan(a.V, b.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 LessOrEqual(F8 a, F8 b) => new(Vector256.LessThanOrEqual(a.V, b.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 GreaterThan(F8 a, F8 b) => new(Vector256.GreaterThan(a.V, b.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 GreaterOrEqual(F8 a, F8 b) => new(Vector256.GreaterThanOrEqual(a.V, b.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 Equal(F8 a, F8 b) => new(Vector256.Equals(a.V, b.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 And(F8 maskA, F8 maskB) => new(maskA.V & maskB.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 Or(F8 maskA, F8 maskB) => new(maskA.V | maskB.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 AndNot(F8 maskA, F8 maskB) => new(Vector256.AndNot(maskA.V, maskB.V));
    /// <inheritdoc/>
    public static F8 FalseMask => new(Vector256<float>.Zero);
    /// <inheritdoc/>
    public static F8 TrueMask => new(Vector256<uint>.AllBitsSet.AsSingle());
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 Select(F8 mask, F8 ifTrue, F8 ifFalse) => new(Vector256.ConditionalSelect(mask.V, ifTrue.V, ifFalse.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 MaskToOne(F8 mask) => new(mask.V & Vector256<float>.One);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 NonZero(F8 value) => new(~Vector256.Equals(value.V, Vector256<float>.Zero));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyTrue(F8 mask) => mask.V.AsUInt32() != Vector256<uint>.Zero;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MaskBits(F8 mask) => mask.V.ExtractMostSignificantBits();

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 BitsIota(uint first) => new((Vector256.Create(first) + Vector256<uint>.Indices).AsSingle());
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 BitsSplat(uint value) => new(Vector256.Create(value).AsSingle());
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 BitsAdd(F8 bits, uint increment, F8 mask) =>
        new((bits.V.AsUInt32() + (Vector256.Create(increment) & mask.V.AsUInt32())).AsSingle());

    private static readonly Vector256<uint> OddElements = Vector256.Create(0u, ~0u, 0u, ~0u, 0u, ~0u, 0u, ~0u);

    /// <summary>32×32→64 products of a by the constant m, split into high and low words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MulHiLo(Vector256<uint> a, uint m, out Vector256<uint> hi, out Vector256<uint> lo)
    {
        var mv = Vector256.Create(m);
        lo = a * mv;
        // vpmuludq multiplies the even 32-bit elements into 64-bit products; shift to reach the odd ones.
        var even = Avx2.Multiply(a, mv);
        var odd = Avx2.Multiply(Avx2.ShiftRightLogical(a.AsUInt64(), 32).AsUInt32(), mv);
        hi = Vector256.ConditionalSelect(OddElements, odd.AsUInt32(), Avx2.ShiftRightLogical(even, 32).AsUInt32());
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Philox(F8 c0, F8 c1, uint c2, uint c3, uint k0, uint k1,
        out F8 r0, out F8 r1, out F8 r2, out F8 r3)
    {
        var x0 = c0.V.AsUInt32();
        var x1 = c1.V.AsUInt32();
        var x2 = Vector256.Create(c2);
        var x3 = Vector256.Create(c3);
        for (int round = 0; round < Philox4x32.Rounds; round++)
        {
            MulHiLo(x0, Philox4x32.M0, out var hi0, out var lo0);
            MulHiLo(x2, Philox4x32.M1, out var hi1, out var lo1);
            x0 = hi1 ^ x1 ^ Vector256.Create(k0);
            x1 = lo1;
            x2 = hi0 ^ x3 ^ Vector256.Create(k1);
            x3 = lo0;
            k0 += Philox4x32.W0;
            k1 += Philox4x32.W1;
        }
        r0 = new(x0.AsSingle()); r1 = new(x1.AsSingle()); r2 = new(x2.AsSingle()); r3 = new(x3.AsSingle());
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 BitsToUnit(F8 bits) =>
        new(Vector256.ConvertToSingle(Vector256.ShiftRightLogical(bits.V.AsUInt32(), 8).AsInt32()) * Vector256.Create(1.0f / 16777216.0f));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 BitsToOpenUnit(F8 bits) =>
        new((Vector256.ConvertToSingle(Vector256.ShiftRightLogical(bits.V.AsUInt32(), 9).AsInt32()) + Vector256.Create(0.5f)) * Vector256.Create(1.0f / 8388608.0f));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint BitsElement(F8 bits, int j) => bits.V.AsUInt32().GetElement(j);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Element(F8 value, int j) => value.V.GetElement(j);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F8 Load(ReadOnlySpan<float> src, int start, int count) =>
        count == 8 ? new(Vector256.Create(src.Slice(start, 8))) : LaneSpill.LoadPartial<F8>(src, start, count);

    /// <inheritdoc/>
    public static F8 Load(ReadOnlySpan<double> src, int start, int count) => LaneSpill.Load<F8>(src, start, count);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(F8 value, Span<float> dst, int start, int stride, int count)
    {
        if (stride == 1 && count == 8)
            value.V.CopyTo(dst.Slice(start, 8));
        else
            LaneSpill.StoreStrided(value, dst, start, stride, count);
    }

    /// <inheritdoc/>
    public static void Store(F8 value, Span<double> dst, int start, int count) => LaneSpill.Store(value, dst, start, count);

    /// <inheritdoc/>
    public static void StoreMask(F8 mask, Span<byte> dst, int start, int count)
    {
        ulong bits = mask.V.ExtractMostSignificantBits();
        for (int j = 0; j < count; j++) dst[start + j] = (byte)((bits >> j) & 1);
    }

    /// <summary>One vgatherdps; indices are clamped first (the instruction does no bounds check).</summary>
    public static unsafe F8 Gather(ReadOnlySpan<float> table, F8 index)
    {
        if (table.IsEmpty) throw new ArgumentException("Cannot gather from an empty table.", nameof(table));
        var i = Vector256.Min(Vector256.Max(Vector256.ConvertToInt32(index.V), Vector256<int>.Zero), Vector256.Create(table.Length - 1));
        fixed (float* p = table) return new(Avx2.GatherVector256(p, i, 4));
    }

    /// <summary>The eight elements as Vector256 formats them.</summary>
    public override string ToString() => V.ToString();
}
