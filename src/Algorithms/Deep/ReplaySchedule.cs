using RlKernels.Envs.Runner;

namespace RlKernels.Algorithms.Deep;

/// <summary>
/// The clock of an off-policy loop (DQN, SAC): env steps per member and vector steps taken so far, and the
/// gradient steps they have earned. Each vector step is stored in the replay buffer and the episode statistics;
/// once <c>learningStarts</c> env steps are done and the buffer holds a batch, every env step of a member earns
/// <c>updatesPerStep</c> gradient steps, taken whole (the fraction carries over to the next vector step).
/// </summary>
internal sealed class ReplaySchedule(ReplayBuffer replay, EpisodeStats stats, int envCount, int learningStarts, float updatesPerStep, int batchSize)
{
    private double _updatesDue;
    private long _nextCurve;

    /// <summary>Env steps of a member so far.</summary>
    public long Steps { get; private set; }
    /// <summary>Vector steps so far (each one steps every env once).</summary>
    public uint VectorStep { get; private set; }

    /// <summary>Stores the vector step just taken from <paramref name="observations"/> [P, N, O] with the discrete [P, N] or continuous [P, N, A] actions.</summary>
    public void Store(ReadOnlySpan<float> observations, ReadOnlySpan<int> discreteActions, ReadOnlySpan<float> actions, IVectorEnv env)
    {
        VectorStep++;
        replay.Add(observations, discreteActions, actions, env, envCount);
        stats.Record(env, envCount);
        Steps += envCount;
        _updatesDue += Steps < learningStarts || replay.Count < batchSize ? 0 : envCount * updatesPerStep;
    }

    /// <summary>True, counting it taken, while a gradient step is due.</summary>
    public bool TakeUpdate()
    {
        if (_updatesDue < 1) return false;
        _updatesDue--;
        return true;
    }

    /// <summary>True once every 1,000 env steps of a member: a curve point is due.</summary>
    public bool CurveDue()
    {
        if (Steps < _nextCurve) return false;
        _nextCurve = Steps + 1000;
        return true;
    }
}
