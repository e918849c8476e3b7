namespace RlKernels.Algorithms.Deep;

/// <summary>
/// The hyperparameters every off-policy actor-critic from a replay buffer has (<see cref="SacConfig"/>,
/// <see cref="ReparamActorCriticConfig"/>): networks, the actor's and the critics' rates, γ, the Polyak rate of
/// the target critics, the buffer and the update-to-data ratio. Each config sets its own defaults in its constructor.
/// </summary>
public abstract record ReplayActorCriticConfig
{
    /// <summary>Env, envs, steps, seeds and the stopping target.</summary>
    public RunSettings Run { get; init; } = new();
    /// <summary>Hidden layer widths of the actor and the critics.</summary>
    public int[] Hidden { get; init; } = [64, 64];
    /// <summary>Adam learning rate of the actor.</summary>
    public float ActorLearningRate { get; init; } = 1e-3f;
    /// <summary>Per-member actor learning rates (length P); overrides <see cref="ActorLearningRate"/>.</summary>
    public float[]? ActorLearningRates { get; init; }
    /// <summary>Adam learning rate of the critics (and, in SAC, of log α).</summary>
    public float CriticLearningRate { get; init; } = 1e-3f;
    /// <summary>Discount γ.</summary>
    public float Gamma { get; init; } = 0.99f;

    /// <summary>The discount γ of each member [P]: <see cref="RunSettings.Gammas"/> when set, else <see cref="Gamma"/> for all.</summary>
    public float[] MemberGammas() => MemberParam.Gamma.Of(Run, Gamma);
    /// <summary>Polyak rate of the target critics: θ̄ ← (1 − τ)θ̄ + τθ after every gradient step.</summary>
    public float Tau { get; init; } = 0.005f;
    /// <summary>Transitions kept per member.</summary>
    public int ReplayCapacity { get; init; } = 100_000;
    /// <summary>Transitions per gradient step (per member).</summary>
    public int BatchSize { get; init; } = 256;
    /// <summary>Env steps per member with uniformly random actions before learning starts.</summary>
    public int WarmupSteps { get; init; } = 2_000;
    /// <summary>Gradient steps per env step of a member (the update-to-data ratio).</summary>
    public float UpdatesPerStep { get; init; } = 0.5f;
}
