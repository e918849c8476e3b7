using RlKernels.Kernels.Random;

namespace RlKernels.Kernels.Nn;

/// <summary>
/// A categorical distribution per row, parameterized by unnormalized logits [rows, classCount]:
/// sampling from the counter RNG, log-probability and entropy, each with a backward pass.
/// </summary>
public static class Categorical
{
    /// <summary>Purpose word of the Philox counter for action sampling.</summary>
    public const uint SamplePurpose = 0x43415447; // "CATG"

    /// <summary>
    /// Draws one class per row by inverting the CDF with u from Philox(counter = (row, step, purpose, 0), key = seed):
    /// row r's draw depends only on (seed, step, r), never on thread count or backend.
    /// </summary>
    /// <remarks>Effectively computes actions[r] = min { c : Σ_{j ≤ c} softmax(logits[r])_j &gt; u_r }.</remarks>
    public static void Sample(
        ReadOnlySpan<float> logits, // [rows, classCount]
        int rows, int classCount, ulong seed, uint step,
        Span<int> actions)          // [rows]
    {
        Shapes.Positive(rows, nameof(rows));
        Shapes.Positive(classCount, nameof(classCount));
        Shapes.Require(logits.Length, (long)rows * classCount, nameof(logits), "[rows, classCount]");
        Shapes.Require(actions.Length, rows, nameof(actions), "[rows]");
        Philox4x32.KeyFromSeed(seed, out uint k0, out uint k1);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> z = logits.Slice(r * classCount, classCount);
            Philox4x32.Block((uint)r, step, SamplePurpose, 0, k0, k1, out uint bits, out _, out _, out _);
            float max = z[0];
            for (int c = 1; c < classCount; c++) max = MathF.Max(max, z[c]);
            float total = 0f;
            for (int c = 0; c < classCount; c++) total += MathF.Exp(z[c] - max);
            // Compare unnormalized cumulative mass with u·total: no division, and the last class
            // catches rounding so the action is always valid.
            float threshold = Philox4x32.ToUnit(bits) * total;
            float cumulative = 0f;
            int action = classCount - 1;
            for (int c = 0; c < classCount - 1; c++)
            {
                cumulative += MathF.Exp(z[c] - max);
                if (cumulative > threshold) { action = c; break; }
            }
            actions[r] = action;
        }
    }

    /// <summary>Log-probability of the given actions.</summary>
    /// <remarks>Effectively computes logProb[r] = logits[r, a_r] − log Σ_j exp(logits[r, j]).</remarks>
    public static void LogProb(
        ReadOnlySpan<float> logits, // [rows, classCount]
        ReadOnlySpan<int> actions,  // [rows]
        int rows, int classCount,
        Span<float> logProb)        // [rows]
    {
        Check(logits, actions, rows, classCount, logProb, nameof(logProb));
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> z = logits.Slice(r * classCount, classCount);
            logProb[r] = z[actions[r]] - LogSoftmax.LogSumExp(z);
        }
    }

    /// <summary>Backward of <see cref="LogProb"/>; accumulates into dLogits.</summary>
    /// <remarks>Effectively computes dLogits[r, c] += dLogProb[r] · ([c = a_r] − softmax(logits[r])_c).</remarks>
    public static void LogProbBackward(
        ReadOnlySpan<float> logits,   // [rows, classCount]
        ReadOnlySpan<int> actions,    // [rows]
        ReadOnlySpan<float> dLogProb, // [rows]
        int rows, int classCount,
        Span<float> dLogits)          // [rows, classCount]
    {
        Check(logits, actions, rows, classCount, dLogProb, nameof(dLogProb));
        Shapes.Require(dLogits.Length, (long)rows * classCount, nameof(dLogits), "[rows, classCount]");
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> z = logits.Slice(r * classCount, classCount);
            float lse = LogSoftmax.LogSumExp(z);
            float g = dLogProb[r];
            for (int c = 0; c < classCount; c++)
                dLogits[r * classCount + c] += g * ((c == actions[r] ? 1f : 0f) - MathF.Exp(z[c] - lse));
        }
    }

    /// <summary>Entropy of each row's distribution.</summary>
    /// <remarks>Effectively computes entropy[r] = −Σ_c p_c log p_c with p = softmax(logits[r]).</remarks>
    public static void Entropy(
        ReadOnlySpan<float> logits, // [rows, classCount]
        int rows, int classCount,
        Span<float> entropy)        // [rows]
    {
        CheckEntropy(logits, rows, classCount, entropy, nameof(entropy));
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> z = logits.Slice(r * classCount, classCount);
            entropy[r] = RowEntropy(z, LogSoftmax.LogSumExp(z));
        }
    }

    /// <summary>Backward of <see cref="Entropy"/>; accumulates into dLogits.</summary>
    /// <remarks>Effectively computes dLogits[r, c] += −dEntropy[r] · p_c · (log p_c + H_r).</remarks>
    public static void EntropyBackward(
        ReadOnlySpan<float> logits,   // [rows, classCount]
        ReadOnlySpan<float> dEntropy, // [rows]
        int rows, int classCount,
        Span<float> dLogits)          // [rows, classCount]
    {
        CheckEntropy(logits, rows, classCount, dEntropy, nameof(dEntropy));
        Shapes.Require(dLogits.Length, (long)rows * classCount, nameof(dLogits), "[rows, classCount]");
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> z = logits.Slice(r * classCount, classCount);
            float lse = LogSoftmax.LogSumExp(z);
            float h = RowEntropy(z, lse);
            for (int c = 0; c < classCount; c++)
            {
                float logP = z[c] - lse;
                dLogits[r * classCount + c] -= dEntropy[r] * MathF.Exp(logP) * (logP + h);
            }
        }
    }

    private static void Check(ReadOnlySpan<float> logits, ReadOnlySpan<int> actions, int rows, int classCount,
        ReadOnlySpan<float> perRow, string perRowName)
    {
        CheckEntropy(logits, rows, classCount, perRow, perRowName);
        Shapes.Require(actions.Length, rows, nameof(actions), "[rows]");
        foreach (int a in actions)
            if ((uint)a >= (uint)classCount)
                throw new ArgumentException($"actions holds {a}, outside [0, {classCount}).", nameof(actions));
    }

    private static void CheckEntropy(ReadOnlySpan<float> logits, int rows, int classCount, ReadOnlySpan<float> perRow, string perRowName)
    {
        Shapes.Positive(rows, nameof(rows));
        Shapes.Positive(classCount, nameof(classCount));
        Shapes.Require(logits.Length, (long)rows * classCount, nameof(logits), "[rows, classCount]");
        Shapes.Require(perRow.Length, rows, perRowName, "[rows]");
    }

    /// <summary>−Σ_c p_c log p_c for one row of logits z, given lse = log Σ exp z.</summary>
    private static float RowEntropy(ReadOnlySpan<float> z, float lse)
    {
        float h = 0f;
        for (int c = 0; c < z.Length; c++)
        {
            float logP = z[c] - lse;
            h -= MathF.Exp(logP) * logP;
        }
        return h;
    }
}
