namespace RlKernels.Kernels.Nn;

/// <summary>Huber (smooth L1) loss per population member over its count = B·features elements.</summary>
public static class HuberLoss
{
    /// <summary>Forward pass: one loss per member; quadratic within ±delta, linear outside.</summary>
    /// <remarks>Effectively computes loss[p] = (1/count) Σ_i (|e| ≤ δ ? ½e² : δ(|e| − ½δ)), e = prediction − target.</remarks>
    public static void Forward(
        ReadOnlySpan<float> prediction, // [P, count]
        ReadOnlySpan<float> target,     // [P, count]
        int population, int count, float delta,
        Span<float> loss)               // [P]
    {
        MseLoss.Check(prediction, target, population, count, loss, nameof(loss));
        CheckDelta(delta);
        for (int p = 0; p < population; p++)
        {
            double s = 0;
            for (int i = p * count; i < (p + 1) * count; i++)
            {
                float a = MathF.Abs(prediction[i] - target[i]);
                s += a <= delta ? 0.5f * a * a : delta * (a - 0.5f * delta);
            }
            loss[p] = (float)(s / count);
        }
    }

    /// <summary>Backward pass; accumulates into dPrediction.</summary>
    /// <remarks>Effectively computes dPrediction[p, i] += dLoss[p] · clamp(e, −δ, δ) / count.</remarks>
    public static void Backward(
        ReadOnlySpan<float> prediction, // [P, count]
        ReadOnlySpan<float> target,     // [P, count]
        ReadOnlySpan<float> dLoss,      // [P]
        int population, int count, float delta,
        Span<float> dPrediction)        // [P, count]
    {
        MseLoss.Check(prediction, target, population, count, dLoss, nameof(dLoss));
        CheckDelta(delta);
        Shapes.Require(dPrediction.Length, (long)population * count, nameof(dPrediction), "[P, count]");
        for (int p = 0; p < population; p++)
        {
            float scale = dLoss[p] / count;
            for (int i = p * count; i < (p + 1) * count; i++)
                dPrediction[i] += scale * Math.Clamp(prediction[i] - target[i], -delta, delta);
        }
    }

    private static void CheckDelta(float delta)
    {
        if (!(delta > 0f) || float.IsInfinity(delta))
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "delta must be positive and finite.");
    }
}
