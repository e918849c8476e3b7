using RlKernels.Envs.Tabular;

namespace RlKernels.Algorithms.Tabular;

// Policy evaluation, float64, one MDP. V^π solves V = R_π + γ P_π V, where
// R_π(s) = Σ_a π(a|s) Σ_k p_k r_k and P_π(s, s') = Σ_a π(a|s) Σ_k p_k (1 − t_k) [s'_k = s'].
// Direct (S ≤ DirectMaxStates): Gaussian elimination with partial pivoting on the dense S × S system;
// a singular system (γ = 1 and a policy that can loop forever) falls back to the iterative method.
// Iterative: V ← R_π + γ P_π V from V = initial (default 0), synchronous sweeps until the max-norm
// change of V is ≤ Tolerance or MaxIterations sweeps. γ = 1 with a policy that never terminates (and
// costs something) diverges: reported as not converged when the cap is hit. (At γ = 1 a slowly
// terminating policy, uniform on CliffWalking: 6,453 steps on average, needs ~10^5 sweeps; the
// direct solve does not care.)

/// <summary>Settings of <see cref="PolicyEvaluation"/>.</summary>
public sealed record PolicyEvaluationConfig : SweepConfig
{
    /// <summary>Solve the linear system directly when S is at most this (0: always iterate). Default 1,024.</summary>
    public int DirectMaxStates { get; init; } = 1024;
}

/// <summary>V^π and Q^π of a stochastic policy on one <see cref="TabularMdp"/>, in float64.</summary>
public static class PolicyEvaluation
{
    /// <summary>
    /// V^π and Q^π of <paramref name="policy"/>: a direct linear solve when S ≤ <see cref="PolicyEvaluationConfig.DirectMaxStates"/>
    /// (unless the system is singular or the solution fails a one-backup check), else synchronous sweeps from <paramref name="initialValue"/>.
    /// </summary>
    /// <param name="model">The MDP.</param>
    /// <param name="policy">[S, A] π(a|s), rows summing to 1.</param>
    /// <param name="config">Discount, tolerance, sweep cap and the direct-solve threshold.</param>
    /// <param name="initialValue">[S] warm start (default 0), finite.</param>
    /// <exception cref="ArgumentException">γ outside [0, 1], a bad tolerance, cap, policy or initial value (wrong length, not finite).</exception>
    public static TabularSolution Evaluate(TabularMdp model, ReadOnlySpan<double> policy, PolicyEvaluationConfig config,
        ReadOnlySpan<double> initialValue = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        config.CheckSweep();
        int stateCount = model.StateCount, actionCount = model.ActionCount;
        Bellman.CheckPolicy(policy, stateCount, actionCount, nameof(policy));
        if (!initialValue.IsEmpty && initialValue.Length != stateCount)
            throw new ArgumentException($"The initial value must have S = {stateCount} entries, got {initialValue.Length}.", nameof(initialValue));
        Bellman.CheckFinite(initialValue, "initial value", nameof(initialValue));
        var q = new double[stateCount * actionCount];  // [S, A]
        var v = new double[stateCount];                // [S]
        var vNext = new double[stateCount];            // [S]
        if (stateCount <= config.DirectMaxStates && SolveDirect(model, policy, config.Gamma, v))
        {
            // Check the solution with one backup; the residual is at the rounding level of V.
            Bellman.Backup(model, config.Gamma, v, q);
            Bellman.PolicyAverage(q, policy, actionCount, vNext);
            double check = Bellman.MaxAbsDifference(vNext, v);
            double scale = 0;
            foreach (double x in v) scale = Math.Max(scale, Math.Abs(x));
            if (check <= Math.Max(config.Tolerance, 1e-12 * (1 + scale) * Math.Sqrt(stateCount)))
                return new TabularSolution("policy-evaluation", config.Gamma, stateCount, actionCount, q, v,
                    GreedyPolicy.TowardTermination(model, q), 1, check, true);
            Array.Clear(v);
        }
        if (!initialValue.IsEmpty) initialValue.CopyTo(v);
        return Bellman.SweepValues("policy-evaluation", model, config, v, policy);
    }

    /// <summary>Solves (I − γ P_π) V = R_π into <paramref name="value"/>; false when the system is singular.</summary>
    private static bool SolveDirect(TabularMdp model, ReadOnlySpan<double> policy, double gamma, Span<double> value)
    {
        int n = model.StateCount, actionCount = model.ActionCount;
        var m = new double[n * (n + 1)];  // [S, S + 1]: the augmented matrix [I − γ P_π | R_π]
        var offsets = model.Offsets;
        var next = model.NextState;
        var prob = model.Probability;
        var reward = model.Reward;
        var terminated = model.Terminated;
        int w = n + 1;
        for (int s = 0; s < n; s++)
        {
            m[s * w + s] = 1;
            for (int a = 0; a < actionCount; a++)
            {
                double pa = policy[s * actionCount + a];
                if (pa == 0) continue;
                int sa = s * actionCount + a;
                for (int k = offsets[sa]; k < offsets[sa + 1]; k++)
                {
                    m[s * w + n] += pa * prob[k] * reward[k];
                    if (!terminated[k]) m[s * w + next[k]] -= gamma * pa * prob[k];
                }
            }
        }
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++)
                if (Math.Abs(m[r * w + col]) > Math.Abs(m[pivot * w + col])) pivot = r;
            if (!(Math.Abs(m[pivot * w + col]) > 1e-11)) return false;
            if (pivot != col)
                for (int c = col; c <= n; c++) (m[col * w + c], m[pivot * w + c]) = (m[pivot * w + c], m[col * w + c]);
            double inv = 1 / m[col * w + col];
            for (int r = col + 1; r < n; r++)
            {
                double f = m[r * w + col] * inv;
                if (f == 0) continue;
                for (int c = col; c <= n; c++) m[r * w + c] -= f * m[col * w + c];
            }
        }
        for (int r = n - 1; r >= 0; r--)
        {
            double sum = m[r * w + n];
            for (int c = r + 1; c < n; c++) sum -= m[r * w + c] * value[c];
            value[r] = sum / m[r * w + r];
        }
        foreach (double x in value)
            if (!double.IsFinite(x)) return false;
        return true;
    }
}
