using RlKernels.Envs;
using RlKernels.Envs.Conformance;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Tests.Envs;

/// <summary>The lane types a CPU runner can be built over.</summary>
public enum LaneKind { F16, F8, F4, F1, D1 }

/// <summary>Builds runners over a chosen lane and records what they return, for the env tests.</summary>
internal static class EnvTestKit
{
    // Env ids come from the registry, never from a list of the tests' own: a newly registered env is covered.

    /// <summary>Every registered id (the test env Corridor-v0 included).</summary>
    public static IReadOnlyList<string> AllIds => EnvRegistry.Ids;

    /// <summary>Registered ids with a discrete action space (the ones <see cref="Run"/> can drive).</summary>
    public static IReadOnlyList<string> DiscreteIds => EnvRegistry.IdsWhere(e => e.Spec(EnvArgs.Empty).Action.IsDiscrete);

    /// <summary>Registered ports of Gymnasium's classic-control envs (by the source their spec cites).</summary>
    public static IReadOnlyList<string> ClassicControlIds =>
        EnvRegistry.IdsWhere(e => e.Spec(EnvArgs.Empty).Source.Contains("classic_control", StringComparison.Ordinal));

    /// <summary>The float32 lanes, widest first.</summary>
    public static IReadOnlyList<LaneKind> FloatLanes { get; } = [LaneKind.F16, LaneKind.F8, LaneKind.F4, LaneKind.F1];

    /// <summary>Ids as theory data.</summary>
    public static TheoryData<string> Theory(IEnumerable<string> ids) => new(ids);

    /// <summary>Skips the test when this machine cannot run <paramref name="lanes"/> in hardware.</summary>
    public static void SkipUnlessSupported(LaneKind lanes)
    {
        int width = Width(lanes);
        Assert.SkipUnless(LaneSelection.IsAccelerated(width), $"{lanes}: {width}-wide vectors are not accelerated in this process.");
    }

    /// <summary>
    /// A CPU runner of env <paramref name="id"/> over lane <paramref name="lanes"/>. Backend.Cpu for every
    /// lane so that VectorEnvOptions.Threads is honoured (the registry forces one thread for the scalar
    /// backends).
    /// </summary>
    /// <param name="id">Env id.</param>
    /// <param name="lanes">Lane type.</param>
    /// <param name="envCount">Env copies.</param>
    /// <param name="options">Seed, auto-reset, threads.</param>
    /// <param name="args">Env arguments (wrappers too), <c>key=value</c> separated by commas; none by default.</param>
    public static IVectorEnv Make(string id, LaneKind lanes, int envCount, VectorEnvOptions options, string args = "") =>
        EnvRegistry.Get(id).MakeOnLane(lanes switch
        {
            LaneKind.F16 => StepperLane.F16,
            LaneKind.F8 => StepperLane.F8,
            LaneKind.F4 => StepperLane.F4,
            LaneKind.F1 => StepperLane.F1,
            _ => StepperLane.D1,
        }, envCount, options, args.Length == 0
            ? EnvArgs.Empty
            : new EnvArgs(args.Split(',').Select(a => a.Split('=', 2)).ToDictionary(a => a[0], a => a[1])));

    /// <summary>Elements per lane value of <paramref name="lanes"/>.</summary>
    public static int Width(LaneKind lanes) => lanes switch
    {
        LaneKind.F16 => 16,
        LaneKind.F8 => 8,
        LaneKind.F4 => 4,
        _ => 1,
    };

    /// <summary>A fixed pseudo-random action for env <paramref name="env"/> at step <paramref name="t"/>: the same whatever the batch.</summary>
    public static int ActionOf(int env, int t, int actionCount)
    {
        uint h = (uint)env * 2654435761u ^ (uint)t * 2246822519u;
        h ^= h >> 15;
        h *= 2654435761u;
        h ^= h >> 13;
        return (int)(h % (uint)actionCount);
    }

    public static void FillActions(Span<int> actions, int t, int actionCount)
    {
        for (int i = 0; i < actions.Length; i++) actions[i] = ActionOf(i, t, actionCount);
    }

    /// <summary>
    /// Runs the schedule every determinism-style test uses: <paramref name="callerSteps"/> steps with
    /// <see cref="ActionOf"/> actions, then <paramref name="randomSteps"/> single random steps.
    /// </summary>
    public static Recording Run(IVectorEnv env, int callerSteps, int randomSteps)
    {
        var rec = new Recording(env);
        var actions = new int[env.EnvCount];
        for (int t = 0; t < callerSteps; t++)
        {
            FillActions(actions, t, env.Spec.Action.Count);
            env.Step(actions);
            rec.Add(env);
        }
        for (int t = 0; t < randomSteps; t++)
        {
            env.StepRandom(1);
            rec.Add(env);
        }
        return rec;
    }

    public static bool SameBits(float a, float b) => BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b);
}

/// <summary>Every output of a runner after each step, copied.</summary>
internal sealed class Recording
{
    public readonly int EnvCount, ObsSize;
    public readonly float[] InitialObs;
    public readonly List<float[]> Obs = [], FinalObs = [], Rewards = [], EpisodeReturns = [];
    public readonly List<bool[]> Terminated = [], Truncated = [];
    public readonly List<int[]> EpisodeLengths = [];

    public Recording(IVectorEnv env)
    {
        EnvCount = env.EnvCount;
        ObsSize = env.Spec.ObsSize;
        InitialObs = env.Observations.ToArray();
    }

    public int Steps => Obs.Count;

