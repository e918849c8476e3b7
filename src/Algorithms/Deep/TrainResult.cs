using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Deep;

/// <summary>What a training run returns.</summary>
public sealed class TrainResult
{
    /// <summary>Registry name of the algorithm, e.g. "ppo".</summary>
    public required string Algorithm { get; init; }
    /// <summary>The run settings it trained with.</summary>
    public required RunSettings Settings { get; init; }
    /// <summary>The trained policy (null for pure value learning).</summary>
    public PolicyNet? Policy { get; init; }
    /// <summary>The learned state-value or action-value network, when the algorithm has one.</summary>
    public Mlp? Critic { get; init; }
    /// <summary>Learning curve: one point per member after every update.</summary>
    public required IReadOnlyList<CurvePoint> Curve { get; init; }
    /// <summary>Env steps per member.</summary>
    public required long EnvSteps { get; init; }
    /// <summary>Wall-clock seconds of the run, env creation included.</summary>
    public required double Seconds { get; init; }
    /// <summary>Clock reading when every member first reached the target (null: never).</summary>
    public double? SolvedAtSeconds { get; init; }
    /// <summary>Env steps per member when solved (null: never).</summary>
    public long? SolvedAtStep { get; init; }
    /// <summary>Recent mean training return per member at the end.</summary>
    public required double[] FinalRecentMean { get; init; }
}
