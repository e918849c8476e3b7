namespace RlKernels.Tests.Reference;

/// <summary>Softmax, log-softmax and the categorical distribution in double. R = rows, C = classes.</summary>
public static class SoftmaxReference
{
    /// <summary>log Σ_c exp(z[r, c]) with the max subtracted first.</summary>
    public static double LogSumExp(double[] z, int r, int C)
    {
        double max = double.NegativeInfinity;
        for (int c = 0; c < C; c++) max = Math.Max(max, z[r * C + c]);
        double s = 0;
        for (int c = 0; c < C; c++) s += Math.Exp(z[r * C + c] - max);
        return max + Math.Log(s);
    }

    public static double[] LogSoftmax(double[] z, int R, int C)
    {
        var lp = new double[R * C];
        for (int r = 0; r < R; r++)
        {
            double lse = LogSumExp(z, r, C);
            for (int c = 0; c < C; c++) lp[r * C + c] = z[r * C + c] - lse;
        }
        return lp;
    }

    public static double[] Softmax(double[] z, int R, int C) => Array.ConvertAll(LogSoftmax(z, R, C), Math.Exp);

    /// <summary>dz = p ⊙ (dp − (p·dp)) row by row.</summary>
    public static double[] SoftmaxBackward(double[] probs, double[] dProbs, int R, int C)
    {
        var dz = new double[R * C];
        for (int r = 0; r < R; r++)
        {
            double dot = 0;
            for (int c = 0; c < C; c++) dot += probs[r * C + c] * dProbs[r * C + c];
            for (int c = 0; c < C; c++) dz[r * C + c] = probs[r * C + c] * (dProbs[r * C + c] - dot);
        }
        return dz;
    }

    /// <summary>dz = dlp − softmax · Σ dlp row by row.</summary>
    public static double[] LogSoftmaxBackward(double[] logProbs, double[] dLogProbs, int R, int C)
    {
        var dz = new double[R * C];
        for (int r = 0; r < R; r++)
        {
            double sum = 0;
            for (int c = 0; c < C; c++) sum += dLogProbs[r * C + c];
            for (int c = 0; c < C; c++) dz[r * C + c] = dLogProbs[r * C + c] - Math.Exp(logProbs[r * C + c]) * sum;
        }
        return dz;
    }

    public static double[] LogProb(double[] z, int[] actions, int R, int C)
    {
        var lp = new double[R];
        for (int r = 0; r < R; r++) lp[r] = z[r * C + actions[r]] - LogSumExp(z, r, C);
        return lp;
    }

    /// <summary>∂ log p_a / ∂z_c = [c = a] − p_c, times the upstream gradient.</summary>
    public static double[] LogProbBackward(double[] z, int[] actions, double[] dLogProb, int R, int C)
    {
        double[] p = Softmax(z, R, C);
        var dz = new double[R * C];
        for (int r = 0; r < R; r++)
            for (int c = 0; c < C; c++) dz[r * C + c] = dLogProb[r] * ((c == actions[r] ? 1 : 0) - p[r * C + c]);
        return dz;
    }

    public static double[] Entropy(double[] z, int R, int C)
    {
        double[] lp = LogSoftmax(z, R, C);
        var h = new double[R];
        for (int r = 0; r < R; r++)
            for (int c = 0; c < C; c++) h[r] -= Math.Exp(lp[r * C + c]) * lp[r * C + c];
        return h;
    }

    /// <summary>∂H/∂z_c = −p_c (log p_c + H), times the upstream gradient.</summary>
    public static double[] EntropyBackward(double[] z, double[] dEntropy, int R, int C)
    {
        double[] lp = LogSoftmax(z, R, C);
        double[] h = Entropy(z, R, C);
        var dz = new double[R * C];
        for (int r = 0; r < R; r++)
            for (int c = 0; c < C; c++) dz[r * C + c] = -dEntropy[r] * Math.Exp(lp[r * C + c]) * (lp[r * C + c] + h[r]);
        return dz;
    }
}
