namespace RlKernels.Tests.Reference;

/// <summary>Layer normalization in float64, straight from the definition: the reference of the LayerNorm kernel.</summary>
public static class LayerNormReference
{
    /// <summary>y[p, r, f] = gain[p, f]·(x − μ)/√(σ² + ε) + bias[p, f], μ and σ² (biased) over the row's F features.</summary>
    public static double[] Forward(double[] x, double[] gain, double[] bias, int P, int R, int F, double eps)
    {
        var y = new double[P * R * F];
        for (int p = 0; p < P; p++)
            for (int r = 0; r < R; r++)
            {
                int row = (p * R + r) * F;
                var (mu, v) = Moments(x, row, F);
                for (int f = 0; f < F; f++) y[row + f] = gain[p * F + f] * (x[row + f] - mu) / Math.Sqrt(v + eps) + bias[p * F + f];
            }
        return y;
    }

    /// <summary>Gradients of Σ y ⊙ dY by the chain rule through μ and σ², term by term (not the kernel's folded formula).</summary>
    public static (double[] dX, double[] dGain, double[] dBias) Backward(double[] x, double[] gain, double[] dY, int P, int R, int F, double eps)
    {
        var dX = new double[P * R * F];
        var dGain = new double[P * F];
        var dBias = new double[P * F];
        for (int p = 0; p < P; p++)
            for (int r = 0; r < R; r++)
            {
                int row = (p * R + r) * F;
                var (mu, v) = Moments(x, row, F);
                double s = Math.Sqrt(v + eps);
                // y = g·(x − μ)/s + b: ∂L/∂x_i = g_i dY_i / s + ∂L/∂μ · 1/F + ∂L/∂v · 2(x_i − μ)/F
                double dV = 0, dMu = 0;
                for (int f = 0; f < F; f++)
                {
                    double dXhat = dY[row + f] * gain[p * F + f];
                    dV += dXhat * (x[row + f] - mu) * -0.5 * Math.Pow(v + eps, -1.5);
                    dMu += -dXhat / s;
                    dGain[p * F + f] += dY[row + f] * (x[row + f] - mu) / s;
                    dBias[p * F + f] += dY[row + f];
                }
                // v depends on μ too, but Σ(x − μ) = 0 makes that term vanish.
                for (int f = 0; f < F; f++)
                    dX[row + f] = dY[row + f] * gain[p * F + f] / s + dMu / F + dV * 2 * (x[row + f] - mu) / F;
            }
        return (dX, dGain, dBias);
    }

    // Mean and biased variance of x[row .. row + F).
    private static (double Mean, double Variance) Moments(double[] x, int row, int F)
    {
        double mu = 0, v = 0;
        for (int f = 0; f < F; f++) mu += x[row + f];
        mu /= F;
        for (int f = 0; f < F; f++) v += (x[row + f] - mu) * (x[row + f] - mu);
        return (mu, v / F);
    }
}
