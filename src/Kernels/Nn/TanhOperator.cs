using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RlKernels.Kernels.Nn;

/// <summary>
/// tanh as a 13/6 rational function of x (the minimax fit Eigen uses in ptanh_float), clamped to
/// ±7.905 where float tanh is ±1 to the last bit, and exactly x below 4e-4 where tanh(x) = x in float.
/// </summary>
/// <remarks>
/// A polynomial keeps the vector and scalar forms bit-identical (a scalar tail agrees with the vector
/// body) and relative error stays at a few ulp near zero, where 1 − 2/(e^{2x}+1) would cancel.
/// </remarks>
internal readonly struct TanhOperator
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
        float x2 = c * c;
        float p = MathF.FusedMultiplyAdd(x2, A13, A11);
        p = MathF.FusedMultiplyAdd(x2, p, A9);
        p = MathF.FusedMultiplyAdd(x2, p, A7);
        p = MathF.FusedMultiplyAdd(x2, p, A5);
        p = MathF.FusedMultiplyAdd(x2, p, A3);
        p = MathF.FusedMultiplyAdd(x2, p, A1);
        p *= c;
        float q = MathF.FusedMultiplyAdd(x2, B6, B4);
        q = MathF.FusedMultiplyAdd(x2, q, B2);
        q = MathF.FusedMultiplyAdd(x2, q, B0);
        return p / q;
    }

    /// <summary>tanh(x)</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x)
    {
        Vector512<float> c = Vector512.Min(Vector512.Max(x, Vector512.Create(-Clamp)), Vector512.Create(Clamp));
        Vector512<float> x2 = c * c;
        Vector512<float> p = Vector512.FusedMultiplyAdd(x2, Vector512.Create(A13), Vector512.Create(A11));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(A9));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(A7));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(A5));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(A3));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(A1));
        p *= c;
        Vector512<float> q = Vector512.FusedMultiplyAdd(x2, Vector512.Create(B6), Vector512.Create(B4));
        q = Vector512.FusedMultiplyAdd(x2, q, Vector512.Create(B2));
        q = Vector512.FusedMultiplyAdd(x2, q, Vector512.Create(B0));
        Vector512<float> tiny = Vector512.LessThan(Vector512.Abs(x), Vector512.Create(Tiny));
        return Vector512.ConditionalSelect(tiny, x, p / q);
    }

    /// <summary>tanh(x), the same steps on 8 lanes (the AVX2 kernels).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x)
    {
        Vector256<float> c = Vector256.Min(Vector256.Max(x, Vector256.Create(-Clamp)), Vector256.Create(Clamp));
        Vector256<float> x2 = c * c;
        Vector256<float> p = Vector256.FusedMultiplyAdd(x2, Vector256.Create(A13), Vector256.Create(A11));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(A9));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(A7));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(A5));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(A3));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(A1));
        p *= c;
        Vector256<float> q = Vector256.FusedMultiplyAdd(x2, Vector256.Create(B6), Vector256.Create(B4));
        q = Vector256.FusedMultiplyAdd(x2, q, Vector256.Create(B2));
        q = Vector256.FusedMultiplyAdd(x2, q, Vector256.Create(B0));
        Vector256<float> tiny = Vector256.LessThan(Vector256.Abs(x), Vector256.Create(Tiny));
        return Vector256.ConditionalSelect(tiny, x, p / q);
    }
}