    public void Add(IVectorEnv env)
    {
        Obs.Add(env.Observations.ToArray());
        FinalObs.Add(env.FinalObservations.ToArray());
        Rewards.Add(env.Rewards.ToArray());
        Terminated.Add(env.Terminated.ToArray());
        Truncated.Add(env.Truncated.ToArray());
        EpisodeReturns.Add(env.EpisodeReturns.ToArray());
        EpisodeLengths.Add(env.EpisodeLengths.ToArray());
    }

    public bool Ended(int t, int i) => Terminated[t][i] || Truncated[t][i];

    /// <summary>
    /// Null when env <paramref name="i"/> of this recording and env <paramref name="j"/> of
    /// <paramref name="other"/> returned bit-identical outputs at every step, else where they first differ.
    /// Final observations and episode statistics count only where an episode ended (elsewhere they are stale).
    /// </summary>
    public string? FirstDifference(int i, Recording other, int j)
    {
        for (int k = 0; k < ObsSize; k++)
            if (!EnvTestKit.SameBits(InitialObs[i * ObsSize + k], other.InitialObs[j * ObsSize + k]))
                return $"initial obs[{k}]: {InitialObs[i * ObsSize + k]:R} vs {other.InitialObs[j * ObsSize + k]:R}";
        int steps = Math.Min(Steps, other.Steps);
        for (int t = 0; t < steps; t++)
        {
            if (Terminated[t][i] != other.Terminated[t][j] || Truncated[t][i] != other.Truncated[t][j])
                return $"step {t}: flags ({Terminated[t][i]}, {Truncated[t][i]}) vs ({other.Terminated[t][j]}, {other.Truncated[t][j]})";
            if (!EnvTestKit.SameBits(Rewards[t][i], other.Rewards[t][j]))
                return $"step {t}: reward {Rewards[t][i]:R} vs {other.Rewards[t][j]:R}";
            for (int k = 0; k < ObsSize; k++)
                if (!EnvTestKit.SameBits(Obs[t][i * ObsSize + k], other.Obs[t][j * ObsSize + k]))
                    return $"step {t}: obs[{k}] {Obs[t][i * ObsSize + k]:R} vs {other.Obs[t][j * ObsSize + k]:R}";
            if (!Ended(t, i)) continue;
            for (int k = 0; k < ObsSize; k++)
                if (!EnvTestKit.SameBits(FinalObs[t][i * ObsSize + k], other.FinalObs[t][j * ObsSize + k]))
                    return $"step {t}: final obs[{k}] {FinalObs[t][i * ObsSize + k]:R} vs {other.FinalObs[t][j * ObsSize + k]:R}";
            if (!EnvTestKit.SameBits(EpisodeReturns[t][i], other.EpisodeReturns[t][j]) || EpisodeLengths[t][i] != other.EpisodeLengths[t][j])
                return $"step {t}: episode ({EpisodeReturns[t][i]}, {EpisodeLengths[t][i]}) vs ({other.EpisodeReturns[t][j]}, {other.EpisodeLengths[t][j]})";
        }
        return null;
    }

    /// <summary>Asserts env i equals env i of <paramref name="other"/> for every env of this recording.</summary>
    public void AssertSamePerEnv(Recording other, string what)
    {
        var bad = new List<string>();
        for (int i = 0; i < EnvCount; i++)
        {
            string? diff = FirstDifference(i, other, i);
            if (diff is not null) bad.Add($"env {i}: {diff}");
        }
        Assert.True(bad.Count == 0, $"{what}: {bad.Count} of {EnvCount} envs differ; first: {string.Join("; ", bad.Take(5))}");
    }
}

/// <summary>Every output of a runner and its internal state columns, to show a failed call changed nothing.</summary>
internal sealed class Snapshot
{
    private readonly float[] _obs, _finalObs, _rewards, _returns;
    private readonly bool[] _terminated, _truncated;
    private readonly int[] _lengths;
    private readonly double[] _state;

    private Snapshot(IVectorEnv env)
    {
        _obs = env.Observations.ToArray();
        _finalObs = env.FinalObservations.ToArray();
        _rewards = env.Rewards.ToArray();
        _returns = env.EpisodeReturns.ToArray();
        _terminated = env.Terminated.ToArray();
        _truncated = env.Truncated.ToArray();
        _lengths = env.EpisodeLengths.ToArray();
        _state = State(env);
    }

    public static Snapshot Of(IVectorEnv env) => new(env);

    /// <summary>[envCount, stateSize] through the runner's internal StateOf (test access).</summary>
    private static double[] State(IVectorEnv env)
    {
        var stateOf = env.GetType().GetMethod("StateOf", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)
            ?? throw new InvalidOperationException($"{env.GetType().Name} has no StateOf.");
        int stateSize = env.Spec.StateSize;
        var state = new double[env.EnvCount * stateSize];
        for (int i = 0; i < env.EnvCount; i++)
            for (int k = 0; k < stateSize; k++)
                state[i * stateSize + k] = (double)stateOf.Invoke(env, [i, k])!;
        return state;
    }

    public void AssertUnchanged(IVectorEnv env)
    {
        Assert.Equal(_obs, env.Observations.ToArray());
        Assert.Equal(_finalObs, env.FinalObservations.ToArray());
        Assert.Equal(_rewards, env.Rewards.ToArray());
        Assert.Equal(_returns, env.EpisodeReturns.ToArray());
        Assert.Equal(_terminated, env.Terminated.ToArray());
        Assert.Equal(_truncated, env.Truncated.ToArray());
        Assert.Equal(_lengths, env.EpisodeLengths.ToArray());
        Assert.Equal(_state, State(env));
    }
}
