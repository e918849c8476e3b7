using RlKernels.Envs.Runner;

namespace RlKernels.Algorithms.Tabular;

/// <summary>
/// What the tabular TD learners (<see cref="QLearning"/>, <see cref="TabularSarsa"/>) share around their update
/// rule: the checked per-member hyperparameters, the batched env, the tables [P, S, A], behaviour actions drawn
/// from a member's table, episode bookkeeping and the result. Sizes as in TabularLearning.cs.
/// </summary>
internal sealed class TabularTdRun : IDisposable
{
    private readonly TabularTdConfig _config;
    private readonly uint _key0, _key1;
    private double _returnSum;
    private long _episodes;
    private readonly int[] _states; // [E]

    /// <exception cref="ArgumentException">An env without a model, bad counts or hyperparameters.</exception>
    public TabularTdRun(TabularTdConfig config, ulong seed)
    {
        _config = config;
        TableCount = config.TableCount;
        EnvCount = config.EnvCount;
        LearningRates = TabularLearning.PerMember(config.LearningRates, TableCount, nameof(config.LearningRates), double.Epsilon, 1);
        Gammas = TabularLearning.PerMember(config.Gammas, TableCount, nameof(config.Gammas), 0, 1);
        Epsilons = TabularLearning.PerMember(config.Epsilons, TableCount, nameof(config.Epsilons), 0, 1);
        if (!(config.Temperature > 0)) throw new ArgumentException($"Temperature must be > 0, got {config.Temperature}.", nameof(config));
        if (!(config.FinalLearningRateFraction > 0 && config.FinalLearningRateFraction <= 1))
            throw new ArgumentException($"FinalLearningRateFraction must be in (0, 1], got {config.FinalLearningRateFraction}.", nameof(config));
        if (config.Steps < 0) throw new ArgumentException($"Steps must be ≥ 0, got {config.Steps}.", nameof(config));
        Env = TabularLearning.MakeEnv(config.EnvId, config.EnvArgs, EnvCount, TableCount, seed, out int stateCount, out int actionCount);
        StateCount = stateCount;
        ActionCount = actionCount;
        Kernels.Random.Philox4x32.KeyFromSeed(seed, out _key0, out _key1);
        EnvsPerTable = EnvCount / TableCount;
        TableSize = stateCount * actionCount;
        Q = new double[TableCount * TableSize];
        _states = new int[EnvCount];
    }

    public int TableCount { get; }
    public int EnvCount { get; }
    public int StateCount { get; }
    public int ActionCount { get; }
    /// <summary>Envs per table E / P: env e belongs to member e / EnvsPerTable.</summary>
    public int EnvsPerTable { get; }
    /// <summary>S·A: member m's table starts at m·TableSize in <see cref="Q"/>.</summary>
    public int TableSize { get; }
    /// <summary>The tables [P, S, A].</summary>
    public double[] Q { get; }
    /// <summary>Per member [P].</summary>
    public double[] LearningRates { get; }
    /// <summary>Per member [P].</summary>
    public double[] Gammas { get; }
    /// <summary>Per member [P].</summary>
    public double[] Epsilons { get; }
    /// <summary>E env copies whose observation is the state index.</summary>
    public IVectorEnv Env { get; }

    /// <summary>Env e's behaviour action in <paramref name="state"/> from its member's table (draw <paramref name="draw"/> of step <paramref name="step"/>).</summary>
    public int Act(int e, int state, long step, uint draw)
    {
        int m = e / EnvsPerTable;
        return TabularLearning.Act(Q, m * TableSize, state, ActionCount, _config.Exploration, Epsilons[m], _config.Temperature,
            TabularLearning.Random(_key0, _key1, step, e, draw));
    }

    /// <summary>The state each env shows now [E] (the observation is the state index); valid until the next call.</summary>
    public int[] ReadStates()
    {
        var obs = Env.Observations;
        for (int e = 0; e < EnvCount; e++) _states[e] = (int)obs[e];
        return _states;
    }

    /// <summary>The learning-rate factor at <paramref name="step"/>: linear from 1 to FinalLearningRateFraction.</summary>
    public double Decay(long step) => 1 - (1 - _config.FinalLearningRateFraction) * step / Math.Max(1, _config.Steps - 1);

    /// <summary>Q(<paramref name="state"/>, <paramref name="action"/>) in env e's member's table.</summary>
    public double QOf(int e, int state, int action) => Q[e / EnvsPerTable * TableSize + state * ActionCount + action];

    /// <summary>γ of env e's member.</summary>
    public double GammaOf(int e) => Gammas[e / EnvsPerTable];

    /// <summary>
    /// The state env e's last transition bootstraps from (when not terminated): the final observation where the
    /// episode was truncated (the same-step auto-reset already shows the next episode's first state), else the state shown now.
    /// </summary>
    public int BootstrapState(int e) => (int)(Env.Truncated[e] ? Env.FinalObservations[e] : Env.Observations[e]);

    /// <summary>max_a Q(<paramref name="state"/>, a) in env e's member's table.</summary>
    public double MaxQ(int e, int state)
    {
        double best = double.NegativeInfinity;
        for (int a = 0; a < ActionCount; a++) best = Math.Max(best, QOf(e, state, a));
        return best;
    }

    /// <summary>
    /// The update of env e's transition from (<paramref name="state"/>, <paramref name="action"/>): one SGD step on
    /// ½ (Q(s,a) − target)² in its member's table at the member's rate times <paramref name="decay"/>; then counts the
    /// episode if it ended.
    /// </summary>
    public void Update(int e, int state, int action, double target, double decay)
    {
        int m = e / EnvsPerTable, sa = m * TableSize + state * ActionCount + action;
        Q[sa] -= LearningRates[m] * decay * (Q[sa] - target);
        RecordEpisode(e);
    }

    /// <summary>Counts env e's episode when it ended in the last step.</summary>
    private void RecordEpisode(int e)
    {
        if (!Env.Terminated[e] && !Env.Truncated[e]) return;
        _returnSum += Env.EpisodeReturns[e];
        _episodes++;
    }

    public TabularLearnResult Result(string algorithm) => new(algorithm, TableCount, StateCount, ActionCount, Q, _config.Steps,
        (long)_config.Steps * EnvCount, _episodes > 0 ? _returnSum / _episodes : double.NaN, _episodes);

    public void Dispose() => Env.Dispose();
}
