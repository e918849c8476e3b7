using RlKernels.Envs.Tabular;

namespace RlKernels.Algorithms.Tabular;

// Policy extraction from action values. Q is row-major [S, A].
// Ties are real: at γ = 1 in FrozenLake, bumping into a wall (and staying put) has exactly the value
// of the best move, so "the first maximal action" can be a policy that never reaches the goal.
// TowardTermination breaks ties among the (near-)optimal actions so that every state keeps a path of
// positive probability to a terminating transition whenever the optimal actions allow one.

/// <summary>Greedy and k-step greedy policies, and the sets of optimal actions.</summary>
public static class GreedyPolicy
{
    /// <summary>Default closeness (relative, 1e-9·(1 + |max Q|)) under which two action values tie.</summary>
    public const double DefaultTieTolerance = 1e-9;

    /// <summary>π(s) = the first a with the largest Q(s, a).</summary>
    /// <param name="q">[S, A]</param>
    /// <param name="actionCount">Actions A (the row width of <paramref name="q"/>).</param>
    /// <returns>[S]</returns>
    public static int[] Greedy(ReadOnlySpan<double> q, int actionCount)
    {
        var policy = new int[q.Length / actionCount];
        for (int s = 0; s < policy.Length; s++)
        {
            int best = 0;
            for (int a = 1; a < actionCount; a++)
                if (q[s * actionCount + a] > q[s * actionCount + best]) best = a;
            policy[s] = best;
        }
        return policy;
    }

    /// <summary>Whether Q(s, a) is within tolerance·(1 + |max_a' Q(s, a')|) of the maximum.</summary>
    public static bool IsOptimal(ReadOnlySpan<double> q, int actionCount, int state, int action, double tolerance = DefaultTieTolerance)
    {
        double best = double.NegativeInfinity;
        for (int a = 0; a < actionCount; a++) best = Math.Max(best, q[state * actionCount + a]);
        return q[state * actionCount + action] >= best - tolerance * (1 + Math.Abs(best));
    }

    /// <summary>
    /// Per state, the actions within tolerance·(1 + |max Q(s,·)|) of the best; never empty. A row with
    /// non-finite values (a diverged solve: +∞ or NaN, where the tolerance test says nothing) gets the
    /// greedy choice alone, so policies can always be read off a Q table.
    /// </summary>
    /// <param name="q">[S, A]</param>
    /// <param name="actionCount">Actions A (the row width of <paramref name="q"/>).</param>
    /// <param name="tolerance">Relative tie tolerance (see <see cref="DefaultTieTolerance"/>).</param>
    public static int[][] OptimalActions(ReadOnlySpan<double> q, int actionCount, double tolerance = DefaultTieTolerance)
    {
        var sets = new int[q.Length / actionCount][];
        int[] greedy = Greedy(q, actionCount);
        for (int s = 0; s < sets.Length; s++)
        {
            var set = new List<int>(actionCount);
            for (int a = 0; a < actionCount; a++)
                if (IsOptimal(q, actionCount, s, a, tolerance)) set.Add(a);
            sets[s] = set.Count > 0 ? set.ToArray() : [greedy[s]];
        }
        return sets;
    }

    /// <summary>
    /// A greedy policy whose ties are broken toward termination: a state takes, among its optimal
    /// actions, one with a positive-probability terminating outcome, else one with a positive-probability
    /// outcome into a state already so assigned (found by sweeping outward from termination). States
    /// from which no optimal action leads to termination take the first optimal action.
    /// </summary>
    /// <param name="model">The MDP whose outcomes say which actions can terminate.</param>
    /// <param name="q">[S, A] action values of <paramref name="model"/>.</param>
    /// <param name="tolerance">Relative tie tolerance (see <see cref="DefaultTieTolerance"/>).</param>
    /// <returns>[S]</returns>
    public static int[] TowardTermination(TabularMdp model, ReadOnlySpan<double> q, double tolerance = DefaultTieTolerance)
    {
        int stateCount = model.StateCount, actionCount = model.ActionCount;
        if (q.Length != stateCount * actionCount)
            throw new ArgumentException($"Q must have S·A = {stateCount * actionCount} entries, got {q.Length}.", nameof(q));
        var optimal = OptimalActions(q, actionCount, tolerance);
        var policy = new int[stateCount];
        var assigned = new bool[stateCount];
        var offsets = model.Offsets;
        var prob = model.Probability;
        var next = model.NextState;
        var terminated = model.Terminated;
        for (int s = 0; s < stateCount; s++) policy[s] = optimal[s][0];
        // Round 0: an optimal action that can terminate. Later rounds: one that can reach an assigned state.
        for (bool changed = true, first = true; changed; first = false)
        {
            changed = false;
            var newly = new List<int>();
            for (int s = 0; s < stateCount; s++)
            {
                if (assigned[s]) continue;
                foreach (int a in optimal[s])
                {
                    int sa = s * actionCount + a;
                    bool leads = false;
                    for (int k = offsets[sa]; k < offsets[sa + 1] && !leads; k++)
                        leads = prob[k] > 0 && (first ? terminated[k] : !terminated[k] && assigned[next[k]]);
                    if (leads)
                    {
                        policy[s] = a;
                        newly.Add(s);
                        break;
                    }
                }
            }
            // Assign after the sweep, so each round extends the region by exactly one step.
            foreach (int s in newly) assigned[s] = true;
            changed = newly.Count > 0 || first;
        }
        return policy;
    }

    /// <summary>
    /// The k-step greedy policy: greedy with respect to k steps of lookahead from <paramref name="value"/>,
    /// i.e. argmax_a of T^k V where the first k − 1 backups take the max over actions. k = 1 is the
    /// ordinary greedy policy of V.
    /// </summary>
    /// <param name="model">The MDP to look ahead in.</param>
    /// <param name="gamma">The discount γ in [0, 1].</param>
    /// <param name="value">[S], finite.</param>
    /// <param name="k">Lookahead steps, ≥ 1.</param>
    /// <returns>[S], ties broken toward termination.</returns>
    /// <exception cref="ArgumentException">γ outside [0, 1], k &lt; 1, or V of the wrong length or not finite.</exception>
    public static int[] KStep(TabularMdp model, double gamma, ReadOnlySpan<double> value, int k)
    {
        Bellman.CheckGamma(gamma);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (value.Length != model.StateCount)
            throw new ArgumentException($"V must have S = {model.StateCount} entries, got {value.Length}.", nameof(value));
        Bellman.CheckFinite(value, "value table V", nameof(value));
        var v = value.ToArray();
        var q = new double[model.StateCount * model.ActionCount];
        for (int step = 0; step < k; step++)
        {
            Bellman.Backup(model, gamma, v, q);
            if (step < k - 1) Bellman.MaxOverActions(q, model.ActionCount, v);
        }
        return TowardTermination(model, q);
    }
}
