namespace RlKernels.Algorithms.Tabular;

// Tabular Q-learning on a batched env (see TabularLearning.cs for E, P, S, A and the random streams).
// Per env transition (s, a, r, s'):  target = r + γ · max_a' Q(s', a')   (no gradient through it)
// with no bootstrap when terminated, and the bootstrap from the FINAL observation when the episode was
// truncated (same-step auto-reset already shows the next episode's first state). Update: one SGD step
// on ½ (Q(s,a) − target)², i.e. Q(s,a) ← Q(s,a) − lr · (Q(s,a) − target). Envs update their member's
// table in env order, so a shared table sees every env's transition, deterministically.

/// <summary>Tabular Q-learning: a population of tables learned from batched env transitions.</summary>
public static class QLearning
{
    /// <exception cref="ArgumentException">An env without a model, bad counts or hyperparameters.</exception>
    public static TabularLearnResult Train(TabularTdConfig config, ulong seed)
    {
        int tableCount = config.TableCount, envCount = config.EnvCount;
        var lr = TabularLearning.PerMember(config.LearningRates, tableCount, nameof(config.LearningRates), double.Epsilon, 1);
        var gamma = TabularLearning.PerMember(config.Gammas, tableCount, nameof(config.Gammas), 0, 1);
        var epsilon = TabularLearning.PerMember(config.Epsilons, tableCount, nameof(config.Epsilons), 0, 1);
        if (!(config.Temperature > 0)) throw new ArgumentException($"Temperature must be > 0, got {config.Temperature}.", nameof(config));
        if (!(config.FinalLearningRateFraction > 0 && config.FinalLearningRateFraction <= 1))
            throw new ArgumentException($"FinalLearningRateFraction must be in (0, 1], got {config.FinalLearningRateFraction}.", nameof(config));
        if (config.Steps < 0) throw new ArgumentException($"Steps must be ≥ 0, got {config.Steps}.", nameof(config));
        using var env = TabularLearning.MakeEnv(config.EnvId, config.EnvArgs, envCount, tableCount, seed, out int stateCount, out int actionCount);
        Kernels.Random.Philox4x32.KeyFromSeed(seed, out uint key0, out uint key1);
        int envsPerTable = envCount / tableCount, tableSize = stateCount * actionCount;
        var q = new double[tableCount * tableSize];  // [P, S, A]
        var states = new int[envCount];              // [E]
        var actions = new int[envCount];             // [E]
        double returnSum = 0;
        long episodes = 0;

        for (long step = 0; step < config.Steps; step++)
        {
            // COLLECT: each env acts from its member's table, then the batch steps.
            var obs = env.Observations;
            for (int e = 0; e < envCount; e++)
            {
                int m = e / envsPerTable;
                states[e] = (int)obs[e];
                actions[e] = TabularLearning.Act(q, m * tableSize, states[e], actionCount, config.Exploration, epsilon[m],
                    config.Temperature, TabularLearning.Random(key0, key1, step, e, 0));
            }
            env.Step(actions);

            var next = env.Observations;
            var final = env.FinalObservations;
            double decay = 1 - (1 - config.FinalLearningRateFraction) * step / Math.Max(1, config.Steps - 1);
            for (int e = 0; e < envCount; e++)
            {
                int m = e / envsPerTable, table = m * tableSize;
                // COMPUTE TARGETS: r + γ max Q(s′,·); terminated: r; truncated: bootstrap from the final observation.
                double target = env.Rewards[e];
                if (!env.Terminated[e])
                {
                    int s2 = (int)(env.Truncated[e] ? final[e] : next[e]);
                    double best = double.NegativeInfinity;
                    for (int a = 0; a < actionCount; a++) best = Math.Max(best, q[table + s2 * actionCount + a]);
                    target += gamma[m] * best;
                }
                // UPDATE: one SGD step on ½ (Q(s,a) − target)².
                int sa = table + states[e] * actionCount + actions[e];
                q[sa] -= lr[m] * decay * (q[sa] - target);
                if (env.Terminated[e] || env.Truncated[e])
                {
                    returnSum += env.EpisodeReturns[e];
                    episodes++;
                }
            }
        }
        return new TabularLearnResult("q-learning", tableCount, stateCount, actionCount, q, config.Steps,
            (long)config.Steps * envCount, episodes > 0 ? returnSum / episodes : double.NaN, episodes);
    }
}
