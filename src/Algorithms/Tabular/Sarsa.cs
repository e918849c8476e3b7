namespace RlKernels.Algorithms.Tabular;

// Tabular SARSA(0) on a batched env (see TabularLearning.cs for E, P, S, A and the random streams).
// Per env transition (s, a, r, s', a'), a' being the action the env takes next (drawn from the
// behaviour policy before the update):  target = r + γ · Q(s', a')  (no gradient through it);
// terminated: target = r; truncated: a' is drawn for the FINAL observation (and not executed: the env
// has already reset). Update: Q(s,a) ← Q(s,a) − lr · (Q(s,a) − target), the SGD step on ½ (Q − target)².
// SARSA learns Q^π of its behaviour policy (ε-greedy or softmax on its own table).

/// <summary>Settings of <see cref="Sarsa"/> (the same knobs as <see cref="QLearningConfig"/>).</summary>
public sealed record SarsaConfig
{
    /// <summary>Env id with a state-index observation. Default "ChainWalk-v0".</summary>
    public string EnvId { get; init; } = "ChainWalk-v0";
    /// <summary>Gymnasium-style env options. Default none.</summary>
    public IReadOnlyDictionary<string, string>? EnvArgs { get; init; }
    /// <summary>E: env copies stepped together. Default 256.</summary>
    public int EnvCount { get; init; } = 256;
    /// <summary>P: tables; 1 = shared by all envs, E = one per env. Must divide E. Default 1.</summary>
    public int TableCount { get; init; } = 1;
    /// <summary>Batched env steps. Default 2,000.</summary>
    public int Steps { get; init; } = 2_000;
    /// <summary>Learning rate, one for all or one per table, in (0, 1]. Default 0.1.</summary>
    public IReadOnlyList<double> LearningRates { get; init; } = [0.1];
    /// <summary>The learning rate decays linearly to this fraction of itself by the last step, in (0, 1]. Default 1 (constant).</summary>
    public double FinalLearningRateFraction { get; init; } = 1.0;
    /// <summary>Discount γ, one for all or one per table, in [0, 1]. Default 0.99.</summary>
    public IReadOnlyList<double> Gammas { get; init; } = [0.99];
    /// <summary>ε of ε-greedy, one for all or one per table, in [0, 1]. Default 0.1.</summary>
    public IReadOnlyList<double> Epsilons { get; init; } = [0.1];
    /// <summary>Behaviour policy. Default ε-greedy.</summary>
    public Exploration Exploration { get; init; } = Exploration.EpsilonGreedy;
    /// <summary>Softmax temperature τ &gt; 0. Default 1.</summary>
    public double Temperature { get; init; } = 1.0;
}

/// <summary>Tabular SARSA: a population of tables learned on-policy from batched env transitions.</summary>
public static class Sarsa
{
    /// <exception cref="ArgumentException">An env without a model, bad counts or hyperparameters.</exception>
    public static TabularLearnResult Train(SarsaConfig config, ulong seed)
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
