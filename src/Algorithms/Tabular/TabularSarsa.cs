namespace RlKernels.Algorithms.Tabular;

// Tabular SARSA(0) on a batched env (see TabularLearning.cs for E, P, S, A and the random streams).
// Per env transition (s, a, r, s', a'), a' being the action the env takes next (drawn from the
// behaviour policy before the update):  target = r + γ · Q(s', a')  (no gradient through it);
// terminated: target = r; truncated: a' is drawn for the FINAL observation (and not executed: the env
// has already reset). Update: Q(s,a) ← Q(s,a) − lr · (Q(s,a) − target), the SGD step on ½ (Q − target)².
// SARSA learns Q^π of its behaviour policy (ε-greedy or softmax on its own table).

/// <summary>Tabular SARSA: a population of tables learned on-policy from batched env transitions.</summary>
public static class TabularSarsa
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
        var actions = new int[envCount];             // [E] the actions to take this step
        var nextActions = new int[envCount];         // [E] a′: the actions of the next step
        double returnSum = 0;
        long episodes = 0;
        int Act(int e, int state, long step, uint draw)
        {
            int m = e / envsPerTable;
            return TabularLearning.Act(q, m * tableSize, state, actionCount, config.Exploration, epsilon[m], config.Temperature,
                TabularLearning.Random(key0, key1, step, e, draw));
        }
        var first = env.Observations;
        for (int e = 0; e < envCount; e++) actions[e] = Act(e, (int)first[e], 0, 0);

        for (long step = 0; step < config.Steps; step++)
        {
            // COLLECT: step with the chosen actions, then draw a′ in the state each env now shows.
            var obs = env.Observations;
            for (int e = 0; e < envCount; e++) states[e] = (int)obs[e];
            env.Step(actions);
            var next = env.Observations;
            var final = env.FinalObservations;
            for (int e = 0; e < envCount; e++) nextActions[e] = Act(e, (int)next[e], step + 1, 0);

            double decay = 1 - (1 - config.FinalLearningRateFraction) * step / Math.Max(1, config.Steps - 1);
            for (int e = 0; e < envCount; e++)
            {
                int m = e / envsPerTable, table = m * tableSize;
                // COMPUTE TARGETS: r + γ Q(s′, a′); terminated: r; truncated: a′ drawn at the final observation.
                double target = env.Rewards[e];
                if (env.Truncated[e] && !env.Terminated[e])
                {
                    int sFinal = (int)final[e];
                    target += gamma[m] * q[table + sFinal * actionCount + Act(e, sFinal, step + 1, 1)];
                }
                else if (!env.Terminated[e])
                    target += gamma[m] * q[table + (int)next[e] * actionCount + nextActions[e]];
                // UPDATE: one SGD step on ½ (Q(s,a) − target)².
                int sa = table + states[e] * actionCount + actions[e];
                q[sa] -= lr[m] * decay * (q[sa] - target);
                if (env.Terminated[e] || env.Truncated[e])
                {
                    returnSum += env.EpisodeReturns[e];
                    episodes++;
                }
            }
            (actions, nextActions) = (nextActions, actions);
        }
        return new TabularLearnResult("sarsa", tableCount, stateCount, actionCount, q, config.Steps,
            (long)config.Steps * envCount, episodes > 0 ? returnSum / episodes : double.NaN, episodes);
    }
}
