using RlKernels.Envs.Tabular;

namespace RlKernels.Algorithms.Tabular;

// Value iteration, float64, one MDP: V(s) ← max_a Σ_k p_k ( r_k + γ (1 − t_k) V(s'_k) ) from V = 0,
// synchronous sweeps until the max-norm change of V is ≤ Tolerance or MaxIterations sweeps.
// Q is formed from the final V with one more backup. Same iterates as Q-iteration (V_k = max_a Q_k),
// with the residual measured on V.

/// <summary>Settings of <see cref="ValueIteration"/>.</summary>
public sealed record ValueIterationConfig : SweepConfig;

/// <summary>Value iteration for V* on one <see cref="TabularMdp"/>, in float64.</summary>
public static class ValueIteration
{
    /// <exception cref="ArgumentException">γ outside [0, 1], a bad tolerance or cap.</exception>
    public static TabularSolution Solve(TabularMdp model, ValueIterationConfig config)
    {
        ArgumentNullException.ThrowIfNull(model);
        Bellman.CheckGamma(config.Gamma, nameof(config.Gamma));
        if (!(config.Tolerance >= 0)) throw new ArgumentException($"Tolerance must be ≥ 0, got {config.Tolerance}.", nameof(config));
        if (config.MaxIterations < 1) throw new ArgumentException($"MaxIterations must be ≥ 1, got {config.MaxIterations}.", nameof(config));
        int stateCount = model.StateCount, actionCount = model.ActionCount;
        var q = new double[stateCount * actionCount];  // [S, A]
        var v = new double[stateCount];                // [S]
        var vNext = new double[stateCount];            // [S]
        double residual = double.PositiveInfinity;
        int iteration = 0;
        while (iteration < config.MaxIterations)
        {
            // UPDATE: V ← max_a (R + γ P V), every state at once.
            Bellman.Backup(model, config.Gamma, v, q);
            Bellman.MaxOverActions(q, actionCount, vNext);
            residual = Bellman.MaxAbsDifference(vNext, v);
            (v, vNext) = (vNext, v);
            iteration++;
            if (residual <= config.Tolerance || !double.IsFinite(residual)) break;
        }
        Bellman.Backup(model, config.Gamma, v, q);
        return new TabularSolution("value-iteration", config.Gamma, stateCount, actionCount, q, v,
            GreedyPolicy.TowardTermination(model, q), iteration, residual, residual <= config.Tolerance);
    }
}
