using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Threading;

namespace RlKernels.Algorithms.Deep;

// Sizes in the deep algorithms: P = population (independent members, each with its own hyperparameters),
// N = envs per member, T = rollout steps. Rollout buffers are [P, T, N, ...]: member-major so a
// member's whole batch is one contiguous [P, B = T·N, features] block for the MLP.

/// <summary>Settings every deep algorithm shares: which env, how many copies, how long, which seeds.</summary>
public sealed record RunSettings
{
    /// <summary>Gymnasium id of the env (see <see cref="EnvRegistry.Ids"/>).</summary>
    public string EnvId { get; init; } = "CartPole-v1";
    /// <summary>Env copies per population member, stepped together.</summary>
    public int EnvCount { get; init; } = 64;
    /// <summary>Env steps per member (summed over its copies) before training stops.</summary>
    public long TotalSteps { get; init; } = 1_000_000;
    /// <summary>Seed of the env copies' resets and of the confirmation episodes; without <see cref="Seeds"/>, also the one member's seed (network init, action sampling).</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>
    /// One seed per member (its env copies, network init, action sampling, minibatch shuffles); when set, its length
    /// is the population size. Member p's env copies are made as a run of their own with seed <c>Seeds[p]</c> would
    /// make them (<see cref="PopulationVectorEnv"/>), so with the same hyperparameters member p trains exactly as a
    /// one-member run with <see cref="Seed"/> = <c>Seeds[p]</c> (until <see cref="StopAtTarget"/> stops the population).
    /// </summary>
    public ulong[]? Seeds { get; init; }
    /// <summary>
    /// Per-member learning rates [P] overriding the algorithm's own (null: the algorithm's, for every member);
    /// sweeps put configurations that differ only in learning rate and seed into one population this way.
    /// </summary>
    public float[]? LearningRates { get; init; }
    /// <summary>
    /// Per-member discounts γ [P] in (0, 1] overriding the algorithm's own (null: the algorithm's, for every member);
    /// sweeps batch configurations that differ in γ this way.
    /// </summary>
    public float[]? Gammas { get; init; }
    /// <summary>Per-member λ [P] in [0, 1] of GAE and λ-returns (A2C, PPO, PQN, network SARSA; null: the algorithm's).</summary>
    public float[]? Lambdas { get; init; }
    /// <summary>Per-member entropy-bonus weights [P], finite and ≥ 0 (A2C, PPO; null: the algorithm's).</summary>
    public float[]? EntropyCoefs { get; init; }
    /// <summary>Per-member PPO ratio clips ε [P], positive and finite (null: the algorithm's).</summary>
    public float[]? ClipCoefs { get; init; }
    /// <summary>Per-member global gradient-norm limits [P], positive and finite (the algorithms with a <see cref="DeepConfig.MaxGradNorm"/>; null: the algorithm's).</summary>
    public float[]? MaxGradNorms { get; init; }
    /// <summary>Per-member Polyak rates τ [P] in (0, 1] of the target networks (dqn, double-dqn, sac, reparam-ac; null: the algorithm's).</summary>
    public float[]? Taus { get; init; }
    /// <summary>Per-member target-network copy periods [P], whole numbers ≥ 1 (dqn, double-dqn, deep-sarsa; null: the algorithm's).</summary>
    public float[]? TargetPeriods { get; init; }
    /// <summary>Where the envs run; the networks run on the CPU kernels, except in the registry's ppo and a2c on gpu backends where the device loop can run them (<see cref="Device.DevicePpo"/>, <see cref="Device.DeviceA2c"/>: all on the device).</summary>
    public Backend Backend { get; init; } = Backend.Cpu;
    /// <summary>CPU threads for envs and networks; 0 = all cores. Results are bit-identical for any count (same seed, same <see cref="EnvCount"/>).</summary>
    public int Threads { get; init; }
    /// <summary>Mean return over the last <see cref="RecentEpisodes"/> episodes that counts as solved (null: never).</summary>
    public float? TargetReturn { get; init; }
    /// <summary>Stop as soon as every member is solved (else run <see cref="TotalSteps"/>).</summary>
    public bool StopAtTarget { get; init; } = true;
    /// <summary>
    /// Before stopping at the target, the greedy policy must also reach it over this many fresh episodes
    /// (0: stop on the training mean alone). Training episodes sample actions and lag behind the policy;
    /// this check keeps a run from stopping on a lucky streak of a policy that then evaluates below target.
    /// </summary>
    public int ConfirmEpisodes { get; init; } = 100;
    /// <summary>
    /// How far above the target the confirmation must land, as a fraction of |target| (default 0.03: 489 for
    /// CartPole's 475). A policy that only just clears the target on one set of episodes can fall below it on
    /// the next (measured: 469 on a fresh evaluation after a 475+ check), so the check asks for a margin.
    /// </summary>
    public float ConfirmMargin { get; init; } = 0.03f;
    /// <summary>Completed training episodes the recent mean return is taken over.</summary>
    public int RecentEpisodes { get; init; } = 100;
    /// <summary>Seconds for <see cref="TrainResult.SolvedAtSeconds"/>; default: since training started.</summary>
    public Func<double>? Clock { get; init; }
    /// <summary>Called after every update.</summary>
    public Action<TrainProgress>? Progress { get; init; }
    /// <summary>Env options (KEY=VALUE) passed to the registry.</summary>
    public IReadOnlyDictionary<string, string>? EnvArgs { get; init; }

