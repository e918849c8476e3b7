namespace RlKernels.Tests.Reference;

/// <summary>Diagonal Gaussian in double. R = rows, D = action dimensions.</summary>
public static class GaussianReference
{
    private static readonly double HalfLogTwoPi = 0.5 * Math.Log(2 * Math.PI);

    /// <summary>a = μ + exp(logσ)·z for given noise z.</summary>
    public static double[] Sample(double[] mean, double[] logStd, double[] noise) =>
        Enumerable.Range(0, mean.Length).Select(i => mean[i] + Math.Exp(logStd[i]) * noise[i]).ToArray();

    /// <summary>Reparameterization: ∂a/∂μ = 1, ∂a/∂logσ = σ·z.</summary>
    public static (double[] dMean, double[] dLogStd) SampleBackward(double[] logStd, double[] noise, double[] dActions) =>
        ((double[])dActions.Clone(), Enumerable.Range(0, logStd.Length).Select(i => dActions[i] * Math.Exp(logStd[i]) * noise[i]).ToArray());

    /// <summary>Σ_d −½u² − logσ − ½log2π with u = (a − μ)/σ.</summary>
    public static double[] LogProb(double[] actions, double[] mean, double[] logStd, int R, int D)
    {
        var lp = new double[R];
        for (int r = 0; r < R; r++)
            for (int d = 0; d < D; d++)
            {
                int i = r * D + d;
                double u = (actions[i] - mean[i]) / Math.Exp(logStd[i]);
                lp[r] += -0.5 * u * u - logStd[i] - HalfLogTwoPi;
            }
        return lp;
    }

    /// <summary>∂lp/∂μ = u/σ; ∂lp/∂logσ = u² − 1 (since ∂u/∂logσ = −u).</summary>
    public static (double[] dMean, double[] dLogStd) LogProbBackward(double[] actions, double[] mean, double[] logStd, double[] dLogProb, int R, int D)
    {
        var dMean = new double[R * D];
        var dLogStd = new double[R * D];
        for (int r = 0; r < R; r++)
            for (int d = 0; d < D; d++)
            {
                int i = r * D + d;
                double sigma = Math.Exp(logStd[i]);
                double u = (actions[i] - mean[i]) / sigma;
                dMean[i] = dLogProb[r] * u / sigma;
                dLogStd[i] = dLogProb[r] * (u * u - 1);
            }
        return (dMean, dLogStd);
    }

    /// <summary>Σ_d logσ + ½(1 + log 2π).</summary>
    public static double[] Entropy(double[] logStd, int R, int D)
    {
        var h = new double[R];
        for (int r = 0; r < R; r++)
            for (int d = 0; d < D; d++) h[r] += logStd[r * D + d] + 0.5 + HalfLogTwoPi;
        return h;
    }
}
