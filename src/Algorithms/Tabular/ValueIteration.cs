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
        config.CheckSweep();
        return Bellman.SweepValues("value-iteration", model, config, new double[model.StateCount], policy: default);
    }
}
