using RlKernels.Envs.Runner;

namespace RlKernels.Algorithms.Deep;

/// <summary>Completed-episode statistics per member: the last K returns and whether the target has been met (latched).</summary>
public sealed class EpisodeStats
{
    private readonly float[] _recent; // [P, K] ring buffers
    private readonly long[] _count;   // [P]
    private readonly int _k;
    private readonly bool[] _solved;

    /// <param name="population">Members P.</param>
    /// <param name="recentEpisodes">Returns K kept per member for the recent mean.</param>
    public EpisodeStats(int population, int recentEpisodes)
    {
        _k = recentEpisodes;
        _recent = new float[population * recentEpisodes];
        _count = new long[population];
        _solved = new bool[population];
    }

    /// <summary>Episodes member p completed.</summary>
    public long Count(int member) => _count[member];

    /// <summary>Records the episodes that ended in the last step (rows [p·N, (p+1)·N) belong to member p).</summary>
    public void Record(IVectorEnv env, int envsPerMember)
    {
        ReadOnlySpan<bool> terminated = env.Terminated, truncated = env.Truncated;
        ReadOnlySpan<float> returns = env.EpisodeReturns;
        for (int i = 0; i < terminated.Length; i++)
            if (terminated[i] || truncated[i])
            {
                int p = i / envsPerMember;
                _recent[p * _k + (int)(_count[p] % _k)] = returns[i];
                _count[p]++;
            }
    }

    /// <summary>Mean of member p's last K returns (fewer at the start; NaN before the first).</summary>
    public double RecentMean(int member)
    {
        long n = Math.Min(_count[member], _k);
        if (n == 0) return double.NaN;
        double sum = 0;
        for (int i = 0; i < n; i++) sum += _recent[member * _k + i];
        return sum / n;
    }

    /// <summary>True once every member has K episodes with a mean at least the target (latched per member).</summary>
    public bool AllSolved(float? target)
    {
        if (target is not { } t) return false;
        bool all = true;
        for (int p = 0; p < _count.Length; p++)
        {
            if (!_solved[p] && _count[p] >= _k && RecentMean(p) >= t) _solved[p] = true;
            all &= _solved[p];
        }
        return all;
    }
}
