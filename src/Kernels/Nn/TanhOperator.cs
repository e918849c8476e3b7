using System.Runtime.CompilerServices;

namespace RlKernels.Kernels.Nn;

/// <summary>
/// tanh as a 13/6 rational function of x (the minimax fit Eigen uses in ptanh_float), clamped to
/// ±7.905 where float tanh is ±1 to the last bit, and exactly x below 4e-4 where tanh(x) = x in float.
/// </summary>
/// <remarks>
/// A polynomial keeps the vector and scalar forms bit-identical (a scalar tail agrees with the vector
/// body) and relative error stays at a few ulp near zero, where 1 − 2/(e^{2x}+1) would cancel. The vector
/// forms (one per width) are generated from Nn/NnWidth.template; on an SSE-only CPU the 4-wide form rounds its
/// multiply-adds unfused, so it agrees with this one to an ulp or so rather than to the bit.
/// </remarks>
internal readonly partial struct TanhOperator
{
    private const float Clamp = 7.90531110763549805f;
    private const float Tiny = 0.0004f;
    private const float A1 = 4.89352455891786e-03f, A3 = 6.37261928875436e-04f, A5 = 1.48572235717979e-05f,
        A7 = 5.12229709037114e-08f, A9 = -8.60467152213735e-11f, A11 = 2.00018790482477e-13f, A13 = -2.76076847742355e-16f;
    private const float B0 = 4.89352518554385e-03f, B2 = 2.26843463243900e-03f, B4 = 1.18534705686654e-04f, B6 = 1.19825839466702e-06f;

    /// <summary>tanh(x)</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x)
    {
        if (MathF.Abs(x) < Tiny) return x;
        float c = Math.Clamp(x, -Clamp, Clamp);
        float x2 = c * c, x4 = x2 * x2;
        // Estrin's scheme in x² (pairs of terms, then Horner in x⁴): the same 13/6 coefficients as a Horner chain,
        // with half the dependent multiply-adds, so the vector form overlaps more of its work.
        float p0 = MathF.FusedMultiplyAdd(x2, A3, A1), p1 = MathF.FusedMultiplyAdd(x2, A7, A5), p2 = MathF.FusedMultiplyAdd(x2, A11, A9);
        float p = MathF.FusedMultiplyAdd(x4, A13, p2);
        p = MathF.FusedMultiplyAdd(x4, p, p1);
        p = MathF.FusedMultiplyAdd(x4, p, p0) * c;
        float q = MathF.FusedMultiplyAdd(x4, MathF.FusedMultiplyAdd(x2, B6, B4), MathF.FusedMultiplyAdd(x2, B2, B0));
        return p / q;
    }
}
