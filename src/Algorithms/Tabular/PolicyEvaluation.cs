using RlKernels.Envs.Tabular;

namespace RlKernels.Algorithms.Tabular;

// Iterative policy evaluation, float64, one MDP: V^π(s) ← Σ_a π(a|s) Σ_k p_k ( r_k + γ (1 − t_k) V^π(s'_k) )
// from V = Initial (default 0), synchronous sweeps until the max-norm change of V is ≤ Tolerance or
// MaxIterations sweeps. γ = 1 with a policy that never terminates (and costs something) diverges:
// reported as not converged when the cap is hit.

/// <summary>Settings of <see cref="PolicyEvaluation"/>.</summary>
public sealed record PolicyEvaluationConfig
{
    /// <summary>Discount γ in [0, 1]. Default 0.99.</summary>
    public double Gamma { get; init; } = 0.99;
    /// <summary>Stop when the max-norm change of V in a sweep is at most this. Default 1e-10.</summary>
    public double Tolerance { get; init; } = 1e-10;
    /// <summary>Sweep cap; reaching it means "not converged". Default 100,000.</summary>
    public int MaxIterations { get; init; } = 100_000;
}

/// <summary>V^π and Q^π of a stochastic policy on one <see cref="TabularMdp"/>, in float64.</summary>
public static class PolicyEvaluation
{
    /// <param name="policy">[S, A] π(a|s), rows summing to 1.</param>
    /// <param name="initialValue">[S] warm start (default 0).</param>
    /// <exception cref="ArgumentException">γ outside [0, 1], a bad tolerance, cap or policy.</exception>
    public static TabularSolution Evaluate(TabularMdp model, ReadOnlySpan<double> policy, PolicyEvaluationConfig config,
        ReadOnlySpan<double> initialValue = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        Bellman.CheckGamma(config.Gamma, nameof(config.Gamma));
        if (!(config.Tolerance >= 0)) throw new ArgumentException($"Tolerance must be ≥ 0, got {config.Tolerance}.", nameof(config));
        if (config.MaxIterations < 1) throw new ArgumentException($"MaxIterations must be ≥ 1, got {config.MaxIterations}.", nameof(config));
        int stateCount = model.StateCount, actionCount = model.ActionCount;
        Bellman.CheckPolicy(policy, stateCount, actionCount, nameof(policy));
        if (!initialValue.IsEmpty && initialValue.Length != stateCount)
            throw new ArgumentException($"The initial value must have S = {stateCount} entries, got {initialValue.Length}.", nameof(initialValue));
        var q = new double[stateCount * actionCount];  // [S, A]
        var v = new double[stateCount];                // [S]
        var vNext = new double[stateCount];            // [S]
        if (!initialValue.IsEmpty) initialValue.CopyTo(v);
        double residual = double.PositiveInfinity;
        int iteration = 0;
        while (iteration < config.MaxIterations)
        {
            // UPDATE: V ← Σ_a π(a|s) (R + γ P V), every state at once.
            Bellman.Backup(model, config.Gamma, v, q);
            Bellman.PolicyAverage(q, policy, actionCount, vNext);
            residual = Bellman.MaxAbsDifference(vNext, v);
            (v, vNext) = (vNext, v);
            iteration++;
            if (residual <= config.Tolerance || !double.IsFinite(residual)) break;
        }
        Bellman.Backup(model, config.Gamma, v, q);
        return new TabularSolution("policy-evaluation", config.Gamma, stateCount, actionCount, q, v,
            GreedyPolicy.TowardTermination(model, q), iteration, residual, residual <= config.Tolerance);
    }
}
