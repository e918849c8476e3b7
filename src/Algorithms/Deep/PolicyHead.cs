using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Deep;

/// <summary>
/// The policy-gradient head shared by REINFORCE, A2C and PPO: log π(a|s) and entropy of stored actions, and
/// their backward into the network output (and, for a Gaussian policy, into log σ).
/// </summary>
public sealed class PolicyHead(PolicyNet policy)
{
    private float[] _logStdRows = [], _dLogStdRows = [], _dEntropy = [];

    /// <summary>Log-probabilities [P·M] and entropies [P·M] of actions under outputs [P, M, W].</summary>
    public void LogProbAndEntropy(ReadOnlySpan<float> output, ReadOnlySpan<int> actions, ReadOnlySpan<float> rawActions,
        int m, Span<float> logProb, Span<float> entropy)
    {
        int w = policy.ActionWidth, pop = policy.Net.Population;
        if (policy.IsDiscrete)
        {
            Categorical.LogProb(output, actions, pop * m, w, logProb);
            Categorical.Entropy(output, pop * m, w, entropy);
            return;
        }
        Span<float> logStd = LogStdRows(m);
        Gaussian.LogProb(rawActions, output, logStd, pop * m, w, logProb);
        Gaussian.Entropy(logStd, pop * m, w, entropy);
    }

    /// <summary>
    /// Accumulates dOutput [P, M, W] (and the log σ gradient) from dLogProb [P·M] and each member's dLoss/dH per row,
    /// <paramref name="dEntropyPerRow"/> [P] (empty: none).
    /// </summary>
    public void Backward(ReadOnlySpan<float> output, ReadOnlySpan<int> actions, ReadOnlySpan<float> rawActions, int m,
        ReadOnlySpan<float> dLogProb, ReadOnlySpan<float> dEntropyPerRow, Span<float> dOutput)
    {
        int w = policy.ActionWidth, pop = policy.Net.Population, rows = pop * m;
        if (!dEntropyPerRow.IsEmpty && dEntropyPerRow.Length != pop)
            throw new ArgumentException($"dEntropyPerRow has {dEntropyPerRow.Length} entries; expected one per member [P] = {pop}.", nameof(dEntropyPerRow));
        if (_dEntropy.Length < rows) _dEntropy = new float[rows];
        Span<float> dEntropy = _dEntropy.AsSpan(0, rows);
        for (int p = 0; p < pop; p++) dEntropy.Slice(p * m, m).Fill(dEntropyPerRow.IsEmpty ? 0f : dEntropyPerRow[p]);
        if (policy.IsDiscrete)
        {
            Categorical.LogProbBackward(output, actions, dLogProb, rows, w, dOutput);
            // Member by member, only where its weight is not 0: a member trains as it would alone whatever the others' weights.
            for (int p = 0; p < pop; p++)
                if (dEntropy[p * m] != 0f)
                    Categorical.EntropyBackward(output.Slice(p * m * w, m * w), dEntropy.Slice(p * m, m), m, w, dOutput.Slice(p * m * w, m * w));
            return;
        }
        Span<float> logStd = LogStdRows(m);
        if (_dLogStdRows.Length < rows * w) _dLogStdRows = new float[rows * w];
        Span<float> dLogStd = _dLogStdRows.AsSpan(0, rows * w);
        dLogStd.Clear();
        Gaussian.LogProbBackward(rawActions, output, logStd, dLogProb, rows, w, dOutput, dLogStd);
        Gaussian.EntropyBackward(dEntropy, rows, w, dLogStd);
        for (int p = 0; p < pop; p++)
            for (int r = 0; r < m; r++)
                for (int d = 0; d < w; d++) policy.LogStdGradient[p * w + d] += dLogStd[(p * m + r) * w + d];
    }

    private Span<float> LogStdRows(int m)
    {
        int w = policy.ActionWidth, pop = policy.Net.Population;
        if (_logStdRows.Length < pop * m * w) _logStdRows = new float[pop * m * w];
        Span<float> rows = _logStdRows.AsSpan(0, pop * m * w);
        for (int p = 0; p < pop; p++)
            for (int r = 0; r < m; r++) policy.LogStd.AsSpan(p * w, w).CopyTo(rows.Slice((p * m + r) * w, w));
        return rows;
    }
}
