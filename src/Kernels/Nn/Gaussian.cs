using RlKernels.Kernels.Random;

namespace RlKernels.Kernels.Nn;

/// <summary>
/// A diagonal Gaussian per row over actionSize dimensions, parameterized by mean and log standard
/// deviation [rows, actionSize]: reparameterized sampling, log-probability and entropy, each with a backward pass.
/// </summary>
public static class Gaussian
{
    /// <summary>Purpose word of the Philox counter for Gaussian noise.</summary>
    public const uint SamplePurpose = 0x47415553; // "GAUS"

    private const float HalfLogTwoPi = 0.918938533204672742f;

    /// <summary>
    /// Reparameterized sample a = μ + σ·z. Noise z for (row r, dims 2j and 2j+1) is one Box–Muller pair from
    /// Philox(counter = (r, step, purpose, j), key = seed), so it depends only on (seed, step, r, d).
    /// The noise is returned for the backward pass.
    /// </summary>
    /// <remarks>Effectively computes noise[r, d] ~ N(0, 1), actions[r, d] = mean[r, d] + exp(logStd[r, d]) · noise[r, d].</remarks>
    public static void Sample(
        ReadOnlySpan<float> mean,   // [rows, actionSize]
        ReadOnlySpan<float> logStd, // [rows, actionSize]
        int rows, int actionSize, ulong seed, uint step,
        Span<float> actions,        // [rows, actionSize]
        Span<float> noise)          // [rows, actionSize]
    {
        Check(mean, logStd, rows, actionSize);
        Shapes.Require(actions.Length, (long)rows * actionSize, nameof(actions), "[rows, actionSize]");
        Shapes.Require(noise.Length, (long)rows * actionSize, nameof(noise), "[rows, actionSize]");
        Philox4x32.KeyFromSeed(seed, out uint k0, out uint k1);
        for (int r = 0; r < rows; r++)
            for (int d = 0; d < actionSize; d += 2)
            {
                Philox4x32.Block((uint)r, step, SamplePurpose, (uint)(d >> 1), k0, k1, out uint b0, out uint b1, out _, out _);
                float radius = MathF.Sqrt(-2f * MathF.Log(Philox4x32.ToOpenUnit(b0)));
                float angle = 2f * MathF.PI * Philox4x32.ToUnit(b1);
                for (int j = 0; j < 2 && d + j < actionSize; j++)
                {
                    int i = r * actionSize + d + j;
                    float z = radius * (j == 0 ? MathF.Cos(angle) : MathF.Sin(angle));
                    noise[i] = z;
                    actions[i] = mean[i] + MathF.Exp(logStd[i]) * z;
                }
            }
    }

    /// <summary>Backward of <see cref="Sample"/> (the reparameterization gradient); accumulates into dMean and dLogStd.</summary>
    /// <remarks>Effectively computes dMean += dActions, dLogStd += dActions · exp(logStd) · noise.</remarks>
    public static void SampleBackward(
        ReadOnlySpan<float> logStd,   // [rows, actionSize]
        ReadOnlySpan<float> noise,    // [rows, actionSize]
        ReadOnlySpan<float> dActions, // [rows, actionSize]
        int rows, int actionSize,
        Span<float> dMean,            // [rows, actionSize]
        Span<float> dLogStd)          // [rows, actionSize]
    {
        Check(noise, logStd, rows, actionSize);
        RequireAll(rows, actionSize, dActions, nameof(dActions), dMean, nameof(dMean), dLogStd, nameof(dLogStd));
        for (int i = 0; i < rows * actionSize; i++)
        {
            dMean[i] += dActions[i];
            dLogStd[i] += dActions[i] * MathF.Exp(logStd[i]) * noise[i];
        }
    }

    /// <summary>Log-density of the actions, summed over dimensions.</summary>
    /// <remarks>Effectively computes logProb[r] = Σ_d −½ ((a − μ)/σ)² − log σ − ½ log 2π.</remarks>
    public static void LogProb(
        ReadOnlySpan<float> actions, // [rows, actionSize]
        ReadOnlySpan<float> mean,    // [rows, actionSize]
        ReadOnlySpan<float> logStd,  // [rows, actionSize]
        int rows, int actionSize,
        Span<float> logProb)         // [rows]
    {
        Check(mean, logStd, rows, actionSize);
        Shapes.Require(actions.Length, (long)rows * actionSize, nameof(actions), "[rows, actionSize]");
        Shapes.Require(logProb.Length, rows, nameof(logProb), "[rows]");
        for (int r = 0; r < rows; r++)
        {
            float s = 0f;
            for (int d = 0; d < actionSize; d++)
            {
                int i = r * actionSize + d;
                float u = (actions[i] - mean[i]) * MathF.Exp(-logStd[i]);
                s += -0.5f * u * u - logStd[i] - HalfLogTwoPi;
            }
            logProb[r] = s;
        }
    }

