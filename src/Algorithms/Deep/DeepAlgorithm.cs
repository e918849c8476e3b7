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
/// <param name="Train">Trains with the algorithm's defaults under the given run settings; the overrides given replace their defaults.</param>
public sealed record DeepAlgorithm(string Name, ActionNeed Needs, Func<RunSettings, DeepOverrides, TrainResult> Train)
{
    /// <summary>
    /// Has a replay buffer: reads <see cref="DeepOverrides.ReplayCapacity"/> and <see cref="DeepOverrides.BatchSize"/>
    /// (<c>rlk train --buffer-size</c>, <c>--batch-size</c>; refused for the other algorithms).
    /// </summary>
    public bool UsesReplay { get; init; }

    /// <summary>
    /// The problem of the config the overrides make on these run settings (null: fine), which <c>rlk train</c>
    /// checks before it writes anything: a batch larger than the buffer, a buffer beyond memory.
    /// </summary>
    public Func<RunSettings, DeepOverrides, string?> Problem { get; init; } = (_, _) => null;

    /// <summary>Default envs per member and env-step budget on an env (<c>rlk train</c> without --envs / --steps).</summary>
    public Func<string, (int EnvCount, long Steps)> Defaults { get; init; } = _ => (64, 1_000_000);

    /// <summary>
    /// Rollout steps T it keeps per env on an env, for the memory estimate of the largest --envs (rollout buffers
    /// grow with envs × T); 1 for algorithms that learn one env step at a time.
    /// </summary>
    public Func<string, int> RolloutSteps { get; init; } = _ => 1;

    /// <summary>
    /// The per-member hyperparameters it reads from <see cref="RunSettings"/> (<see cref="MemberParam"/>: the
    /// <c>rlk train</c> flags and sweep keys it takes); default the learning rate and γ. Training refuses run
    /// settings that set any other, so no value is silently ignored.
    /// </summary>
    public IReadOnlyList<MemberParam> MemberParams { get; init; } = MemberParam.Common;

    /// <summary>
    /// Runs its whole loop (env, networks, update) on the device on the gpu and gpu-cpu backends where it can; the
    /// algorithms without it step the envs there and train the networks on the CPU.
    /// </summary>
    public bool RunsOnDevice { get; init; }

    /// <summary>Why it needs its action kind, for the error message (e.g. "it takes a max over actions"); null: no reason given.</summary>
    public string? NeedsWhy { get; init; }
}
