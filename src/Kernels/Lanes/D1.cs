using System.Runtime.CompilerServices;
using RlKernels.Kernels.Random;

namespace RlKernels.Kernels.Lanes;

/// <summary>
/// One double: reference precision. Env code run over D1 reproduces Gymnasium's float64 arithmetic
/// (Math.Sin/Cos call the C library, as CPython's math module does). Masks are 1.0/0.0; bits values
/// hold the uint as an exact integer.
/// </summary>
public readonly partial struct D1 : ILane<D1>
{
    /// <summary>The single double element (for masks: 1 for true, 0 for false).</summary>
    public readonly double V;

    /// <summary>Wraps one double as a lane value.</summary>
    public D1(double v) => V = v;

    /// <inheritdoc/>
    public static bool IsDouble => true;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static D1 Splat(double value) => new(value);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static D1 Splat(in LaneConstant value) => new(value.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static D1 Sin(D1 x) => new(Math.Sin(x.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static D1 Cos(D1 x) => new(Math.Cos(x.V));
    /// <summary>Two C-library calls, exactly as Gymnasium computes them (no shared reduction).</summary>
    public static void SinCos(D1 x, out D1 sin, out D1 cos)
    {
        sin = new(Math.Sin(x.V));
        cos = new(Math.Cos(x.V));
    }
    /// <inheritdoc/>
    /// <remarks>Reference precision has no polynomial: the C library's sin and cos, always.</remarks>
    public static bool SinCosIfNear(D1 x, out D1 sin, out D1 cos)
    {
        SinCos(x, out sin, out cos);
        return true;
    }
    /// <inheritdoc/>
    public static D1 FlooredMod(D1 y, D1 m)
    {
        double r = y.V % m.V; // C fmod: exact
        if (r != 0) { if ((r < 0) != (m.V < 0)) r += m.V; }
        else r = Math.CopySign(0.0, m.V);
        return new(r);
    }
    /// <inheritdoc/>
    public static D1 RoundToFloat(D1 x) => new((float)x.V);
    /// <inheritdoc/>
    public static D1 Square(D1 x) => new(Math.Pow(x.V, 2.0));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static D1 Or(D1 maskA, D1 maskB) => new(Math.Max(maskA.V, maskB.V));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static D1 BitsIota(uint first) => new(first);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static D1 BitsSplat(uint value) => new(value);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static D1 BitsAdd(D1 bits, uint increment, D1 mask) =>
        mask.V != 0 ? new((uint)((uint)bits.V + increment)) : bits;

    /// <inheritdoc/>
    public static void Philox(D1 c0, D1 c1, uint c2, uint c3, uint k0, uint k1,
        out D1 r0, out D1 r1, out D1 r2, out D1 r3)
    {
        Philox4x32.Block((uint)c0.V, (uint)c1.V, c2, c3, k0, k1, out uint w0, out uint w1, out uint w2, out uint w3);
        r0 = new(w0); r1 = new(w1); r2 = new(w2); r3 = new(w3);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static D1 BitsToUnit(D1 bits) => new(Philox4x32.ToUnit((uint)bits.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static D1 BitsToOpenUnit(D1 bits) => new(Philox4x32.ToOpenUnit((uint)bits.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static D1 BitField(D1 bits, int shift, uint mask) => new((int)(((uint)bits.V >> shift) & mask));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint BitsElement(D1 bits, int j) => (uint)bits.V;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static D1 Load(ReadOnlySpan<float> src, int start, int count) => new(count > 0 ? src[start] : 0);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static D1 Load(ReadOnlySpan<double> src, int start, int count) => new(count > 0 ? src[start] : 0);
    /// <inheritdoc/>
    public static void Store(D1 value, Span<float> dst, int start, int stride, int count)
    {
        if (count > 0) dst[start] = (float)value.V;
    }

    /// <inheritdoc/>
    public static D1 Gather(ReadOnlySpan<float> table, D1 index)
    {
        double x = index.V;
        int i = x >= table.Length ? table.Length - 1 : x > 0 ? (int)x : 0;
        return new(table[i]);
    }
}
