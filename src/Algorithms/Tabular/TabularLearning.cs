using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Random;

namespace RlKernels.Algorithms.Tabular;

// Pieces shared by the tabular learners (Q-learning, SARSA, R-max) on batched envs whose observation
// is the state index (toy text, ChainWalk). E = env count, P = table count (population size),
// S = states, A = actions. Env e belongs to member e / (E / P): P = 1 is one table shared by every
// env, P = E gives every env its own. Randomness: Philox4x32-10 block (step, env, purpose, 0) under
// the run's seed, so a run depends only on its seed (never on System.Random or thread timing).

/// <summary>How a learner picks its behaviour actions.</summary>
public enum Exploration
{
    /// <summary>A uniform random action with probability ε, else the first greedy action.</summary>
    EpsilonGreedy,
    /// <summary>π(a|s) ∝ exp(Q(s,a)/τ) (Boltzmann) with temperature τ.</summary>
    Softmax,
}

/// <summary>A learned population of tables.</summary>
/// <param name="Algorithm">"q-learning", "sarsa" or "rmax".</param>
/// <param name="TableCount">Tables P.</param>
/// <param name="StateCount">States S.</param>
/// <param name="ActionCount">Actions A.</param>
/// <param name="Q">[P, S, A]</param>
/// <param name="Steps">Batched env steps taken.</param>
/// <param name="Transitions">Env transitions seen (steps × E).</param>
/// <param name="MeanEpisodeReturn">Mean return of the training episodes that ended, over all envs (NaN when none did).</param>
/// <param name="EpisodeCount">Training episodes that ended, over all envs.</param>
public sealed record TabularLearnResult(string Algorithm, int TableCount, int StateCount, int ActionCount, double[] Q,
    long Steps, long Transitions, double MeanEpisodeReturn, long EpisodeCount)
{
    /// <summary>Member <paramref name="member"/>'s table [S, A].</summary>
    public double[] Table(int member) => Q.AsSpan(member * StateCount * ActionCount, StateCount * ActionCount).ToArray();
    /// <summary>Member <paramref name="member"/>'s greedy policy [S] (first maximal action).</summary>
    public int[] GreedyPolicy(int member) => Tabular.GreedyPolicy.Greedy(Table(member), ActionCount);
}

/// <summary>Helpers of the tabular learners.</summary>
public static class TabularLearning
{
    internal const uint ExplorePurpose = 0x7AB1E;

    /// <summary>Per-member value from a list of length 1 (everyone) or P.</summary>
    internal static double[] PerMember(IReadOnlyList<double> values, int tableCount, string name, double low, double high)
    {
        if (values.Count != 1 && values.Count != tableCount)
            throw new ArgumentException($"{name} needs 1 value or one per table ({tableCount}), got {values.Count}.", name);
        var all = new double[tableCount];
        for (int m = 0; m < tableCount; m++)
        {
            double v = values[values.Count == 1 ? 0 : m];
            if (!(v >= low && v <= high))
                throw new ArgumentException($"{name}[{m}] = {v} is outside [{low}, {high}].", name);
            all[m] = v;
        }
        return all;
    }

    /// <summary>Checks the env id, counts and returns (S, A) of a tabular env.</summary>
    internal static IVectorEnv MakeEnv(string envId, IReadOnlyDictionary<string, string>? envArgs, int envCount, int tableCount,
        ulong seed, out int stateCount, out int actionCount)
    {
        if (envCount < 1) throw new ArgumentException($"EnvCount must be at least 1, got {envCount}.", nameof(envCount));
        if (tableCount < 1 || envCount % tableCount != 0)
            throw new ArgumentException($"TableCount ({tableCount}) must be at least 1 and divide EnvCount ({envCount}).", nameof(tableCount));
        var model = TabularModels.FromEnvId(envId, envArgs);
        stateCount = model.StateCount;
        actionCount = model.ActionCount;
        return EnvRegistry.Make(envId, envCount, new VectorEnvOptions { Seed = seed, AutoReset = AutoResetMode.SameStep }, envArgs);
    }

