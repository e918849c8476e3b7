namespace RlKernels.Algorithms.Deep;

/// <summary>
/// Hyperparameters of the deep learners that act ε-greedily on a Q network (<see cref="DqnConfig"/>,
/// <see cref="PqnConfig"/>): ε linear from <see cref="StartEpsilon"/> to <see cref="EndEpsilon"/> over
/// <see cref="ExplorationFraction"/> of the run, then flat. Each config sets its own fraction in its constructor.
/// </summary>
public abstract record EpsilonGreedyConfig : DeepConfig
{
    /// <summary>ε at the start.</summary>
    public float StartEpsilon { get; init; } = 1f;
    /// <summary>ε after the decay.</summary>
    public float EndEpsilon { get; init; } = 0.05f;
    /// <summary>Fraction of <see cref="RunSettings.TotalSteps"/> over which ε decays linearly.</summary>
    public float ExplorationFraction { get; init; } = 0.5f;

    /// <summary>Both ε in [0, 1] and a positive fraction.</summary>
    internal bool EpsilonScheduleValid =>
        StartEpsilon is >= 0 and <= 1 && EndEpsilon is >= 0 and <= 1 && ExplorationFraction > 0;

    /// <summary>ε after <paramref name="steps"/> of <paramref name="totalSteps"/> env steps (<see cref="Dqn.Epsilon"/>).</summary>
    public float EpsilonAt(long steps, long totalSteps) => Dqn.Epsilon(steps, totalSteps, StartEpsilon, EndEpsilon, ExplorationFraction);
}
