namespace RlKernels.Kernels.Nn;

/// <summary>Row-wise softmax over rows = P·B rows of classCount logits.</summary>
public static class Softmax
{
    /// <summary>Forward pass, shifted by the row maximum so exp never overflows.</summary>
    /// <remarks>Effectively computes probs[r, c] = exp(logits[r, c]) / Σ_j exp(logits[r, j]).</remarks>
    public static void Forward(
        ReadOnlySpan<float> logits, // [rows, classCount]
        int rows, int classCount,
        Span<float> probs)          // [rows, classCount]
    {
        Check(logits, rows, classCount, probs, nameof(probs));
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> z = logits.Slice(r * classCount, classCount);
            Span<float> p = probs.Slice(r * classCount, classCount);
            float max = z[0];
            for (int c = 1; c < classCount; c++) max = MathF.Max(max, z[c]);
            float sum = 0f;
            for (int c = 0; c < classCount; c++) sum += p[c] = MathF.Exp(z[c] - max);
            float inv = 1f / sum;
            for (int c = 0; c < classCount; c++) p[c] *= inv;
        }
    }

    /// <summary>Backward pass from the forward output; accumulates into dLogits.</summary>
    /// <remarks>Effectively computes dLogits[r, c] += probs[r, c] · (dProbs[r, c] − Σ_j probs[r, j] · dProbs[r, j]).</remarks>
    public static void Backward(
        ReadOnlySpan<float> probs,  // [rows, classCount]
        ReadOnlySpan<float> dProbs, // [rows, classCount]
        int rows, int classCount,
        Span<float> dLogits)        // [rows, classCount]
    {
        Check(probs, rows, classCount, dLogits, nameof(dLogits));
        Shapes.Require(dProbs.Length, (long)rows * classCount, nameof(dProbs), "[rows, classCount]");
        for (int r = 0; r < rows; r++)
        {
            int o = r * classCount;
            float dot = 0f;
            for (int c = 0; c < classCount; c++) dot += probs[o + c] * dProbs[o + c];
            for (int c = 0; c < classCount; c++) dLogits[o + c] += probs[o + c] * (dProbs[o + c] - dot);
        }
    }

    internal static void Check(ReadOnlySpan<float> input, int rows, int classCount, ReadOnlySpan<float> output, string outputName)
    {
        Shapes.Positive(rows, nameof(rows));
        Shapes.Positive(classCount, nameof(classCount));
        Shapes.Require(input.Length, (long)rows * classCount, "logits", "[rows, classCount]");
        Shapes.Require(output.Length, (long)rows * classCount, outputName, "[rows, classCount]");
    }
}
