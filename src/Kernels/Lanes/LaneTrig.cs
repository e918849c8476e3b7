using System.Runtime.CompilerServices;

namespace RlKernels.Kernels.Lanes;

/// <summary>
/// Single-precision sine and cosine written once over lane operations, so F1 (scalar, GPU thread), F4, F8
/// and F16 give bit-identical results: Cody–Waite reduction by π/2 with a three-part constant, then
/// the Cephes sinf/cosf minimax polynomials on [−π/4, π/4] (S. L. Moshier, Cephes Math Library,
/// sinf.c; about 1 ulp there). One reduction serves both functions.
/// </summary>
/// <remarks>
/// The reduction is accurate while |x| ≤ <see cref="ReductionLimit"/> (k·C exact in float for the
/// 9-bit leading part); beyond it, lanes fall back to their library function. Reference precision (D1)
/// never uses this: it calls the C library like Gymnasium.
/// </remarks>
public static class LaneTrig
{
    // π/2 split so that k·PiOver2Hi and k·PiOver2Mid are exact for |k| < 2^15.
    private const double PiOver2Hi = 1.5703125;
    private const double PiOver2Mid = 4.837512969970703125e-4;
    private const double PiOver2Lo = 7.54978995489188216e-8;
    private const double TwoOverPi = 0.636619772367581343;

    /// <summary>Largest |x| the reduction handles exactly enough (2^15 quarter turns).</summary>
    public const float ReductionLimit = 32768f * 1.5707963f;

    /// <summary>sin(x) and cos(x) per element for |x| ≤ <see cref="ReductionLimit"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SinCos<T>(T x, out T sin, out T cos) where T : struct, ILane<T>
    {
        // REDUCE: x = k·π/2 + r, r in [−π/4, π/4]
        T k = T.Floor(x * T.Splat(TwoOverPi) + T.Splat(0.5));
        T r = x - k * T.Splat(PiOver2Hi);
        r = r - k * T.Splat(PiOver2Mid);
        r = r - k * T.Splat(PiOver2Lo);
        T z = r * r;

        // POLYNOMIALS (Cephes sinf.c / cosf.c coefficients)
        T s = ((T.Splat(-1.9515295891e-4) * z + T.Splat(8.3321608736e-3)) * z + T.Splat(-1.6666654611e-1)) * z * r + r;
        T c = ((T.Splat(2.443315711809948e-5) * z + T.Splat(-1.388731625493765e-3)) * z + T.Splat(4.166664568298827e-2)) * z * z
            - T.Splat(0.5) * z + T.Splat(1.0);

        // QUADRANT: q = k mod 4 selects (±s, ±c) for sin and cos.
        T q = k - T.Splat(4.0) * T.Floor(k * T.Splat(0.25));
        T odd = T.Or(T.Equal(q, T.Splat(1.0)), T.Equal(q, T.Splat(3.0)));
        T sinBase = T.Select(odd, c, s);
        T cosBase = T.Select(odd, s, c);
        T sinNegative = T.GreaterOrEqual(q, T.Splat(2.0));
        T cosNegative = T.Or(T.Equal(q, T.Splat(1.0)), T.Equal(q, T.Splat(2.0)));
        sin = T.Select(sinNegative, -sinBase, sinBase);
        cos = T.Select(cosNegative, -cosBase, cosBase);
    }

    /// <summary>True where |x| is beyond what <see cref="SinCos{T}"/> reduces well.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T OutOfRange<T>(T x) where T : struct, ILane<T> =>
        T.GreaterThan(T.Abs(x), T.Splat(ReductionLimit));
}
