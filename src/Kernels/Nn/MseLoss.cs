namespace RlKernels.Kernels.Nn;

/// <summary>Mean squared error per population member over its count = B·features elements.</summary>
public static class MseLoss
{
    /// <summary>Forward pass: one loss per member.</summary>
    /// <remarks>Effectively computes loss[p] = (1/count) Σ_i (prediction[p, i] − target[p, i])².</remarks>
    public static void Forward(
        ReadOnlySpan<float> prediction, // [P, count]
        ReadOnlySpan<float> target,     // [P, count]
        int population, int count,
        Span<float> loss)               // [P]
    {
        Check(prediction, target, population, count, loss, nameof(loss));
        for (int p = 0; p < population; p++)
        {
            double s = 0; // double: a sum over thousands of squares loses digits in float
            for (int i = p * count; i < (p + 1) * count; i++)
            {
                float e = prediction[i] - target[i];
                s += e * e;
            }
            loss[p] = (float)(s / count);
        }
    }

    /// <summary>Backward pass; accumulates into dPrediction.</summary>
    /// <remarks>Effectively computes dPrediction[p, i] += dLoss[p] · 2 (prediction[p, i] − target[p, i]) / count.</remarks>
    public static void Backward(
        ReadOnlySpan<float> prediction, // [P, count]
        ReadOnlySpan<float> target,     // [P, count]
        ReadOnlySpan<float> dLoss,      // [P]
        int population, int count,
        Span<float> dPrediction)        // [P, count]
    {
        Check(prediction, target, population, count, dLoss, nameof(dLoss));
        Shapes.Require(dPrediction.Length, (long)population * count, nameof(dPrediction), "[P, count]");
        for (int p = 0; p < population; p++)
        {
            float scale = dLoss[p] * 2f / count;
            for (int i = p * count; i < (p + 1) * count; i++) dPrediction[i] += scale * (prediction[i] - target[i]);
        }
    }

    internal static void Check(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, int population, int count,
        ReadOnlySpan<float> perMember, string perMemberName)
    {
        Shapes.Positive(population, nameof(population));
        Shapes.Positive(count, nameof(count));
        Shapes.Require(prediction.Length, (long)population * count, nameof(prediction), "[P, count]");
        Shapes.Require(target.Length, (long)population * count, nameof(target), "[P, count]");
        Shapes.Require(perMember.Length, population, perMemberName, "[P]");
    }
}
