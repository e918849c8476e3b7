namespace RlKernels.Algorithms.Tabular;

/// <summary>Settings of the tabular TD learners <see cref="QLearning"/> and <see cref="TabularSarsa"/> (the same knobs).</summary>
public sealed record TabularTdConfig : TabularEnvConfig
{
    /// <summary>P: tables; 1 = shared by all envs, E = one per env. Must divide E. Default 1.</summary>
    public int TableCount { get; init; } = 1;
    /// <summary>Learning rate, one for all or one per table, in (0, 1]. Default 0.1.</summary>
    public IReadOnlyList<double> LearningRates { get; init; } = [0.1];
    /// <summary>The learning rate decays linearly to this fraction of itself by the last step, in (0, 1]. Default 1 (constant).</summary>
    public double FinalLearningRateFraction { get; init; } = 1.0;
    /// <summary>Discount γ, one for all or one per table, in [0, 1]. Default 0.99.</summary>
    public IReadOnlyList<double> Gammas { get; init; } = [0.99];
    /// <summary>ε of ε-greedy, one for all or one per table, in [0, 1]. Default 0.1.</summary>
    public IReadOnlyList<double> Epsilons { get; init; } = [0.1];
    /// <summary>Behaviour policy. Default ε-greedy.</summary>
    public Exploration Exploration { get; init; } = Exploration.EpsilonGreedy;
    /// <summary>Softmax temperature τ &gt; 0. Default 1.</summary>
    public double Temperature { get; init; } = 1.0;
}
