namespace RlKernels.Tests.Reference;

/// <summary>Adam(W), SGD and global-norm clipping on one member's parameter vector, in double.</summary>
public static class OptimizerReference
{
    /// <summary>One AdamW step at step count t (1-based), in place.</summary>
    public static void Adam(double[] theta, double[] g, double[] m, double[] v, int t, double lr, double b1, double b2, double eps, double wd)
    {
        for (int i = 0; i < theta.Length; i++)
        {
            // Moments, then their bias-corrected estimates.
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            double mHat = m[i] / (1 - Math.Pow(b1, t));
            double vHat = v[i] / (1 - Math.Pow(b2, t));
            // Decoupled decay shrinks θ directly, then the Adam step.
            theta[i] = theta[i] * (1 - lr * wd) - lr * mHat / (Math.Sqrt(vHat) + eps);
        }
    }

    /// <summary>One SGD step with momentum and L2 decay, in place.</summary>
    public static void Sgd(double[] theta, double[] g, double[] velocity, double lr, double momentum, double wd)
    {
        for (int i = 0; i < theta.Length; i++)
        {
            velocity[i] = momentum * velocity[i] + g[i] + wd * theta[i];
            theta[i] -= lr * velocity[i];
        }
    }

    /// <summary>Scales g so ‖g‖ ≤ maxNorm; returns the norm before clipping.</summary>
    public static double Clip(double[] g, double maxNorm)
    {
        double norm = Math.Sqrt(g.Sum(x => x * x));
        double scale = maxNorm / (norm + 1e-6);
        if (scale < 1) for (int i = 0; i < g.Length; i++) g[i] *= scale;
        return norm;
    }
}
