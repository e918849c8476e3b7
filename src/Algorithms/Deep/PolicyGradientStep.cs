using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Deep;

/// <summary>
/// The forward and backward of a policy-gradient update on M rows per member, around the algorithm's own
/// math: <see cref="Evaluate"/> gives log π(a|s) and the entropy of stored actions, the algorithm writes
/// dLoss/dlog π into <see cref="DLogProb"/>, and <see cref="Step"/> backpropagates it (with an entropy term)
/// and takes one optimizer step on the network and, for a Gaussian policy, on log σ. Used by REINFORCE, A2C, PPO.
/// </summary>
public sealed class PolicyGradientStep
{
    private readonly PolicyNet _policy;
    private readonly PolicyHead _head;
    private readonly NetOptimizer _netOpt;
    private readonly LogStdOptimizer? _logStdOpt;
    private readonly float[] _dOutput;

    /// <param name="policy">The policy to train; its network and (Gaussian) log σ get optimizers.</param>
    /// <param name="optimizers">The set the new optimizers are added to.</param>
    /// <param name="learningRates">Learning rate per member [P].</param>
    /// <param name="maxGradNorm">Global gradient-norm clip per member.</param>
    /// <param name="rows">Rows per member M of the largest minibatch.</param>
    public PolicyGradientStep(PolicyNet policy, Optimizers optimizers, float[] learningRates, float maxGradNorm, int rows)
    {
        _policy = policy;
        _head = new PolicyHead(policy);
        _netOpt = optimizers.Add(policy.Net, learningRates, maxGradNorm);
        _logStdOpt = optimizers.AddLogStd(policy, learningRates);
        int pop = policy.Net.Population;
        Output = new float[pop * rows * policy.ActionWidth];
        _dOutput = new float[Output.Length];
        LogProb = new float[pop * rows];
        Entropy = new float[pop * rows];
        DLogProb = new float[pop * rows];
    }

    /// <summary>Network output [P, M, W] of the last <see cref="Evaluate"/>.</summary>
    public float[] Output { get; }
    /// <summary>log π(a|s) [P, M] of the last <see cref="Evaluate"/>.</summary>
    public float[] LogProb { get; }
    /// <summary>Entropy [P, M] of the last <see cref="Evaluate"/>.</summary>
    public float[] Entropy { get; }
    /// <summary>dLoss/dlog π [P, M], written by the algorithm before <see cref="Step"/>.</summary>
    public float[] DLogProb { get; }

    /// <summary>Runs the policy on observations [P, M, obsSize] and scores the stored actions (discrete [P, M] or raw [P, M, W]).</summary>
    public void Evaluate(ReadOnlySpan<float> obs, ReadOnlySpan<int> actions, ReadOnlySpan<float> rawActions, int m)
    {
        _policy.Net.Forward(obs, m, Output);
        _head.LogProbAndEntropy(Output, actions, rawActions, m, LogProb, Entropy);
    }

    /// <summary>
    /// Backpropagates <see cref="DLogProb"/> and each member's dLoss/dH per row, <paramref name="dEntropyPerRow"/> [P]
    /// (empty, the default: no entropy term), into the policy, then one optimizer step.
    /// </summary>
    public void Step(ReadOnlySpan<int> actions, ReadOnlySpan<float> rawActions, int m, ReadOnlySpan<float> dEntropyPerRow = default)
    {
        Array.Clear(_dOutput);
        _head.Backward(Output, actions, rawActions, m, DLogProb, dEntropyPerRow, _dOutput);
        _netOpt.Descend(_dOutput);
        _logStdOpt?.Step();
    }
}
