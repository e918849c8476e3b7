namespace RlKernels.Tests.Reference;

/// <summary>MSE and Huber per member in double. P = population, N = elements per member.</summary>
public static class LossReference
{
    public static double[] Mse(double[] pred, double[] target, int P, int N)
    {
        var loss = new double[P];
        for (int p = 0; p < P; p++)
        {
            for (int i = p * N; i < (p + 1) * N; i++) loss[p] += (pred[i] - target[i]) * (pred[i] - target[i]);
            loss[p] /= N; // mean over the member's elements
        }
        return loss;
    }

    /// <summary>∂loss_p/∂pred_i = 2 (pred − target) / N, times dLoss[p].</summary>
    public static double[] MseBackward(double[] pred, double[] target, double[] dLoss, int P, int N)
    {
        var d = new double[P * N];
        for (int p = 0; p < P; p++)
            for (int i = p * N; i < (p + 1) * N; i++) d[i] = dLoss[p] * 2 * (pred[i] - target[i]) / N;
        return d;
    }

    public static double[] Huber(double[] pred, double[] target, int P, int N, double delta)
    {
        var loss = new double[P];
        for (int p = 0; p < P; p++)
        {
            for (int i = p * N; i < (p + 1) * N; i++)
            {
                double a = Math.Abs(pred[i] - target[i]);
                // quadratic near zero, linear (slope δ) beyond δ; the two pieces meet with equal slope.
                loss[p] += a <= delta ? 0.5 * a * a : delta * (a - 0.5 * delta);
            }
            loss[p] /= N;
        }
        return loss;
    }

    /// <summary>∂loss_p/∂pred_i = clamp(e, −δ, δ) / N, times dLoss[p].</summary>
    public static double[] HuberBackward(double[] pred, double[] target, double[] dLoss, int P, int N, double delta)
    {
        var d = new double[P * N];
        for (int p = 0; p < P; p++)
            for (int i = p * N; i < (p + 1) * N; i++) d[i] = dLoss[p] * Math.Clamp(pred[i] - target[i], -delta, delta) / N;
        return d;
    }
}
