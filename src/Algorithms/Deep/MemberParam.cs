namespace RlKernels.Algorithms.Deep;

/// <summary>
/// A hyperparameter a population can vary per member: one float per member in <see cref="RunSettings"/>
/// (e.g. <see cref="RunSettings.Lambdas"/>), read by the algorithms that have it (<see cref="DeepAlgorithm.MemberParams"/>).
/// One description serves every place that handles such a parameter: <see cref="RunSettings.Validate"/>, the
/// <c>rlk train</c> flag, the sweep key and the sweep's batching, so a new one is a line here and the
/// algorithm's use of it.
/// </summary>
/// <param name="Key">Sweep spec key, e.g. <c>lambda</c>.</param>
/// <param name="Flag"><c>rlk train</c> flag, e.g. <c>--lambda</c>.</param>
/// <param name="Description">What it is, for help and errors, e.g. "GAE / Q(λ) λ".</param>
/// <param name="Range">Its valid values in words, e.g. "in [0, 1]": the messages read "must be RANGE".</param>
/// <param name="Valid">True for a valid value.</param>
/// <param name="Get">The run's per-member values [P] (null: the algorithm's own value for every member).</param>
/// <param name="Set">The run with these per-member values [P].</param>
public sealed record MemberParam(string Key, string Flag, string Description, string Range, Func<float, bool> Valid,
    Func<RunSettings, float[]?> Get, Func<RunSettings, float[]?, RunSettings> Set)
{
    /// <summary>Learning rate (the actor's where an algorithm has two): <see cref="RunSettings.LearningRates"/>.</summary>
    public static MemberParam LearningRate { get; } = new("lr", "--lr", "learning rate", "a positive finite number",
        v => v > 0 && float.IsFinite(v), r => r.LearningRates, (r, v) => r with { LearningRates = v });
    /// <summary>Discount γ: <see cref="RunSettings.Gammas"/>.</summary>
    public static MemberParam Gamma { get; } = new("gamma", "--gamma", "discount γ", "in (0, 1]",
        v => v > 0 && v <= 1, r => r.Gammas, (r, v) => r with { Gammas = v });
    /// <summary>λ of GAE (A2C, PPO) and of λ-returns (PQN's Q(λ), network SARSA): <see cref="RunSettings.Lambdas"/>.</summary>
    public static MemberParam Lambda { get; } = new("lambda", "--lambda", "λ of GAE / λ-returns", "in [0, 1]",
        v => v >= 0 && v <= 1, r => r.Lambdas, (r, v) => r with { Lambdas = v });
    /// <summary>Weight of the policy's entropy bonus (A2C, PPO): <see cref="RunSettings.EntropyCoefs"/>.</summary>
    public static MemberParam EntropyCoef { get; } = new("ent_coef", "--ent-coef", "entropy coefficient", "a finite number ≥ 0",
        v => v >= 0 && float.IsFinite(v), r => r.EntropyCoefs, (r, v) => r with { EntropyCoefs = v });
    /// <summary>PPO's ratio clip ε: <see cref="RunSettings.ClipCoefs"/>.</summary>
    public static MemberParam ClipCoef { get; } = new("clip", "--clip", "PPO ratio clip ε", "a positive finite number",
        v => v > 0 && float.IsFinite(v), r => r.ClipCoefs, (r, v) => r with { ClipCoefs = v });

    /// <summary>Every per-member hyperparameter, in the order help and errors list them.</summary>
    public static IReadOnlyList<MemberParam> All { get; } = [LearningRate, Gamma, Lambda, EntropyCoef, ClipCoef];

    /// <summary>What every algorithm reads: the learning rate and γ (the default of <see cref="DeepAlgorithm.MemberParams"/>).</summary>
    public static IReadOnlyList<MemberParam> Common { get; } = [LearningRate, Gamma];

    /// <summary>
    /// Each member's value [P]: the run's per-member values when set (a copy), else <paramref name="value"/>
    /// (the config's) for every member.
    /// </summary>
    /// <exception cref="ArgumentException">The run's values do not hold one per member.</exception>
    public float[] Of(RunSettings run, float value) => run.PerMember(value, Get(run), Key);

    /// <summary>Throws <see cref="ArgumentException"/> unless the run's values, when set, hold one valid value per member.</summary>
    public void Check(RunSettings run)
    {
        if (Get(run) is not { } values) return;
        if (values.Length != run.Population)
            throw new ArgumentException($"{Key} has {values.Length} per-member values; the population has {run.Population}.");
        foreach (float v in values)
            if (!Valid(v)) throw new ArgumentException($"{Key} must be {Range} (got {v}).");
    }
}
