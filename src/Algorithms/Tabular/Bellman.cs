using RlKernels.Envs.Tabular;

namespace RlKernels.Algorithms.Tabular;

// Shared pieces of the tabular dynamic-programming solvers (float64, one MDP, one thread: the
// readable path and the "scalar" baseline of the batched kernels).
// S = state count, A = action count; Q is row-major [S, A], V is [S], a stochastic policy is [S, A].
// The backup of every solver is
//     Q(s,a) = Σ_k p_k · ( r_k + γ · (1 − t_k) · V(s'_k) )
// over the outcomes k of (s, a) in list order: a terminated outcome has continuation value 0
// whatever the rows of its next state say (CliffWalking's goal and Taxi's delivered states are
// not absorbing).

/// <summary>The result of a tabular solver.</summary>
/// <param name="Algorithm">"q-iteration", "value-iteration", "policy-evaluation", "policy-iteration".</param>
/// <param name="Gamma">The discount γ.</param>
/// <param name="StateCount">States S.</param>
/// <param name="ActionCount">Actions A.</param>
/// <param name="Q">[S, A] row-major action values.</param>
/// <param name="V">[S] state values: max_a Q (optimal solvers) or Σ_a π(a|s)·Q (policy evaluation).</param>
/// <param name="Policy">[S] a deterministic policy: the greedy one (ties broken toward termination, see
/// <see cref="GreedyPolicy.TowardTermination"/>), or policy iteration's final policy.</param>
/// <param name="Iterations">Sweeps done (policy iteration: improvement steps).</param>
/// <param name="Residual">Max-norm change of the last sweep.</param>
/// <param name="Converged">False when the iteration cap was hit first or values stopped being finite
/// (for example γ = 1 with a policy that never terminates).</param>
public sealed record TabularSolution(string Algorithm, double Gamma, int StateCount, int ActionCount,
    double[] Q, double[] V, int[] Policy, int Iterations, double Residual, bool Converged)
{
    /// <summary>Q(s, a).</summary>
    public double QValue(int state, int action) => Q[state * ActionCount + action];
}

/// <summary>Bellman backups over a <see cref="TabularMdp"/> in float64.</summary>
public static class Bellman
{
    /// <summary>Throws unless 0 ≤ γ ≤ 1.</summary>
    public static void CheckGamma(double gamma, string paramName = "gamma")
    {
        if (!(gamma >= 0 && gamma <= 1))
            throw new ArgumentException($"The discount gamma must be in [0, 1], got {gamma.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}.", paramName);
    }

    /// <summary>
    /// Throws unless every entry of a value or Q table handed in from outside (a warm start, a table to act on)
    /// is finite: a NaN start makes every later sweep NaN, and an infinite one never converges.
    /// </summary>
    /// <param name="table">The table to check.</param>
    /// <param name="what">Names the table in the message, e.g. "initial value".</param>
    /// <param name="paramName">The parameter name the <see cref="ArgumentException"/> carries.</param>
    public static void CheckFinite(ReadOnlySpan<double> table, string what, string paramName)
    {
        for (int i = 0; i < table.Length; i++)
            if (!double.IsFinite(table[i]))
                throw new ArgumentException($"The {what} holds {table[i].ToString(System.Globalization.CultureInfo.InvariantCulture)} at entry {i}: it must be finite.", paramName);
    }

    /// <summary>Throws unless <paramref name="policy"/> is [S, A] with finite, non-negative rows summing to 1.</summary>
    public static void CheckPolicy(ReadOnlySpan<double> policy, int stateCount, int actionCount, string paramName = "policy")
    {
        if (policy.Length != stateCount * actionCount)
            throw new ArgumentException($"The policy must have S·A = {stateCount * actionCount} entries ([state, action]), got {policy.Length}.", paramName);
        for (int s = 0; s < stateCount; s++)
        {
            double sum = 0;
            for (int a = 0; a < actionCount; a++)
            {
                double p = policy[s * actionCount + a];
                if (!double.IsFinite(p) || p < 0)
                    throw new ArgumentException($"The policy's probability of action {a} in state {s} is {p}: it must be finite and not negative.", paramName);
                sum += p;
            }
            if (Math.Abs(sum - 1) > TabularMdp.ProbabilityTolerance)
                throw new ArgumentException($"The policy's probabilities in state {s} sum to {sum}, not 1.", paramName);
        }
    }

    /// <summary>
    /// Q(s,a) = Σ_k p_k (r_k + γ (1 − t_k) V(s'_k)) for every (s, a).
    /// </summary>
    /// <param name="model">The MDP: outcomes (p, s', r, terminated) of every (s, a).</param>
    /// <param name="gamma">The discount γ.</param>
    /// <param name="value">[S] the values of next states.</param>
    /// <param name="q">[S, A] output.</param>
    public static void Backup(TabularMdp model, double gamma, ReadOnlySpan<double> value, Span<double> q)
    {
        var offsets = model.Offsets;
        var next = model.NextState;
        var prob = model.Probability;
        var reward = model.Reward;
        var terminated = model.Terminated;
        for (int sa = 0; sa < q.Length; sa++)
        {
            double sum = 0;
            for (int k = offsets[sa]; k < offsets[sa + 1]; k++)
                sum += prob[k] * (reward[k] + (terminated[k] ? 0.0 : gamma * value[next[k]]));
            q[sa] = sum;
        }
    }

