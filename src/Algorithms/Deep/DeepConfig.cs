using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Deep;

/// <summary>
/// Hyperparameters every rollout-based deep algorithm has (REINFORCE, A2C, PPO, network SARSA, value
/// learning). Each algorithm's config derives from it, adds its own knobs and sets its own defaults in its
/// constructor; an object initializer still overrides them.
/// </summary>
public abstract record DeepConfig
{
    /// <summary>Env, envs, steps, seeds and the stopping target.</summary>
    public RunSettings Run { get; init; } = new();
    /// <summary>Hidden layer widths of each network.</summary>
    public int[] Hidden { get; init; } = [64, 64];
    /// <summary>Hidden activation.</summary>
    public Activation Activation { get; init; } = Activation.Tanh;
    /// <summary>Steps T each env runs per update; an update sees T·N samples per member.</summary>
    public int RolloutSteps { get; init; } = 16;
    /// <summary>Adam learning rate of every network.</summary>
    public float LearningRate { get; init; } = 3e-3f;
    /// <summary>Per-member learning rates (length P); overrides <see cref="LearningRate"/>.</summary>
    public float[]? LearningRates { get; init; }
    /// <summary>Discount γ.</summary>
    public float Gamma { get; init; } = 0.99f;
    /// <summary>Global-norm gradient clip per network (≤ 0: none).</summary>
    public float MaxGradNorm { get; init; } = 0.5f;

    /// <summary>The learning rate of each member [P] (throws <see cref="ArgumentException"/> when <see cref="LearningRates"/> has the wrong length).</summary>
    public float[] MemberLearningRates() => Run.PerMember(LearningRate, LearningRates ?? Run.LearningRates, nameof(LearningRates));

    /// <summary>The discount γ of each member [P]: <see cref="RunSettings.Gammas"/> when set, else <see cref="Gamma"/> for all.</summary>
    public float[] MemberGammas() => MemberParam.Gamma.Of(Run, Gamma);
}
