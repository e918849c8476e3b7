using RlKernels.Envs.Tabular;

namespace RlKernels.Algorithms.Tabular;

// Q-iteration (the lecture's tabular algorithm), float64, one MDP. S = states, A = actions.
//     Q*:  Q(s,a) ← Σ_k p_k ( r_k + γ (1 − t_k) max_a' Q(s'_k, a') )
//     Q^π: Q(s,a) ← Σ_k p_k ( r_k + γ (1 − t_k) Σ_a' π(a'|s'_k) Q(s'_k, a') )
// Synchronous sweeps from Q = 0 until the max-norm change is ≤ Tolerance or MaxIterations sweeps.
// γ = 1 is allowed: a proper problem converges, one whose values run off to −∞ (a policy that never
// terminates, with costs) hits the cap and is reported as not converged.

/// <summary>Settings of <see cref="QIteration"/>.</summary>
public sealed record QIterationConfig : SweepConfig
{
    /// <summary>[S, A] stochastic policy π: solve for Q^π instead of Q*. Default null (Q*).</summary>
    public double[]? Policy { get; init; }

    internal void Check(TabularMdp model)
    {
        Bellman.CheckGamma(Gamma, nameof(Gamma));
        if (!(Tolerance >= 0)) throw new ArgumentException($"Tolerance must be ≥ 0, got {Tolerance}.", nameof(Tolerance));
        if (MaxIterations < 1) throw new ArgumentException($"MaxIterations must be ≥ 1, got {MaxIterations}.", nameof(MaxIterations));
        if (Policy is not null) Bellman.CheckPolicy(Policy, model.StateCount, model.ActionCount, nameof(Policy));
    }
}

/// <summary>Q-iteration for Q* or Q^π on one <see cref="TabularMdp"/>, in float64.</summary>
public static class QIteration
{
    /// <summary>Runs Q-iteration; never loops past <see cref="SweepConfig.MaxIterations"/>.</summary>
    /// <exception cref="ArgumentException">γ outside [0, 1], a bad tolerance, cap or policy.</exception>
    public static TabularSolution Solve(TabularMdp model, QIterationConfig config)
    {
        ArgumentNullException.ThrowIfNull(model);
        config.Check(model);
        int stateCount = model.StateCount, actionCount = model.ActionCount;
        var q = new double[stateCount * actionCount];      // [S, A]
        var qNext = new double[stateCount * actionCount];  // [S, A]
        var v = new double[stateCount];                    // [S]
        double residual = double.PositiveInfinity;
        int iteration = 0;
        while (iteration < config.MaxIterations)
        {
            // COMPUTE TARGETS: the value of each next state under the current Q.
            if (config.Policy is null) Bellman.MaxOverActions(q, actionCount, v);
            else Bellman.PolicyAverage(q, config.Policy, actionCount, v);
            // UPDATE: one synchronous backup of every (s, a).
            Bellman.Backup(model, config.Gamma, v, qNext);
            residual = Bellman.MaxAbsDifference(qNext, q);
            (q, qNext) = (qNext, q);
            iteration++;
            if (residual <= config.Tolerance || !double.IsFinite(residual)) break;
        }
        if (config.Policy is null) Bellman.MaxOverActions(q, actionCount, v);
        else Bellman.PolicyAverage(q, config.Policy, actionCount, v);
        return new TabularSolution(config.Policy is null ? "q-iteration" : "q-iteration-policy", config.Gamma,
            stateCount, actionCount, q, v, GreedyPolicy.TowardTermination(model, q), iteration, residual,
            residual <= config.Tolerance);
    }
}