    /// <summary>
    /// Synchronous sweeps V ← max_a Q(s, a) (value iteration: <paramref name="policy"/> empty) or V ← Σ_a π(a|s) Q(s, a)
    /// (policy evaluation), Q = R + γ P V, from <paramref name="value"/> (overwritten) until the max-norm change of V
    /// is ≤ the tolerance or the sweep cap; then Q from the final V with one more backup, and the greedy policy.
    /// </summary>
    /// <param name="algorithm">The solution's algorithm name.</param>
    /// <param name="model">The MDP.</param>
    /// <param name="config">Discount, tolerance and sweep cap (checked by the caller).</param>
    /// <param name="value">[S] the starting V.</param>
    /// <param name="policy">[S, A] π(a|s), or empty for the max over actions.</param>
    internal static TabularSolution SweepValues(string algorithm, TabularMdp model, SweepConfig config, double[] value, ReadOnlySpan<double> policy)
    {
        int stateCount = model.StateCount, actionCount = model.ActionCount;
        var q = new double[stateCount * actionCount];  // [S, A]
        double[] v = value, vNext = new double[stateCount]; // [S]
        double residual = double.PositiveInfinity;
        int iteration = 0;
        while (iteration < config.MaxIterations)
        {
            // UPDATE: V ← max_a (R + γ P V) or Σ_a π(a|s) (R + γ P V), every state at once.
            Backup(model, config.Gamma, v, q);
            if (policy.IsEmpty) MaxOverActions(q, actionCount, vNext);
            else PolicyAverage(q, policy, actionCount, vNext);
            residual = MaxAbsDifference(vNext, v);
            (v, vNext) = (vNext, v);
            iteration++;
            if (residual <= config.Tolerance || !double.IsFinite(residual)) break;
        }
        Backup(model, config.Gamma, v, q);
        return new TabularSolution(algorithm, config.Gamma, stateCount, actionCount, q, v,
            GreedyPolicy.TowardTermination(model, q), iteration, residual, residual <= config.Tolerance);
    }

    /// <summary>V(s) = max_a Q(s, a).</summary>
    /// <param name="q">[S, A]</param>
    /// <param name="actionCount">Actions A (the row width of <paramref name="q"/>).</param>
    /// <param name="value">[S] output.</param>
    public static void MaxOverActions(ReadOnlySpan<double> q, int actionCount, Span<double> value)
    {
        for (int s = 0; s < value.Length; s++)
        {
            double best = q[s * actionCount];
            for (int a = 1; a < actionCount; a++) best = Math.Max(best, q[s * actionCount + a]);
            value[s] = best;
        }
    }

    /// <summary>V(s) = Σ_a π(a|s) Q(s, a).</summary>
    /// <param name="q">[S, A]</param>
    /// <param name="policy">[S, A]</param>
    /// <param name="actionCount">Actions A (the row width of both tables).</param>
    /// <param name="value">[S] output.</param>
    public static void PolicyAverage(ReadOnlySpan<double> q, ReadOnlySpan<double> policy, int actionCount, Span<double> value)
    {
        for (int s = 0; s < value.Length; s++)
        {
            double sum = 0;
            for (int a = 0; a < actionCount; a++) sum += policy[s * actionCount + a] * q[s * actionCount + a];
            value[s] = sum;
        }
    }

    /// <summary>max_i |a[i] − b[i]|; +∞ as soon as a value is not finite.</summary>
    public static double MaxAbsDifference(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (!double.IsFinite(a[i])) return double.PositiveInfinity;
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }
        return max;
    }

    /// <summary>The uniform policy [S, A].</summary>
    public static double[] UniformPolicy(int stateCount, int actionCount)
    {
        var pi = new double[stateCount * actionCount];
        Array.Fill(pi, 1.0 / actionCount);
        return pi;
    }

    /// <summary>The stochastic form [S, A] of a deterministic policy [S].</summary>
    public static double[] OneHotPolicy(ReadOnlySpan<int> actions, int actionCount)
    {
        var pi = new double[actions.Length * actionCount];
        for (int s = 0; s < actions.Length; s++)
        {
            if ((uint)actions[s] >= (uint)actionCount)
                throw new ArgumentException($"The policy's action {actions[s]} in state {s} is out of range [0, {actionCount}).", nameof(actions));
            pi[s * actionCount + actions[s]] = 1;
        }
        return pi;
    }
}
