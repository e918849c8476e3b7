namespace RlKernels.Kernels.Nn;

/// <summary>
/// Layer normalization (Ba et al. 2016) over the features of each row, with a learned gain and bias per member:
/// y = g ⊙ (x − μ)/√(σ² + ε) + b, μ and σ² the row's mean and (biased) variance. PQN puts it after each hidden
/// Linear layer so Q-learning stays stable without a target network. P = population, R = rows per member,
/// F = features.
/// </summary>
public static class LayerNorm
{
    /// <summary>The ε added to the variance (PyTorch's and Flax's default, 1e-5 and 1e-6, bracket it).</summary>
    public const float DefaultEpsilon = 1e-5f;

    /// <summary>Forward pass; keeps each row's mean and 1/√(σ² + ε) for <see cref="Backward"/>.</summary>
    /// <remarks>Effectively computes y[p, r, f] = gain[p, f]·(x[p, r, f] − μ[p, r])·rstd[p, r] + bias[p, f].</remarks>
    public static void Forward(
        ReadOnlySpan<float> x,    // [P, R, F]
        ReadOnlySpan<float> gain, // [P, F]
        ReadOnlySpan<float> bias, // [P, F]
        int population, int rows, int features, float epsilon,
        Span<float> y,            // [P, R, F]
        Span<float> mean,         // [P, R]
        Span<float> rstd)         // [P, R]
    {
        Check(x, gain, bias, population, rows, features, mean, rstd);
        Shapes.Require(y.Length, (long)population * rows * features, nameof(y), "[P, R, F]");
        if (!(epsilon > 0f) || !float.IsFinite(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive and finite.");
        for (int p = 0; p < population; p++)
        {
            ReadOnlySpan<float> g = gain.Slice(p * features, features), b = bias.Slice(p * features, features);
            for (int r = 0; r < rows; r++)
            {
                int row = p * rows + r;
                ReadOnlySpan<float> xr = x.Slice(row * features, features);
                // Two passes, the variance about the mean: no cancellation of E[x²] − E[x]² on offset inputs.
                float sum = 0;
                for (int f = 0; f < features; f++) sum += xr[f];
                float mu = sum / features, sq = 0;
                for (int f = 0; f < features; f++) sq += (xr[f] - mu) * (xr[f] - mu);
                float inv = 1f / MathF.Sqrt(sq / features + epsilon);
                mean[row] = mu;
                rstd[row] = inv;
                Span<float> yr = y.Slice(row * features, features);
                for (int f = 0; f < features; f++) yr[f] = g[f] * (xr[f] - mu) * inv + b[f];
            }
        }
    }

    /// <summary>Backward pass from the mean and rstd <see cref="Forward"/> kept; writes dX, accumulates into dGain and dBias.</summary>
    /// <remarks>
    /// Effectively computes, with x̂ = (x − μ)·rstd and d = dY ⊙ gain: dX = rstd·(d − mean_f(d) − x̂·mean_f(d ⊙ x̂)),
    /// dGain += Σ_r dY ⊙ x̂, dBias += Σ_r dY.
    /// </remarks>
    public static void Backward(
        ReadOnlySpan<float> x,    // [P, R, F]
        ReadOnlySpan<float> gain, // [P, F]
        ReadOnlySpan<float> mean, // [P, R]
        ReadOnlySpan<float> rstd, // [P, R]
        ReadOnlySpan<float> dY,   // [P, R, F]
        int population, int rows, int features,
        Span<float> dX,           // [P, R, F]
        Span<float> dGain,        // [P, F]
        Span<float> dBias)        // [P, F]
    {
        Check(x, gain, dGain, population, rows, features, mean, rstd);
        Shapes.Require(dY.Length, (long)population * rows * features, nameof(dY), "[P, R, F]");
        Shapes.Require(dX.Length, (long)population * rows * features, nameof(dX), "[P, R, F]");
        Shapes.Require(dBias.Length, (long)population * features, nameof(dBias), "[P, F]");
        for (int p = 0; p < population; p++)
        {
            ReadOnlySpan<float> g = gain.Slice(p * features, features);
            Span<float> dg = dGain.Slice(p * features, features), db = dBias.Slice(p * features, features);
            for (int r = 0; r < rows; r++)
            {
                int row = p * rows + r;
                ReadOnlySpan<float> xr = x.Slice(row * features, features), dyr = dY.Slice(row * features, features);
                float mu = mean[row], inv = rstd[row], sumD = 0, sumDX = 0;
                for (int f = 0; f < features; f++)
                {
                    float xh = (xr[f] - mu) * inv, d = dyr[f] * g[f];
                    sumD += d;
                    sumDX += d * xh;
                    dg[f] += dyr[f] * xh;
                    db[f] += dyr[f];
                }
                float meanD = sumD / features, meanDX = sumDX / features;
                Span<float> dxr = dX.Slice(row * features, features);
                for (int f = 0; f < features; f++)
                {
                    float xh = (xr[f] - mu) * inv;
                    dxr[f] = inv * (dyr[f] * g[f] - meanD - xh * meanDX);
                }
            }
        }
    }

    private static void Check(ReadOnlySpan<float> x, ReadOnlySpan<float> gain, ReadOnlySpan<float> bias, int population, int rows, int features,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd)
    {
        Shapes.Positive(population, nameof(population));
        Shapes.Positive(rows, nameof(rows));
        Shapes.Positive(features, nameof(features));
        Shapes.Require(x.Length, (long)population * rows * features, nameof(x), "[P, R, F]");
        Shapes.Require(gain.Length, (long)population * features, nameof(gain), "[P, F]");
        Shapes.Require(bias.Length, (long)population * features, "bias", "[P, F]");
        Shapes.Require(mean.Length, (long)population * rows, nameof(mean), "[P, R]");
        Shapes.Require(rstd.Length, (long)population * rows, nameof(rstd), "[P, R]");
    }
}
