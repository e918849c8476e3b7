using RlKernels.Envs.Registry;

namespace RlKernels.Algorithms.Deep;

/// <summary>The deep algorithms by command-line name, with the defaults a plain <c>rlk train ENV --algo NAME</c> uses.</summary>
public static class DeepAlgorithms
{
    /// <summary>Names in the order help and errors list them; the first is the default.</summary>
    public static IReadOnlyList<string> Names { get; } = ["ppo", "a2c", "reinforce-baseline", "reinforce", "reparam-ac", "deep-sarsa"];

    /// <summary>Algorithms that need a continuous (Box) action space; the others take either.</summary>
    public static IReadOnlySet<string> ContinuousOnly { get; } = new HashSet<string> { "reparam-ac" };

    /// <summary>Algorithms that need a discrete action space (a max or arg-max over actions).</summary>
    public static IReadOnlySet<string> DiscreteOnly { get; } = new HashSet<string> { "deep-sarsa" };

    public static bool IsKnown(string name) => Names.Contains(name);

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
        if (!IsKnown(algorithm))
            throw new ArgumentException($"Unknown algorithm '{algorithm}'. Deep algorithms: {string.Join(", ", Names)}.");
        if (!EnvRegistry.TryGet(envId, out _))
            throw new ArgumentException($"Unknown env '{envId}'. Known envs: {string.Join(", ", EnvRegistry.Ids)}.");
        using var probe = EnvRegistry.Make(envId, 1);
        bool discrete = probe.Spec.Action.IsDiscrete;
        if (discrete && ContinuousOnly.Contains(algorithm))
            throw new ArgumentException($"'{algorithm}' needs continuous actions; {envId} has {probe.Spec.Action}. Use one of: {string.Join(", ", Names.Where(n => !ContinuousOnly.Contains(n)))}.");
        if (!discrete && DiscreteOnly.Contains(algorithm))
            throw new ArgumentException($"'{algorithm}' needs discrete actions (it takes a max over actions); {envId} has {probe.Spec.Action}. Use one of: {string.Join(", ", Names.Where(n => !DiscreteOnly.Contains(n)))}.");
    }

    /// <summary>Default envs per member and env-step budget for an algorithm on an env.</summary>
    public static (int EnvCount, long Steps) Defaults(string algorithm, string envId) => (algorithm, envId) switch
    {
        ("ppo", "CartPole-v1") => (32, 1_000_000),
        ("ppo", "Pendulum-v1") => (64, 2_000_000),
        ("a2c", _) => (32, 2_000_000),
        ("reinforce-baseline" or "reinforce", _) => (64, 3_000_000),
        ("reparam-ac", _) => (16, 60_000),
        ("deep-sarsa", _) => (64, 1_000_000),
        _ => (64, 1_000_000),
    };

    /// <summary>Trains <paramref name="algorithm"/> with its defaults under the given run settings (learning rate optional).</summary>
    public static TrainResult Train(string algorithm, RunSettings run, float? learningRate = null) => algorithm switch
    {
        "ppo" => Ppo.Train(PpoDefaults(run, learningRate)),
        "a2c" => A2c.Train(new A2cConfig { Run = run } is var a && learningRate is { } la ? a with { LearningRate = la } : a),
        "reparam-ac" => ReparamActorCritic.Train(new ReparamActorCriticConfig { Run = run } is var c && learningRate is { } lc ? c with { ActorLearningRate = lc } : c),
        "deep-sarsa" => NetworkSarsa.Train(new NetworkSarsaConfig { Run = run, Policy = SarsaPolicy.EpsilonGreedy, Gamma = 0.99f, Hidden = [64, 64], Activation = Kernels.Nn.Activation.Tanh }
            is var q && learningRate is { } lq ? q with { LearningRate = lq } : q),
        "reinforce-baseline" or "reinforce" => Reinforce.Train(
            new ReinforceConfig { Run = run, Baseline = algorithm == "reinforce-baseline" } is var r && learningRate is { } lr2 ? r with { LearningRate = lr2 } : r),
        _ => throw new ArgumentException($"Unknown algorithm '{algorithm}'. Deep algorithms: {string.Join(", ", Names)}."),
    };

    private static PpoConfig PpoDefaults(RunSettings run, float? lr)
    {
        var c = new PpoConfig { Run = run };
        if (run.EnvId == "Pendulum-v1")
            c = c with { RolloutSteps = 256, Epochs = 10, Minibatches = 32, LearningRate = 1e-3f, Gamma = 0.95f, Lambda = 0.95f, InitLogStd = 0f, AnnealLearningRate = true };
        return lr is { } v ? c with { LearningRate = v } : c;
    }
}
