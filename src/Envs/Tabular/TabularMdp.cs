namespace RlKernels.Envs.Tabular;

// An explicit finite MDP in the shape of Gymnasium's toy-text P: for every (state, action) a short
// list of outcomes (probability, next state, reward, terminated), kept in list order and with
// duplicates (two outcomes may share a next state, even with different rewards), plus the
// initial-state distribution. Source of the format: data/reference/gymnasium-toytext/README.md.
// S = state count, A = action count, K = total outcome count.
// A terminated outcome has continuation value 0 whatever its next state's own rows say: Gymnasium's
// terminal states are not always absorbing (CliffWalking's goal, Taxi's delivered states).

/// <summary>One outcome of (State, Action), as a row of the P-table CSV.</summary>
public readonly record struct TabularTransition(int State, int Action, double Probability, int NextState, double Reward, bool Terminated);

/// <summary>
/// An explicit tabular MDP stored flat (CSR): the outcomes of (s, a) are entries
/// [Offsets[s·A + a], Offsets[s·A + a + 1]) of <see cref="NextState"/>, <see cref="Probability"/>,
/// <see cref="Reward"/> and <see cref="Terminated"/>, in Gymnasium's list order. Immutable; every
/// constructor validates its input completely before anything is built.
/// </summary>
public sealed partial class TabularMdp
{
    /// <summary>How far from 1 the probabilities of one (s, a), or of the initial distribution, may sum.</summary>
    public const double ProbabilityTolerance = 1e-6;

    /// <summary>
    /// The largest |reward| a model may hold. Values are at most |r| / (1 − γ) (or |r| times the sweeps at γ = 1),
    /// so with |r| ≤ 1e30 every solver stays finite in float64 whatever γ and cap, and in float32 for
    /// γ ≤ 1 − 1e-8; larger rewards are a broken file, not a model.
    /// </summary>
    public const double MaxAbsReward = 1e30;

    /// <summary>
    /// Throws unless S ≥ 1, A ≥ 1 and a model of S states and A actions, with the arrays a solver needs, fits in
    /// memory: S·A + 1 offsets within an array, and about 32·S·A + 64·S bytes (CSR offsets, two Q tables, the
    /// greedy policy's bookkeeping) within half of what this process may use. Call it before allocating by S and A.
    /// </summary>
    /// <param name="stateCount">S, the number of states.</param>
    /// <param name="actionCount">A, the number of actions.</param>
    /// <param name="where">Names the source in the message, e.g. "model.json: n_states".</param>
    /// <exception cref="ArgumentException">The counts are out of range or too large.</exception>
    public static void CheckSize(long stateCount, long actionCount, string where)
    {
        if (stateCount < 1) throw new ArgumentException($"{where}: the state count must be at least 1, got {stateCount}.");
        if (actionCount < 1) throw new ArgumentException($"{where}: the action count must be at least 1, got {actionCount}.");
        if (stateCount > int.MaxValue || actionCount > int.MaxValue || stateCount * actionCount + 1 > Array.MaxLength)
            throw new ArgumentException($"{where}: S·A = {stateCount}·{actionCount} is more (state, action) pairs than an array holds ({Array.MaxLength}).");
        long bytes = 32 * stateCount * actionCount + 64 * stateCount;
        long budget = Registry.MemoryBudget.UsableBytes;
        if (bytes > budget)
            throw new ArgumentException(
                $"{where}: {stateCount} states × {actionCount} actions need about {Registry.MemoryBudget.Format(bytes)} to solve; the limit here is {Registry.MemoryBudget.Format(budget)}.");
    }

    private readonly int[] _offsets;      // [S·A + 1]
    private readonly int[] _next;         // [K]
    private readonly double[] _prob;      // [K]
    private readonly double[] _reward;    // [K]
    private readonly bool[] _terminated;  // [K]
    private readonly double[] _initial;   // [S]
    private readonly string[]? _actionNames;

    /// <summary>S: states, indexed 0..S-1.</summary>
    public int StateCount { get; }
    /// <summary>A: actions, indexed 0..A-1; every state has all of them.</summary>
    public int ActionCount { get; }
    /// <summary>K: outcomes over all (s, a).</summary>
    public int OutcomeCount => _next.Length;
    /// <summary>The longest outcome list of any (s, a).</summary>
    public int MaxOutcomes { get; }

    /// <summary>[S·A + 1]: outcomes of (s, a) are [Offsets[s·A + a], Offsets[s·A + a + 1]).</summary>
    public ReadOnlySpan<int> Offsets => _offsets;
    /// <summary>[K]</summary>
    public ReadOnlySpan<int> NextState => _next;
    /// <summary>[K]</summary>
    public ReadOnlySpan<double> Probability => _prob;
    /// <summary>[K]</summary>
    public ReadOnlySpan<double> Reward => _reward;
    /// <summary>[K]: the terminated flag of the outcome (continuation value 0).</summary>
    public ReadOnlySpan<bool> Terminated => _terminated;
    /// <summary>[S]: the distribution reset draws the first state from.</summary>
    public ReadOnlySpan<double> InitialDistribution => _initial;
    /// <summary>Action names (Gymnasium's order), or null when not known.</summary>
    public IReadOnlyList<string>? ActionNames => _actionNames;

