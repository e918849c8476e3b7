using System.Diagnostics;
using RlKernels.Envs;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Threading;
using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Deep;

/// <summary>
/// The scaffolding every deep training loop shares, so that an algorithm's file holds only its own math:
/// settings checked, the env copies and the worker pool made, the clock started (<see cref="Start"/>); after
/// each update the learning curve, the progress callback and the stop rule (<see cref="EndUpdate"/>); the
/// result (<see cref="Result"/>). Dispose it (a <c>using</c>) to release the env copies; the pool outlives it,
/// since the returned networks run on it. P = population, N = envs per member.
/// </summary>
public sealed class TrainingRun : IDisposable
{
    private readonly Stopwatch _watch;
    private readonly StopRule _stop;
    private readonly List<CurvePoint> _curve = [];
    private WorkerPool? _pool;

    private TrainingRun(RunSettings run)
    {
        Settings = run;
        _watch = Stopwatch.StartNew();
        Env = run.MakeEnv();
        Stats = new EpisodeStats(run.Population, run.RecentEpisodes);
        _stop = new StopRule(run, Stats, run.Clock ?? (() => _watch.Elapsed.TotalSeconds));
    }

    /// <summary>
    /// Checks <paramref name="run"/> (<see cref="RunSettings.Validate"/>), then the algorithm's own settings
    /// (<paramref name="configProblem"/>: null when they are fine, else the message of the
    /// <see cref="ArgumentException"/> to throw), and only then makes the env copies.
    /// </summary>
    public static TrainingRun Start(RunSettings run, string? configProblem = null)
    {
        run.Validate();
        if (configProblem is not null) throw new ArgumentException(configProblem);
        return new TrainingRun(run);
    }

    /// <summary>Throws <see cref="ArgumentException"/> "<paramref name="why"/>; ENV has ACTIONS." unless the env's actions are discrete (or continuous).</summary>
    public void RequireActions(bool discrete, string why)
    {
        if (Spec.Action.IsDiscrete != discrete) throw new ArgumentException($"{why}; {Spec.Id} has {Spec.Action}.");
    }

    /// <summary>The settings, env copies and pool a training loop works with: <c>var (run, env, pool) = training;</c>.</summary>
    public void Deconstruct(out RunSettings settings, out IVectorEnv env, out WorkerPool pool) => (settings, env, pool) = (Settings, Env, Pool);

    /// <summary>Env, copy counts, seeds, target.</summary>
    public RunSettings Settings { get; }
    /// <summary>P·N env copies, member p's at rows [p·N, (p+1)·N).</summary>
    public IVectorEnv Env { get; }
    /// <summary>The env's spaces.</summary>
    public EnvSpec Spec => Env.Spec;
    /// <summary>Completed-episode returns per member.</summary>
    public EpisodeStats Stats { get; }
    /// <summary>The pool the networks split work over, made on first use.</summary>
    public WorkerPool Pool => _pool ??= Settings.MakePool();
    /// <summary>Population size P.</summary>
    public int Population => Settings.Population;
    /// <summary>Envs per member N.</summary>
    public int EnvCount => Settings.EnvCount;
    /// <summary>Seconds since training started.</summary>
    public double Seconds => _watch.Elapsed.TotalSeconds;

    /// <summary>
    /// Call after every update (or every few, for algorithms that update per env step): adds a curve point per
    /// member, reports progress, and says whether to stop (the <see cref="StopRule"/>; never without a policy).
    /// </summary>
    /// <param name="steps">Env steps per member so far.</param>
    /// <param name="loss">Member 0's last loss.</param>
    /// <param name="policy">The policy the stop rule evaluates; null (pure value learning): never stop early.</param>
    public bool EndUpdate(long steps, float loss, PolicyNet? policy)
    {
        for (int p = 0; p < Population; p++) _curve.Add(new CurvePoint(steps, Seconds, p, Stats.RecentMean(p), Stats.Count(p)));
        Settings.Progress?.Invoke(new TrainProgress(steps, Seconds, Stats.RecentMean(0), Stats.Count(0), loss));
        return policy is not null && _stop.ShouldStop(policy, steps);
    }

    /// <summary>What the run returns: the networks, the curve, the solve time, each member's recent mean.</summary>
    public TrainResult Result(string algorithm, long steps, PolicyNet? policy, Mlp? critic) => new()
    {
        Algorithm = algorithm, Settings = Settings, Policy = policy, Critic = critic, Curve = _curve, EnvSteps = steps,
        Seconds = Seconds, SolvedAtSeconds = _stop.SolvedAt, SolvedAtStep = _stop.SolvedStep,
        FinalRecentMean = Enumerable.Range(0, Population).Select(Stats.RecentMean).ToArray(),
    };

    /// <summary>Releases the env copies.</summary>
    public void Dispose() => Env.Dispose();
}
