namespace RlKernels.Tests.Reference;

/// <summary>Central finite differences in double: the check on every reference backward.</summary>
public static class FiniteDifference
{
    /// <summary>
    /// ∂loss/∂x[i] ≈ (loss(x + h·e_i) − loss(x − h·e_i)) / 2h for every i. With h = 1e-5 the truncation
    /// error (h²·f‴/6 ≈ 1e-11) and the rounding error (1e-16·|loss|/h ≈ 1e-11) both sit far below 1e-6.
    /// </summary>
    public static double[] Gradient(double[] x, Func<double> loss, double h = 1e-5)
    {
        var g = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double saved = x[i];
            x[i] = saved + h;
            double plus = loss();
            x[i] = saved - h;
            double minus = loss();
            x[i] = saved;
            g[i] = (plus - minus) / (2 * h);
        }
        return g;
    }

    /// <summary>Σ_i y[i] · weights[i]: a scalar loss whose gradient with respect to y is weights.</summary>
    public static double Dot(double[] y, double[] weights)
    {
        double s = 0;
        for (int i = 0; i < y.Length; i++) s += y[i] * weights[i];
        return s;
    }
}