    /// <summary>First outcome index of (state, action) and how many it has.</summary>
    public (int Start, int Count) Outcomes(int state, int action)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(state);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(state, StateCount);
        ArgumentOutOfRangeException.ThrowIfNegative(action);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(action, ActionCount);
        int sa = state * ActionCount + action;
        return (_offsets[sa], _offsets[sa + 1] - _offsets[sa]);
    }

    /// <summary>R(s, a) = Σ_k p_k · r_k, summed in list order.</summary>
    public double ExpectedReward(int state, int action)
    {
        var (start, count) = Outcomes(state, action);
        double sum = 0;
        for (int k = start; k < start + count; k++) sum += _prob[k] * _reward[k];
        return sum;
    }

    /// <summary>The outcomes as rows, in CSV order.</summary>
    public IEnumerable<TabularTransition> Transitions()
    {
        for (int s = 0; s < StateCount; s++)
            for (int a = 0; a < ActionCount; a++)
            {
                int sa = s * ActionCount + a;
                for (int k = _offsets[sa]; k < _offsets[sa + 1]; k++)
                    yield return new TabularTransition(s, a, _prob[k], _next[k], _reward[k], _terminated[k]);
            }
    }

    /// <summary>Builds a model from CSR arrays (copied).</summary>
    /// <param name="stateCount">S ≥ 1.</param>
    /// <param name="actionCount">A ≥ 1.</param>
    /// <param name="offsets">[S·A + 1], offsets[0] = 0, every (s, a) with at least one outcome, last = K.</param>
    /// <param name="nextState">[K], each in [0, S).</param>
    /// <param name="probability">[K], in [0, 1]; each (s, a) sums to 1 within <see cref="ProbabilityTolerance"/>.</param>
    /// <param name="reward">[K], finite, |r| ≤ <see cref="MaxAbsReward"/>.</param>
    /// <param name="terminated">[K]</param>
    /// <param name="initialDistribution">[S], finite, ≥ 0, sums to 1 within the tolerance.</param>
    /// <param name="actionNames">Optional, [A].</param>
    /// <exception cref="ArgumentException">Naming the first bad place, e.g. "(s=3, a=1, outcome 2)".</exception>
    public TabularMdp(int stateCount, int actionCount, ReadOnlySpan<int> offsets, ReadOnlySpan<int> nextState,
        ReadOnlySpan<double> probability, ReadOnlySpan<double> reward, ReadOnlySpan<bool> terminated,
        ReadOnlySpan<double> initialDistribution, IReadOnlyList<string>? actionNames = null)
    {
        if (stateCount < 1) throw new ArgumentException($"The state count must be at least 1, got {stateCount}.", nameof(stateCount));
        if (actionCount < 1) throw new ArgumentException($"The action count must be at least 1, got {actionCount}.", nameof(actionCount));
        long pairs = (long)stateCount * actionCount;
        if (pairs + 1 > int.MaxValue) throw new ArgumentException($"S·A = {pairs} is too large.", nameof(actionCount));
        if (offsets.Length != pairs + 1)
            throw new ArgumentException($"Expected {pairs + 1} offsets (S·A + 1), got {offsets.Length}.", nameof(offsets));
        int k = nextState.Length;
        if (probability.Length != k || reward.Length != k || terminated.Length != k)
            throw new ArgumentException($"nextState, probability, reward and terminated must have the same length; got {k}, " +
                $"{probability.Length}, {reward.Length}, {terminated.Length}.", nameof(probability));
        if (offsets[0] != 0) throw new ArgumentException($"offsets[0] must be 0, got {offsets[0]}.", nameof(offsets));
        if (offsets[(int)pairs] != k)
            throw new ArgumentException($"The last offset must equal the outcome count {k}, got {offsets[(int)pairs]}.", nameof(offsets));
        if (actionNames is not null && actionNames.Count != actionCount)
            throw new ArgumentException($"Expected {actionCount} action names, got {actionNames.Count}.", nameof(actionNames));

        int maxOutcomes = 0;
        for (int s = 0; s < stateCount; s++)
            for (int a = 0; a < actionCount; a++)
            {
                int sa = s * actionCount + a;
                int start = offsets[sa], end = offsets[sa + 1];
                if (end <= start)
                    throw new ArgumentException($"(s={s}, a={a}) has no outcomes (offsets {start}, {end}); every (s, a) needs at least one.", nameof(offsets));
                maxOutcomes = Math.Max(maxOutcomes, end - start);
                double sum = 0;
                for (int j = start; j < end; j++)
                {
                    string place = $"(s={s}, a={a}, outcome {j - start})";
                    if ((uint)nextState[j] >= (uint)stateCount)
                        throw new ArgumentException($"{place}: next state {nextState[j]} is out of range [0, {stateCount}).", nameof(nextState));
                    double p = probability[j];
                    if (!double.IsFinite(p) || p < 0 || p > 1)
                        throw new ArgumentException($"{place}: probability {Show(p)} is {(!double.IsFinite(p) ? "not finite" : p < 0 ? "negative" : "above 1")}.", nameof(probability));
                    if (!double.IsFinite(reward[j]))
                        throw new ArgumentException($"{place}: reward {Show(reward[j])} is not finite.", nameof(reward));
                    if (Math.Abs(reward[j]) > MaxAbsReward)
                        throw new ArgumentException($"{place}: reward {Show(reward[j])} is beyond ±1e30, the largest reward a model may hold.", nameof(reward));
                    sum += p;
                }
                if (Math.Abs(sum - 1) > ProbabilityTolerance)
                    throw new ArgumentException($"(s={s}, a={a}): the {end - start} outcome probabilities sum to {Show(sum)}, " +
                        $"not 1 (tolerance {ProbabilityTolerance}).", nameof(probability));
            }
        CheckDistribution(initialDistribution, stateCount, "initial distribution", nameof(initialDistribution));

        StateCount = stateCount;
        ActionCount = actionCount;
        MaxOutcomes = maxOutcomes;
        _offsets = offsets.ToArray();
        _next = nextState.ToArray();
        _prob = probability.ToArray();
        _reward = reward.ToArray();
        _terminated = terminated.ToArray();
        _initial = initialDistribution.ToArray();
        _actionNames = actionNames?.ToArray();
    }

    /// <summary>
    /// Builds a model from rows in any order: the outcomes of each (s, a) keep the order in which
    /// its rows appear (so Gymnasium's list order survives), duplicates included.
    /// </summary>
    /// <exception cref="ArgumentException">A row's state or action out of range ("transition 17: …"), or any check of the CSR constructor.</exception>
    public static TabularMdp FromTransitions(int stateCount, int actionCount, ReadOnlySpan<TabularTransition> transitions,
        ReadOnlySpan<double> initialDistribution, IReadOnlyList<string>? actionNames = null) =>
        FromTransitions(stateCount, actionCount, transitions, initialDistribution, actionNames, i => $"transition {i}");

    internal static TabularMdp FromTransitions(int stateCount, int actionCount, ReadOnlySpan<TabularTransition> transitions,
        ReadOnlySpan<double> initialDistribution, IReadOnlyList<string>? actionNames, Func<int, string> where)
    {
        if (stateCount < 1) throw new ArgumentException($"The state count must be at least 1, got {stateCount}.", nameof(stateCount));
        if (actionCount < 1) throw new ArgumentException($"The action count must be at least 1, got {actionCount}.", nameof(actionCount));
        CheckSize(stateCount, actionCount, "The model");
        long pairs = (long)stateCount * actionCount;
        // Counting sort by (s, a), stable.
        var offsets = new int[pairs + 1];
        for (int i = 0; i < transitions.Length; i++)
        {
            var t = transitions[i];
            if ((uint)t.State >= (uint)stateCount)
                throw new ArgumentException($"{where(i)}: state {t.State} is out of range [0, {stateCount}).", nameof(transitions));
            if ((uint)t.Action >= (uint)actionCount)
                throw new ArgumentException($"{where(i)}: action {t.Action} is out of range [0, {actionCount}).", nameof(transitions));
            offsets[t.State * actionCount + t.Action + 1]++;
        }
        for (int sa = 0; sa < pairs; sa++) offsets[sa + 1] += offsets[sa];
        int k = transitions.Length;
        var next = new int[k];
        var prob = new double[k];
        var reward = new double[k];
        var terminated = new bool[k];
        var fill = offsets[..^1];
        foreach (var t in transitions)
        {
            int j = fill[t.State * actionCount + t.Action]++;
            next[j] = t.NextState;
            prob[j] = t.Probability;
            reward[j] = t.Reward;
            terminated[j] = t.Terminated;
        }
        return new TabularMdp(stateCount, actionCount, offsets, next, prob, reward, terminated, initialDistribution, actionNames);
    }

    /// <summary>A distribution over states with all its mass on <paramref name="state"/>.</summary>
    public static double[] OneHot(int stateCount, int state)
    {
        var d = new double[stateCount];
        d[state] = 1.0;
        return d;
    }

    internal static void CheckDistribution(ReadOnlySpan<double> d, int stateCount, string what, string paramName)
    {
        if (d.Length != stateCount)
            throw new ArgumentException($"The {what} must have {stateCount} entries (one per state), got {d.Length}.", paramName);
        double sum = 0;
        for (int s = 0; s < d.Length; s++)
        {
            if (!double.IsFinite(d[s]) || d[s] < 0)
                throw new ArgumentException($"The {what} at state {s} is {Show(d[s])}: it must be finite and not negative.", paramName);
            sum += d[s];
        }
        if (Math.Abs(sum - 1) > ProbabilityTolerance)
            throw new ArgumentException($"The {what} sums to {Show(sum)}, not 1 (tolerance {ProbabilityTolerance}).", paramName);
    }

    private static string Show(double x) => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