    /// <summary>Four random words for (step, env, draw).</summary>
    internal static (uint, uint, uint, uint) Random(uint key0, uint key1, long step, int env, uint draw)
    {
        Philox4x32.Block((uint)step, (uint)env, ExplorePurpose + draw, (uint)(step >> 32), key0, key1,
            out uint r0, out uint r1, out uint r2, out uint r3);
        return (r0, r1, r2, r3);
    }

    /// <summary>A behaviour action in state <paramref name="state"/> of table [S, A] at offset <paramref name="table"/>.</summary>
    internal static int Act(ReadOnlySpan<double> q, int table, int state, int actionCount, Exploration exploration,
        double epsilon, double temperature, (uint R0, uint R1, uint R2, uint R3) random)
    {
        int row = table + state * actionCount;
        if (exploration == Exploration.EpsilonGreedy)
        {
            if (Philox4x32.ToUnit(random.R0) < epsilon) return (int)(((ulong)random.R1 * (uint)actionCount) >> 32);
            int best = 0;
            for (int a = 1; a < actionCount; a++)
                if (q[row + a] > q[row + best]) best = a;
            return best;
        }
        double max = double.NegativeInfinity;
        for (int a = 0; a < actionCount; a++) max = Math.Max(max, q[row + a]);
        double total = 0;
        for (int a = 0; a < actionCount; a++) total += Math.Exp((q[row + a] - max) / temperature);
        double u = Philox4x32.ToUnit(random.R2) * total;
        for (int a = 0; a < actionCount - 1; a++)
        {
            u -= Math.Exp((q[row + a] - max) / temperature);
            if (u < 0) return a;
        }
        return actionCount - 1;
    }

    /// <summary>Behaviour probabilities π(·|s) [A] of one table row <paramref name="qRow"/> [A] (ε-greedy or softmax), into <paramref name="pi"/> [A].</summary>
    public static void BehaviourPolicy(ReadOnlySpan<double> qRow, Exploration exploration, double epsilon, double temperature, Span<double> pi)
    {
        int actionCount = qRow.Length;
        if (exploration == Exploration.EpsilonGreedy)
        {
            int best = 0;
            for (int a = 1; a < actionCount; a++)
                if (qRow[a] > qRow[best]) best = a;
            for (int a = 0; a < actionCount; a++) pi[a] = epsilon / actionCount + (a == best ? 1 - epsilon : 0);
            return;
        }
        double max = double.NegativeInfinity;
        foreach (double x in qRow) max = Math.Max(max, x);
        double total = 0;
        for (int a = 0; a < actionCount; a++) total += pi[a] = Math.Exp((qRow[a] - max) / temperature);
        for (int a = 0; a < actionCount; a++) pi[a] /= total;
    }

    /// <summary>
    /// Runs <paramref name="policy"/> ([S], deterministic) for <paramref name="episodes"/> episodes on as many
    /// env copies in one batch (the env's own time limit applies; without one, a cap of 1,000,000 steps, after which
    /// unfinished episodes keep their partial return) and returns each episode's return [episodes].
    /// </summary>
    public static double[] EvaluatePolicy(string envId, IReadOnlyDictionary<string, string>? envArgs, ReadOnlySpan<int> policy,
        int episodes, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(episodes, 1);
        using var env = EnvRegistry.Make(envId, episodes, new VectorEnvOptions { Seed = seed, AutoReset = AutoResetMode.SameStep }, envArgs);
        var returns = new double[episodes];
        var finished = new bool[episodes];
        var actions = new int[episodes];
        int remaining = episodes;
        int limit = env.Spec.MaxEpisodeSteps > 0 ? env.Spec.MaxEpisodeSteps : 1_000_000;
        for (int step = 0; step < limit && remaining > 0; step++)
        {
            var obs = env.Observations;
            for (int e = 0; e < episodes; e++) actions[e] = policy[(int)obs[e]];
            env.Step(actions);
            for (int e = 0; e < episodes; e++)
            {
                if (finished[e]) continue;
                returns[e] += env.Rewards[e];
                if (env.Terminated[e] || env.Truncated[e])
                {
                    finished[e] = true;
                    remaining--;
                }
            }
        }
        return returns;
    }
}
