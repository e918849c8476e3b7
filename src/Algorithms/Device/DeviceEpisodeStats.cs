namespace RlKernels.Algorithms.Device;

/// <summary>
/// Completed-episode statistics from what a device rollout reports, per member and rollout (sum of returns,
/// episode count): the recent mean is over the latest rollouts that together hold at least K episodes, a
/// count-weighted mean (the device does not send each return back).
/// </summary>
public sealed class DeviceEpisodeStats
{
    private readonly int _k;
    private readonly List<(double Sum, double Count)>[] _rollouts; // per member, oldest first
    private readonly long[] _count;

    /// <param name="population">Members P.</param>
    /// <param name="recentEpisodes">Episodes K the recent mean covers (at least).</param>
    public DeviceEpisodeStats(int population, int recentEpisodes)
    {
        _k = Math.Max(1, recentEpisodes);
        _rollouts = Enumerable.Range(0, population).Select(_ => new List<(double, double)>()).ToArray();
        _count = new long[population];
    }

    /// <summary>Adds one rollout's [P, 2] (sum of returns, episode count) metrics.</summary>
    public void Record(ReadOnlySpan<float> metrics)
    {
        for (int p = 0; p < _rollouts.Length; p++)
        {
            double sum = metrics[2 * p], count = metrics[2 * p + 1];
            if (count == 0) continue;
            var list = _rollouts[p];
            list.Add((sum, count));
            _count[p] += (long)count;
            // Drop the oldest rollouts while the rest still cover K episodes.
            double covered = list.Sum(r => r.Count);
            while (list.Count > 1 && covered - list[0].Count >= _k)
            {
                covered -= list[0].Count;
                list.RemoveAt(0);
            }
        }
    }

    /// <summary>Episodes member p completed.</summary>
    public long Count(int member) => _count[member];

    /// <summary>Mean return over member p's latest rollouts holding at least K episodes (fewer at the start; NaN before the first).</summary>
    public double RecentMean(int member)
    {
        var list = _rollouts[member];
        double sum = list.Sum(r => r.Sum), count = list.Sum(r => r.Count);
        return count == 0 ? double.NaN : sum / count;
    }

    /// <summary>True when every member has K episodes whose mean is at least <paramref name="target"/>.</summary>
    public bool AllAtLeast(float target)
    {
        for (int p = 0; p < _count.Length; p++)
            if (_count[p] < _k || !(RecentMean(p) >= target)) return false;
        return true;
    }
}