    /// <summary>Population size P.</summary>
    public int Population => Seeds?.Length ?? 1;
    /// <summary>Seed of member p.</summary>
    public ulong SeedOf(int member) => Seeds?[member] ?? Seed;

    /// <summary>The largest step budget: 10^12 env steps is days of training even at 10^7 steps/s.</summary>
    public const long MaxTotalSteps = 1_000_000_000_000;

    /// <summary>Throws <see cref="ArgumentException"/> on sizes that cannot train: each count between its bounds
    /// (envs by memory, threads by cores, steps by <see cref="MaxTotalSteps"/>), before anything is allocated.</summary>
    public void Validate()
    {
        if (Seeds is { Length: 0 }) throw new ArgumentException("Seeds, when given, needs at least one entry.");
        foreach (MemberParam param in MemberParam.All) param.Check(this);
        if (!EnvRegistry.TryGet(EnvId, out _))
            throw new ArgumentException($"Unknown env '{EnvId}'. Known envs: {string.Join(", ", EnvRegistry.Ids)}.");
        int maxEnvs = Math.Max(1, EnvRegistry.MaxEnvCount(EnvId, EnvArgs) / Population);
        if (EnvCount < 1 || EnvCount > maxEnvs)
            throw new ArgumentException($"envs must be between 1 and {maxEnvs} (memory of this machine, {Population} member(s)), got {EnvCount}.");
        if (TotalSteps < 1 || TotalSteps > MaxTotalSteps)
            throw new ArgumentException($"steps must be between 1 and {MaxTotalSteps}, got {TotalSteps}.");
        if (Threads < 0 || Threads > VectorEnvOptions.MaxThreads)
            throw new ArgumentException($"threads must be between 0 (all cores) and {VectorEnvOptions.MaxThreads} (4 per core), got {Threads}.");
    }

    /// <summary>Makes P·N env copies, member p's copies at rows [p·N, (p+1)·N), seeded per member when <see cref="Seeds"/> is set.</summary>
    public IVectorEnv MakeEnv()
    {
        var options = new VectorEnvOptions { Backend = Backend, Seed = Seed, Threads = Threads };
        return Seeds is null
            ? EnvRegistry.Make(EnvId, EnvCount, options, EnvArgs)
            : new PopulationVectorEnv(EnvId, EnvCount, Seeds, options, EnvArgs);
    }

    /// <summary>The pool the networks split work over.</summary>
    public WorkerPool MakePool() => new(Threads > 0 ? Threads : Environment.ProcessorCount);

    /// <summary>A per-member hyperparameter: the override vector when given (length P), else the scalar for all.</summary>
    public float[] PerMember(float value, float[]? overrides, string name)
    {
        if (overrides is null) return Enumerable.Repeat(value, Population).ToArray();
        if (overrides.Length != Population) throw new ArgumentException($"{name} has {overrides.Length} entries; the population has {Population}.");
        return (float[])overrides.Clone();
    }
}
