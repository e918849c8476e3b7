namespace RlKernels.Algorithms.Deep;

/// <summary>When to record "solved" and when to stop: shared by the training loops.</summary>
public sealed class StopRule(RunSettings run, EpisodeStats stats, Func<double> clock)
{
    private int _sinceConfirm = int.MaxValue / 2;

    /// <summary>Clock reading when every member's recent training mean first reached the target.</summary>
    public double? SolvedAt { get; private set; }
    /// <summary>Env steps per member at that moment.</summary>
    public long? SolvedStep { get; private set; }

    /// <summary>Call after every update: records the solve time, and says whether to stop training now.</summary>
    public bool ShouldStop(PolicyNet policy, long steps)
    {
        if (run.TargetReturn is not { } target || !stats.AllSolved(target)) return false;
        if (SolvedAt is null) { SolvedAt = clock(); SolvedStep = steps; }
        if (!run.StopAtTarget) return false;
        if (run.ConfirmEpisodes == 0) return true;
        for (int p = 0; p < run.Population; p++)
            if (!(stats.RecentMean(p) >= target)) return false;
        // A fresh greedy evaluation every few updates at most: it costs about as much as a rollout.
        if (++_sinceConfirm < 4) return false;
        _sinceConfirm = 0;
        double[] means = Evaluation.MeanReturns(policy, run.ConfirmEpisodes, run.Seed ^ 0xC0F1_2A3B_0000UL + (ulong)steps,
            run.Backend, run.EnvArgs, run.Threads);
        double confirm = target + run.ConfirmMargin * Math.Abs(target);
        return means.All(m => m >= confirm);
    }
}
