namespace RlKernels.Algorithms.Deep;

/// <summary>
/// Hyperparameters a caller (<c>rlk train</c>'s flags) sets over an algorithm's defaults; null keeps the default.
/// An algorithm reads the ones it has: every one the learning rate and γ, those with a replay buffer
/// (<see cref="DeepAlgorithm.UsesReplay"/>) also the buffer and batch sizes.
/// </summary>
public sealed record DeepOverrides
{
    /// <summary>No overrides: every default.</summary>
    public static DeepOverrides None { get; } = new();
    /// <summary>Learning rate (the actor's for algorithms with separate rates); <c>rlk train --lr</c>.</summary>
    public float? LearningRate { get; init; }
    /// <summary>Replay buffer size in transitions per member; <c>rlk train --buffer-size</c>.</summary>
    public int? ReplayCapacity { get; init; }
    /// <summary>Transitions per gradient step (per member); <c>rlk train --batch-size</c>.</summary>
    public int? BatchSize { get; init; }
    /// <summary>Discount γ in (0, 1]; <c>rlk train --gamma</c>.</summary>
    public float? Gamma { get; init; }

    /// <summary><paramref name="config"/> with the learning rate and γ given here; the rest as it has them.</summary>
    public T Apply<T>(T config) where T : DeepConfig =>
        (T)((DeepConfig)config with { LearningRate = LearningRate ?? config.LearningRate, Gamma = Gamma ?? config.Gamma });

    /// <summary><paramref name="config"/> with the learning rate (the actor's), γ and the replay sizes given here; the rest as it has them.</summary>
    public T ApplyReplay<T>(T config) where T : ReplayActorCriticConfig =>
        (T)((ReplayActorCriticConfig)config with
        {
            ActorLearningRate = LearningRate ?? config.ActorLearningRate,
            Gamma = Gamma ?? config.Gamma,
            ReplayCapacity = ReplayCapacity ?? config.ReplayCapacity,
            BatchSize = BatchSize ?? config.BatchSize,
        });
}
