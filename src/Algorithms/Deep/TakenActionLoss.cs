namespace RlKernels.Algorithms.Deep;

/// <summary>
/// The regression of Q(s, a) on a target y for the taken action only, the loss of the Q-learning family:
/// ½(Q(s, a) − y)² averaged over the M rows of each member, whose gradient reaches only output a of each row.
/// </summary>
public static class TakenActionLoss
{
    /// <summary>Writes dPrediction (zero except at the taken actions) and returns member 0's loss.</summary>
    /// <remarks>Effectively computes dPrediction[p, r, a_r] = (Q[p, r, a_r] − y[p, r]) / M, loss = (1/M) Σ_r ½(Q − y)² of member 0.</remarks>
    public static float HalfSquared(
        ReadOnlySpan<float> prediction, // [P, M, K]
        ReadOnlySpan<int> actions,      // [P, M]
        ReadOnlySpan<float> targets,    // [P, M]
        int m, int k,
        Span<float> dPrediction)        // [P, M, K]
    {
        dPrediction.Clear();
        float loss = 0;
        for (int r = 0; r < targets.Length; r++)
        {
            float err = prediction[r * k + actions[r]] - targets[r];
            dPrediction[r * k + actions[r]] = err / m;
            if (r < m) loss += 0.5f * err * err / m;
        }
        return loss;
    }
}
