namespace RlKernels.Algorithms.Deep;

/// <summary>
/// SAC's tanh-squashed diagonal Gaussian: u = μ + σz, z ~ N(0, 1), action = mid + half·tanh(u). Its log-density
/// carries the change of variables, log π(a) = Σ_d [log N(u_d; μ_d, σ_d) − log(half·(1 − tanh²u_d) + ε)], with the
/// small ε (CleanRL's 1e-6) keeping the log finite where tanh saturates. Rows [R, A].
/// </summary>
public static class TanhGaussian
{
    /// <summary>The ε inside the Jacobian's log.</summary>
    public const float JacobianEpsilon = 1e-6f;

    private const float HalfLogTwoPi = 0.918938533204672742f;

    /// <summary>Actions, tanh(u) and log π of reparameterized samples (z given).</summary>
    public static void Sample(
        ReadOnlySpan<float> mean,   // [R, A]
        ReadOnlySpan<float> logStd, // [R, A]
        ReadOnlySpan<float> noise,  // [R, A] z
        int rows, int a, float mid, float half,
        Span<float> squashed,       // [R, A] tanh(u)
        Span<float> actions,        // [R, A] mid + half·tanh(u)
        Span<float> logProb)        // [R]
    {
        for (int r = 0; r < rows; r++)
        {
            float lp = 0;
            for (int d = 0; d < a; d++)
            {
                int i = r * a + d;
                float z = noise[i], u = mean[i] + MathF.Exp(logStd[i]) * z, t = MathF.Tanh(u);
                squashed[i] = t;
                actions[i] = mid + half * t;
                // 1 − tanh²u as sech²u = 4e/(1 + e)², e = exp(−2|u|): no cancellation where tanh u rounds near ±1.
                float e = MathF.Exp(-2 * MathF.Abs(u)), sech2 = 4 * e / ((1 + e) * (1 + e));
                lp += -0.5f * z * z - logStd[i] - HalfLogTwoPi - MathF.Log(half * sech2 + JacobianEpsilon);
            }
            logProb[r] = lp;
        }
    }

    /// <summary>
    /// Backward of a loss L(actions, log π) through the sample: given ∂L/∂action [R, A] and ∂L/∂log π [R], accumulates
    /// ∂L/∂μ and ∂L/∂log σ (z held fixed: the reparameterization gradient).
    /// </summary>
    public static void Backward(
        ReadOnlySpan<float> logStd,   // [R, A]
        ReadOnlySpan<float> noise,    // [R, A]
        ReadOnlySpan<float> squashed, // [R, A] tanh(u) from Sample
        ReadOnlySpan<float> dActions, // [R, A]
        ReadOnlySpan<float> dLogProb, // [R]
        int rows, int a, float half,
        Span<float> dMean,            // [R, A]
        Span<float> dLogStd)          // [R, A]
    {
        for (int r = 0; r < rows; r++)
            for (int d = 0; d < a; d++)
            {
                int i = r * a + d;
                float t = squashed[i], jac = half * (1 - t * t);
                // ∂ log π/∂u = −∂ log(half(1 − t²) + ε)/∂u = 2t·half(1 − t²)/(half(1 − t²) + ε); ∂action/∂u = half(1 − t²).
                float dU = dActions[i] * jac + dLogProb[r] * 2 * t * jac / (jac + JacobianEpsilon);
                dMean[i] += dU;
                dLogStd[i] += dU * MathF.Exp(logStd[i]) * noise[i] - dLogProb[r];
            }
    }
}
