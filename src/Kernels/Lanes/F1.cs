using System.Runtime.CompilerServices;
using ILGPU;
using RlKernels.Kernels.Random;

namespace RlKernels.Kernels.Lanes;

/// <summary>
/// One float: the lane of a GPU thread, of the <c>cpu-scalar</c> baseline and of SIMD tails.
/// Masks are 1f/0f. Bits values hold uint bits reinterpreted as float (ILGPU's Interop casts, which
/// also compile to PTX). Everything here must stay ILGPU-compatible except the MEMORY members.
/// </summary>
public readonly partial struct F1 : ILane<F1>
{
    /// <summary>The single float element (for masks: 1 for true, 0 for false).</summary>
    public readonly float V;

    /// <summary>Wraps one float as a lane value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public F1(float v) => V = v;

    /// <inheritdoc/>
    public static bool IsDouble => false;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F1 Splat(double value) => new((float)value);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F1 Splat(in LaneConstant value) => new(value.Single);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F1 Sin(F1 x)
    {
        SinCos(x, out F1 sin, out _);
        return sin;
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F1 Cos(F1 x)
    {
        SinCos(x, out _, out F1 cos);
        return cos;
    }

    /// <summary>The shared <see cref="LaneTrig"/> polynomial (bit-identical to F4/F8/F16); MathF beyond its range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SinCos(F1 x, out F1 sin, out F1 cos)
    {
        if (MathF.Abs(x.V) > LaneTrig.ReductionLimit)
        {
            sin = new(MathF.Sin(x.V));
            cos = new(MathF.Cos(x.V));
            return;
        }
        LaneTrig.SinCos(x, out sin, out cos);
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool SinCosIfNear(F1 x, out F1 sin, out F1 cos)
    {
        LaneTrig.SinCos(x, out sin, out cos);
        return !(MathF.Abs(x.V) > LaneTrig.ReductionLimit);
    }
    /// <summary>
    /// y − m·floor(y/m) in float32: one formula for every float lane (F4/F8/F16 vectorize it), so they agree
    /// bit for bit. Python's exact floored modulo is D1's; in float32 the two differ within tolerance.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F1 FlooredMod(F1 y, F1 m) => new(y.V - m.V * MathF.Floor(y.V / m.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F1 RoundToFloat(F1 x) => x;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F1 Square(F1 x) => x * x;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F1 Or(F1 maskA, F1 maskB) => new(maskA.V > maskB.V ? maskA.V : maskB.V);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F1 BitsIota(uint first) => BitsSplat(first);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F1 BitsSplat(uint value) => new(Interop.IntAsFloat(value));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F1 BitsAdd(F1 bits, uint increment, F1 mask) =>
        mask.V != 0f ? new(Interop.IntAsFloat(Interop.FloatAsInt(bits.V) + increment)) : bits;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Philox(F1 c0, F1 c1, uint c2, uint c3, uint k0, uint k1,
        out F1 r0, out F1 r1, out F1 r2, out F1 r3)
    {
        Philox4x32.Block(Interop.FloatAsInt(c0.V), Interop.FloatAsInt(c1.V), c2, c3, k0, k1,
            out uint w0, out uint w1, out uint w2, out uint w3);
        r0 = new(Interop.IntAsFloat(w0));
        r1 = new(Interop.IntAsFloat(w1));
        r2 = new(Interop.IntAsFloat(w2));
        r3 = new(Interop.IntAsFloat(w3));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F1 BitsToUnit(F1 bits) => new(Philox4x32.ToUnit(Interop.FloatAsInt(bits.V)));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F1 BitsToOpenUnit(F1 bits) => new(Philox4x32.ToOpenUnit(Interop.FloatAsInt(bits.V)));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F1 BitField(F1 bits, int shift, uint mask) => new((int)((Interop.FloatAsInt(bits.V) >> shift) & mask));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint BitsElement(F1 bits, int j) => Interop.FloatAsInt(bits.V);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F1 Load(ReadOnlySpan<float> src, int start, int count) => new(count > 0 ? src[start] : 0f);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static F1 Load(ReadOnlySpan<double> src, int start, int count) => new(count > 0 ? (float)src[start] : 0f);
    /// <inheritdoc/>
    public static void Store(F1 value, Span<float> dst, int start, int stride, int count)
    {
        if (count > 0) dst[start] = value.V;
    }

    /// <inheritdoc/>
    public static F1 Gather(ReadOnlySpan<float> table, F1 index)
    {
        int i = (int)index.V;
        if ((uint)i >= (uint)table.Length) i = i < 0 ? 0 : table.Length - 1;
        return new(table[i]);
    }
}
