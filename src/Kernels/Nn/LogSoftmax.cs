namespace RlKernels.Kernels.Nn;

/// <summary>Row-wise log-softmax over rows = P·B rows of classCount logits.</summary>
public static class LogSoftmax
{
    /// <summary>Forward pass (max-shifted log-sum-exp).</summary>
    /// <remarks>Effectively computes logProbs[r, c] = logits[r, c] − log Σ_j exp(logits[r, j]).</remarks>
    public static void Forward(
        ReadOnlySpan<float> logits, // [rows, classCount]
        int rows, int classCount,
        Span<float> logProbs)       // [rows, classCount]
    {
        Softmax.Check(logits, rows, classCount, logProbs, nameof(logProbs));
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> z = logits.Slice(r * classCount, classCount);
            float lse = LogSumExp(z);
            for (int c = 0; c < classCount; c++) logProbs[r * classCount + c] = z[c] - lse;
        }
    }

    /// <summary>Backward pass from the forward output; accumulates into dLogits.</summary>
    /// <remarks>Effectively computes dLogits[r, c] += dLogProbs[r, c] − exp(logProbs[r, c]) · Σ_j dLogProbs[r, j].</remarks>
    public static void Backward(
        ReadOnlySpan<float> logProbs,  // [rows, classCount]
        ReadOnlySpan<float> dLogProbs, // [rows, classCount]
        int rows, int classCount,
        Span<float> dLogits)           // [rows, classCount]
    {
        Softmax.Check(logProbs, rows, classCount, dLogits, nameof(dLogits));
        Shapes.Require(dLogProbs.Length, (long)rows * classCount, nameof(dLogProbs), "[rows, classCount]");
        for (int r = 0; r < rows; r++)
        {
            int o = r * classCount;
            float sum = 0f;
            for (int c = 0; c < classCount; c++) sum += dLogProbs[o + c];
            for (int c = 0; c < classCount; c++) dLogits[o + c] += dLogProbs[o + c] - MathF.Exp(logProbs[o + c]) * sum;
        }
    }

    /// <summary>log Σ exp(z), shifted by max(z).</summary>
    internal static float LogSumExp(ReadOnlySpan<float> z)
    {
        float max = z[0];
        for (int c = 1; c < z.Length; c++) max = MathF.Max(max, z[c]);
        float sum = 0f;
        for (int c = 0; c < z.Length; c++) sum += MathF.Exp(z[c] - max);
        return max + MathF.Log(sum);
    }
}
