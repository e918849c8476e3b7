namespace RlKernels.Algorithms.Tabular;

/// <summary>
/// Settings every synchronous-sweep solver shares (<see cref="PolicyEvaluation"/>, <see cref="QIteration"/>,
/// <see cref="ValueIteration"/>): the discount and when to stop sweeping.
/// </summary>
public abstract record SweepConfig
{
    /// <summary>Discount γ in [0, 1]. Default 0.99.</summary>
    public double Gamma { get; init; } = 0.99;
    /// <summary>Stop when the max-norm change of a sweep (of V, or of Q for Q-iteration) is at most this. Default 1e-10.</summary>
    public double Tolerance { get; init; } = 1e-10;
    /// <summary>Sweep cap; reaching it means "not converged". Default 100,000.</summary>
    public int MaxIterations { get; init; } = 100_000;

    /// <summary>Throws <see cref="ArgumentException"/> on γ outside [0, 1], a tolerance below 0 or NaN, or a cap below 1.</summary>
    internal void CheckSweep()
    {
        Bellman.CheckGamma(Gamma, nameof(Gamma));
        if (!(Tolerance >= 0)) throw new ArgumentException($"Tolerance must be ≥ 0, got {Tolerance}.", "config");
        if (MaxIterations < 1) throw new ArgumentException($"MaxIterations must be ≥ 1, got {MaxIterations}.", "config");
    }
}
