using RlKernels.Envs.Tabular;

namespace RlKernels.Algorithms.Tabular;

/// <summary>Settings of <see cref="RMax"/>.</summary>
public sealed record RMaxConfig : TabularEnvConfig
{
    /// <summary>Defaults: 16 env copies exploring together (one shared model), 500 batched steps.</summary>
    public RMaxConfig()
    {
        EnvCount = 16;
        Steps = 500;
    }

    /// <summary>m: visits after which (s, a) is known. Default 5 (1 suffices for a deterministic env).</summary>
    public int KnownThreshold { get; init; } = 5;
    /// <summary>Reward of the utopian terminal transition of an unknown pair. Default 1,000.</summary>
    public double UtopiaReward { get; init; } = 1_000;
    /// <summary>Discount γ of the planning, in [0, 1]. Default 0.99.</summary>
    public double Gamma { get; init; } = 0.99;
    /// <summary>Tolerance of each planning solve. Default 1e-9.</summary>
    public double PlanningTolerance { get; init; } = 1e-9;
}

// R-max exploration on a batched env (see TabularLearning.cs for E, S, A): all envs share one learned
// model. An (s, a) seen fewer than m = KnownThreshold times is a terminal utopia: one outcome,
// terminated, with reward UtopiaReward (larger than any return the env can pay). A known (s, a) has its
// empirical outcomes: each distinct (next state, reward, terminated) with probability count / n(s,a).
// Whenever a pair becomes known the model is re-solved by Q-iteration, and every env acts greedily on
// the solution (ties broken toward termination, so optimism about unknown pairs drives exploration).
/// <summary>R-max: model-based exploration with optimism toward unknown state-action pairs.</summary>
public static class RMax
{
    /// <exception cref="ArgumentException">An env without a model, bad counts or settings.</exception>
    public static TabularLearnResult Train(RMaxConfig config, ulong seed)
    {
        Bellman.CheckGamma(config.Gamma, nameof(config.Gamma));
        if (config.KnownThreshold < 1) throw new ArgumentException($"KnownThreshold must be ≥ 1, got {config.KnownThreshold}.", nameof(config));
        if (!(Math.Abs(config.UtopiaReward) <= TabularMdp.MaxAbsReward))
            throw new ArgumentException($"UtopiaReward must be finite with |r| ≤ {TabularMdp.MaxAbsReward} (the largest reward a model may hold), got {config.UtopiaReward}.", nameof(config));
        if (config.Steps < 0) throw new ArgumentException($"Steps must be ≥ 0, got {config.Steps}.", nameof(config));
        int envCount = config.EnvCount;
        using var env = TabularLearning.MakeEnv(config.EnvId, config.EnvArgs, envCount, 1, seed, out int stateCount, out int actionCount);
        var visits = new int[stateCount * actionCount];  // [S, A] n(s, a)
        var outcomes = new Dictionary<(int Next, double Reward, bool Terminated), int>[stateCount * actionCount];
        for (int i = 0; i < outcomes.Length; i++) outcomes[i] = new();
        var states = new int[envCount];
        var actions = new int[envCount];
        var plan = Plan(config, stateCount, actionCount, visits, outcomes);
        double returnSum = 0;
        long episodes = 0;

        for (long step = 0; step < config.Steps; step++)
        {
            // COLLECT: every env acts greedily on the current plan.
            var obs = env.Observations;
            for (int e = 0; e < envCount; e++)
            {
                states[e] = (int)obs[e];
                actions[e] = plan.Policy[states[e]];
            }
            env.Step(actions);

            // UPDATE THE MODEL: count outcomes; the observed next state is the final one when the episode ended.
            bool newlyKnown = false;
            for (int e = 0; e < envCount; e++)
            {
                bool ended = env.Terminated[e] || env.Truncated[e];
                int next = (int)(ended ? env.FinalObservations[e] : env.Observations[e]);
                int sa = states[e] * actionCount + actions[e];
                if (visits[sa] < config.KnownThreshold)
                {
                    var key = (next, (double)env.Rewards[e], env.Terminated[e]);
                    outcomes[sa][key] = outcomes[sa].GetValueOrDefault(key) + 1;
                    visits[sa]++;
                    newlyKnown |= visits[sa] == config.KnownThreshold;
                }
                if (ended)
                {
                    returnSum += env.EpisodeReturns[e];
                    episodes++;
                }
            }
            // PLAN: re-solve the optimistic model when it changed.
            if (newlyKnown) plan = Plan(config, stateCount, actionCount, visits, outcomes);
        }
        return new TabularLearnResult("rmax", 1, stateCount, actionCount, plan.Q, config.Steps, (long)config.Steps * envCount,
            episodes > 0 ? returnSum / episodes : double.NaN, episodes);
    }

    /// <summary>Q* of the optimistic model: empirical where known, utopia where not.</summary>
    private static TabularSolution Plan(RMaxConfig config, int stateCount, int actionCount, int[] visits,
        Dictionary<(int Next, double Reward, bool Terminated), int>[] outcomes)
    {
        var rows = new List<TabularTransition>();
        for (int s = 0; s < stateCount; s++)
            for (int a = 0; a < actionCount; a++)
            {
                int sa = s * actionCount + a;
                if (visits[sa] < config.KnownThreshold)
                {
                    rows.Add(new TabularTransition(s, a, 1.0, s, config.UtopiaReward, true));
                    continue;
                }
                foreach (var (key, count) in outcomes[sa].OrderBy(o => o.Key))
                    rows.Add(new TabularTransition(s, a, (double)count / visits[sa], key.Next, key.Reward, key.Terminated));
            }
        var model = TabularMdp.FromTransitions(stateCount, actionCount, rows.ToArray(), TabularMdp.OneHot(stateCount, 0));
        return QIteration.Solve(model, new QIterationConfig { Gamma = config.Gamma, Tolerance = config.PlanningTolerance, MaxIterations = 100_000 });
    }
}