    /// <summary>Backward of <see cref="LogProb"/> with respect to mean and log-std; accumulates.</summary>
    /// <remarks>Effectively computes, with u = (a − μ)/σ: dMean += dLogProb · u/σ, dLogStd += dLogProb · (u² − 1).</remarks>
    public static void LogProbBackward(
        ReadOnlySpan<float> actions,  // [rows, actionSize]
        ReadOnlySpan<float> mean,     // [rows, actionSize]
        ReadOnlySpan<float> logStd,   // [rows, actionSize]
        ReadOnlySpan<float> dLogProb, // [rows]
        int rows, int actionSize,
        Span<float> dMean,            // [rows, actionSize]
        Span<float> dLogStd)          // [rows, actionSize]
    {
        Check(mean, logStd, rows, actionSize);
        RequireAll(rows, actionSize, actions, nameof(actions), dMean, nameof(dMean), dLogStd, nameof(dLogStd));
        Shapes.Require(dLogProb.Length, rows, nameof(dLogProb), "[rows]");
        for (int r = 0; r < rows; r++)
            for (int d = 0; d < actionSize; d++)
            {
                int i = r * actionSize + d;
                float invStd = MathF.Exp(-logStd[i]);
                float u = (actions[i] - mean[i]) * invStd;
                dMean[i] += dLogProb[r] * u * invStd;
                dLogStd[i] += dLogProb[r] * (u * u - 1f);
            }
    }

    /// <summary>Entropy, summed over dimensions.</summary>
    /// <remarks>Effectively computes entropy[r] = Σ_d log σ + ½ (1 + log 2π).</remarks>
    public static void Entropy(
        ReadOnlySpan<float> logStd, // [rows, actionSize]
        int rows, int actionSize,
        Span<float> entropy)        // [rows]
    {
        Check(logStd, logStd, rows, actionSize);
        Shapes.Require(entropy.Length, rows, nameof(entropy), "[rows]");
        for (int r = 0; r < rows; r++)
        {
            float s = 0f;
            for (int d = 0; d < actionSize; d++) s += logStd[r * actionSize + d] + 0.5f + HalfLogTwoPi;
            entropy[r] = s;
        }
    }

    /// <summary>Backward of <see cref="Entropy"/>; accumulates into dLogStd.</summary>
    /// <remarks>Effectively computes dLogStd[r, d] += dEntropy[r].</remarks>
    public static void EntropyBackward(
        ReadOnlySpan<float> dEntropy, // [rows]
        int rows, int actionSize,
        Span<float> dLogStd)          // [rows, actionSize]
    {
        Shapes.Positive(rows, nameof(rows));
        Shapes.Positive(actionSize, nameof(actionSize));
        Shapes.Require(dEntropy.Length, rows, nameof(dEntropy), "[rows]");
        Shapes.Require(dLogStd.Length, (long)rows * actionSize, nameof(dLogStd), "[rows, actionSize]");
        for (int r = 0; r < rows; r++)
            for (int d = 0; d < actionSize; d++) dLogStd[r * actionSize + d] += dEntropy[r];
    }

    private static void Check(ReadOnlySpan<float> mean, ReadOnlySpan<float> logStd, int rows, int actionSize)
    {
        Shapes.Positive(rows, nameof(rows));
        Shapes.Positive(actionSize, nameof(actionSize));
        Shapes.Require(mean.Length, (long)rows * actionSize, nameof(mean), "[rows, actionSize]");
        Shapes.Require(logStd.Length, (long)rows * actionSize, nameof(logStd), "[rows, actionSize]");
    }

    private static void RequireAll(int rows, int actionSize, ReadOnlySpan<float> a, string aName,
        ReadOnlySpan<float> b, string bName, ReadOnlySpan<float> c, string cName)
    {
        Shapes.Require(a.Length, (long)rows * actionSize, aName, "[rows, actionSize]");
        Shapes.Require(b.Length, (long)rows * actionSize, bName, "[rows, actionSize]");
        Shapes.Require(c.Length, (long)rows * actionSize, cName, "[rows, actionSize]");
    }
}
