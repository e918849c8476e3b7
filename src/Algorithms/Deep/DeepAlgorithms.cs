using RlKernels.Envs.Registry;

namespace RlKernels.Algorithms.Deep;

/// <summary>
/// The registry of deep algorithms by command-line name: the CLI (<c>rlk train</c>), its defaults and its memory
/// limits read names, action needs, defaults and training from here. Adding an algorithm: its own file declares a
/// <see cref="DeepAlgorithm"/> entry and one line below lists it (see docs/adding-an-algorithm.md).
/// </summary>
public static class DeepAlgorithms
{
    // The built-in algorithms, in the order help and errors list them; the first is the default.
    private static readonly List<DeepAlgorithm> All =
    [
        Ppo.Entry,
        A2c.Entry,
        Reinforce.WithBaselineEntry,
        Reinforce.Entry,
        ReparamActorCritic.Entry,
        NetworkSarsa.Entry,
        Dqn.Entry,
        Dqn.DoubleEntry,
        Pqn.Entry,
        Sac.Entry,
    ];

    private static readonly Lock Gate = new();

    /// <summary>
    /// Adds an algorithm defined outside this assembly (a plug-in, a test). Registering the same entry again does
    /// nothing; another entry under a registered name is refused with <see cref="ArgumentException"/>.
    /// </summary>
    public static void Register(DeepAlgorithm algorithm)
    {
        lock (Gate)
        {
            DeepAlgorithm? existing = All.Find(a => a.Name == algorithm.Name);
            if (existing is not null && !ReferenceEquals(existing, algorithm))
                throw new ArgumentException($"A deep algorithm named '{algorithm.Name}' is already registered.", nameof(algorithm));
            if (existing is null) All.Add(algorithm);
        }
    }

    /// <summary>Names in the order help and errors list them; the first is the default.</summary>
    public static IReadOnlyList<string> Names
    {
        get { lock (Gate) return All.Select(a => a.Name).ToArray(); }
    }

    /// <summary>The entry registered under <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No algorithm has that name.</exception>
    public static DeepAlgorithm Get(string name)
    {
        lock (Gate)
            return All.Find(a => a.Name == name)
                ?? throw new ArgumentException($"Unknown algorithm '{name}'. Deep algorithms: {string.Join(", ", All.Select(a => a.Name))}.");
    }

    /// <summary>True when an algorithm of that name is registered.</summary>
    public static bool IsKnown(string name)
    {
        lock (Gate) return All.Exists(a => a.Name == name);
    }

    /// <summary>Stopping target per env: Gymnasium's reward threshold where it has one.</summary>
    public static float? TargetReturn(string envId) => envId switch
    {
        "CartPole-v1" => 475f,
        "Acrobot-v1" => -100f,
        "Pendulum-v1" => -200f,
        _ => null,
    };

    /// <summary>Throws <see cref="ArgumentException"/> when the algorithm or env is unknown or the algorithm does not fit the action space.</summary>
    public static void CheckFits(string algorithm, string envId)
    {
        DeepAlgorithm entry = Get(algorithm);
        if (!EnvRegistry.TryGet(envId, out _))
            throw new ArgumentException($"Unknown env '{envId}'. Known envs: {string.Join(", ", EnvRegistry.Ids)}.");
        using var probe = EnvRegistry.Make(envId, 1);
        bool discrete = probe.Spec.Action.IsDiscrete;
        ActionNeed refused = discrete ? ActionNeed.Continuous : ActionNeed.Discrete;
        if (entry.Needs != refused) return;
        string why = entry.NeedsWhy is null ? "" : $" ({entry.NeedsWhy})";
        string[] fitting;
        lock (Gate) fitting = All.Where(a => a.Needs != refused).Select(a => a.Name).ToArray();
        throw new ArgumentException(
            $"'{algorithm}' needs {(discrete ? "continuous" : "discrete")} actions{why}; {envId} has {probe.Spec.Action}. Use one of: {string.Join(", ", fitting)}.");
    }

    /// <summary>Default envs per member and env-step budget for an algorithm on an env.</summary>
    public static (int EnvCount, long Steps) Defaults(string algorithm, string envId) => Get(algorithm).Defaults(envId);

    /// <summary>Rollout steps T the algorithm keeps per env on an env (see <see cref="DeepAlgorithm.RolloutSteps"/>).</summary>
    public static int RolloutSteps(string algorithm, string envId) => Get(algorithm).RolloutSteps(envId);

    /// <summary>Names of the algorithms with a replay buffer (<see cref="DeepAlgorithm.UsesReplay"/>), in registry order.</summary>
    public static IReadOnlyList<string> ReplayNames
    {
        get { lock (Gate) return All.Where(a => a.UsesReplay).Select(a => a.Name).ToArray(); }
    }

    /// <summary>Names of the algorithms that run wholly on the device on the gpu backends (<see cref="DeepAlgorithm.RunsOnDevice"/>), in registry order.</summary>
    public static IReadOnlyList<string> DeviceNames
    {
        get { lock (Gate) return All.Where(a => a.RunsOnDevice).Select(a => a.Name).ToArray(); }
    }

    /// <summary>Throws <see cref="ArgumentException"/> with the algorithm's own problem of these overrides on these run settings (<see cref="DeepAlgorithm.Problem"/>).</summary>
    public static void CheckOverrides(string algorithm, RunSettings run, DeepOverrides overrides)
    {
        if (Get(algorithm).Problem(run, overrides) is { } problem) throw new ArgumentException(problem);
    }

    /// <summary>Trains <paramref name="algorithm"/> with its defaults under the given run settings (learning rate optional).</summary>
    public static TrainResult Train(string algorithm, RunSettings run, float? learningRate = null) =>
        Train(algorithm, run, new DeepOverrides { LearningRate = learningRate });

    /// <summary>Names of the algorithms that read <paramref name="param"/> (<see cref="DeepAlgorithm.MemberParams"/>), in registry order.</summary>
    public static IReadOnlyList<string> NamesWith(MemberParam param)
    {
        lock (Gate) return All.Where(a => a.MemberParams.Contains(param)).Select(a => a.Name).ToArray();
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> when <paramref name="algorithm"/> does not read <paramref name="param"/>,
    /// naming the parameter (by <paramref name="name"/>: its flag or sweep key) and the algorithms that read it.
    /// </summary>
    public static void CheckHas(string algorithm, MemberParam param, string name)
    {
        if (!Get(algorithm).MemberParams.Contains(param))
            throw new ArgumentException($"{name} ({param.Description}) does not apply to {algorithm}; it is used by {string.Join(", ", NamesWith(param))}.");
    }

    /// <summary>
    /// Trains <paramref name="algorithm"/> with its defaults, replaced by the overrides given, under the given run settings.
    /// Throws <see cref="ArgumentException"/> when the run sets per-member values of a hyperparameter the algorithm does not have.
    /// </summary>
    public static TrainResult Train(string algorithm, RunSettings run, DeepOverrides overrides)
    {
        foreach (MemberParam param in MemberParam.All)
            if (param.Get(run) is not null) CheckHas(algorithm, param, param.Key);
        return Get(algorithm).Train(run, overrides);
    }
}
