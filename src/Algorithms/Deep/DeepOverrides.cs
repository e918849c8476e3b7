namespace RlKernels.Algorithms.Deep;

/// <summary>
/// Hyperparameters a caller (<c>rlk train</c>'s flags) sets over an algorithm's defaults; null keeps the default.
/// An algorithm reads the ones it has: every one the learning rate, those with a replay buffer
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
}
