using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Deep;

/// <summary>
/// Hyperparameters of the algorithms that regress a network on targets computed without gradient from a target
/// network (network SARSA, value learning), with the lecture's defaults: RandomWalk1D-v0 with 256 envs for
/// 2 M steps, relu, rate 1e-3, γ 1, gradient clip 10; 2 passes of 4 minibatches per rollout, annealed rate.
/// </summary>
public abstract record ValueRegressionConfig : DeepConfig
{
    /// <summary>The lecture's defaults (see the type's summary).</summary>
    protected ValueRegressionConfig()
    {
        Run = new() { EnvId = "RandomWalk1D-v0", EnvCount = 256, TotalSteps = 2_000_000 };
        Activation = Activation.Relu;
        LearningRate = 1e-3f;
        Gamma = 1f;
        MaxGradNorm = 10f;
    }

    /// <summary>Passes over each rollout.</summary>
    public int Epochs { get; init; } = 2;
    /// <summary>Minibatches per pass.</summary>
    public int Minibatches { get; init; } = 4;
    /// <summary>Anneal the learning rate linearly to 0 over <see cref="RunSettings.TotalSteps"/>: averages out the noise of sampled targets.</summary>
    public bool AnnealLearningRate { get; init; } = true;
    /// <summary>λ of the λ-return targets: 0 for one-step targets (SARSA(0), TD(0)), 1 for Monte-Carlo ones.</summary>
    public float Lambda { get; init; } = 0f;
}
