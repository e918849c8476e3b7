namespace RlKernels.Algorithms.Deep;

/// <summary>Which action spaces a deep algorithm trains on.</summary>
public enum ActionNeed
{
    /// <summary>Discrete or continuous.</summary>
    Any,
    /// <summary>Discrete only (the algorithm takes a max or arg-max over actions).</summary>
    Discrete,
    /// <summary>Continuous (Box) only.</summary>
    Continuous,
}

/// <summary>
/// A deep algorithm as the registry (<see cref="DeepAlgorithms"/>) and the CLI see it: its command-line name,
/// the actions it needs, how to train it with its defaults, and its default budget. Each algorithm's file
/// declares its own (e.g. <see cref="Ppo.Entry"/>); one line in <see cref="DeepAlgorithms"/> registers it.
/// </summary>
/// <param name="Name">Command-line name (<c>rlk train ENV --algo NAME</c>).</param>
/// <param name="Needs">Action spaces it trains on; <see cref="DeepAlgorithms.CheckFits"/> refuses the others before any work.</param>
/// <param name="Train">Trains with the algorithm's defaults under the given run settings; the learning rate, when given, overrides its default.</param>
public sealed record DeepAlgorithm(string Name, ActionNeed Needs, Func<RunSettings, float?, TrainResult> Train)
{
    /// <summary>Default envs per member and env-step budget on an env (<c>rlk train</c> without --envs / --steps).</summary>
    public Func<string, (int EnvCount, long Steps)> Defaults { get; init; } = _ => (64, 1_000_000);

    /// <summary>
    /// Rollout steps T it keeps per env on an env, for the memory estimate of the largest --envs (rollout buffers
    /// grow with envs × T); 1 for algorithms that learn one env step at a time.
    /// </summary>
    public Func<string, int> RolloutSteps { get; init; } = _ => 1;

    /// <summary>Why it needs its action kind, for the error message (e.g. "it takes a max over actions"); null: no reason given.</summary>
    public string? NeedsWhy { get; init; }
}
