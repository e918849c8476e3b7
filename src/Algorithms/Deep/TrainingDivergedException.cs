namespace RlKernels.Algorithms.Deep;

/// <summary>Training stopped because a loss, gradient or parameter went non-finite.</summary>
public sealed class TrainingDivergedException(string message, long step, string tensor, PolicyNet? lastGood) : Exception(message)
{
    /// <summary>Env step (per member) at which it happened.</summary>
    public long Step { get; } = step;
    /// <summary>The first non-finite tensor, e.g. "actor.layers.2.weight" or "loss".</summary>
    public string Tensor { get; } = tensor;
    /// <summary>The policy restored to its parameters before the failed update.</summary>
    public PolicyNet? LastGood { get; } = lastGood;
}
