namespace RlKernels.Tests.Reference;

/// <summary>Linear layer in double. P = population, B = batch, I = in, O = out.</summary>
public static class LinearReference
{
    /// <summary>y[p, b, o] = bias[p, o] + Σ_i x[p, b, i] · w[p, o, i].</summary>
    public static double[] Forward(double[] x, double[] w, double[] bias, int P, int B, int I, int O)
    {
        var y = new double[P * B * O];
        for (int p = 0; p < P; p++)
            for (int b = 0; b < B; b++)
                for (int o = 0; o < O; o++)
                {
                    // Start from the bias, then add each input times its weight.
                    double s = bias[p * O + o];
                    for (int i = 0; i < I; i++) s += x[(p * B + b) * I + i] * w[(p * O + o) * I + i];
                    y[(p * B + b) * O + o] = s;
                }
        return y;
    }

    /// <summary>Gradients of Σ y·dY: dX = dY·W, dW = dYᵀ·x, dBias = Σ_b dY (fresh arrays, not accumulated).</summary>
    public static (double[] dX, double[] dW, double[] dBias) Backward(double[] x, double[] w, double[] dY, int P, int B, int I, int O)
    {
        var dX = new double[P * B * I];
        var dW = new double[P * O * I];
        var dBias = new double[P * O];
        for (int p = 0; p < P; p++)
            for (int b = 0; b < B; b++)
                for (int o = 0; o < O; o++)
                {
                    double g = dY[(p * B + b) * O + o];
                    // y = bias + Σ x·w, so ∂y/∂bias = 1, ∂y/∂w[o, i] = x[i], ∂y/∂x[i] = w[o, i].
                    dBias[p * O + o] += g;
                    for (int i = 0; i < I; i++)
                    {
                        dW[(p * O + o) * I + i] += g * x[(p * B + b) * I + i];
                        dX[(p * B + b) * I + i] += g * w[(p * O + o) * I + i];
                    }
                }
        return (dX, dW, dBias);
    }
}
