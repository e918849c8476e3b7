namespace RlKernels.Cli.Sweep;

/// <summary>Aggregate scores across seeds: interquartile mean (rliable's IQM) and a stratified-bootstrap interval.</summary>
public static class SweepStats
{
    /// <summary>
    /// Mean of the middle 50% of <paramref name="scores"/>, with fractional weights at the 25% and 75% cut
    /// points so every count of seeds (not only multiples of 4) weighs exactly half the mass.
    /// </summary>
    public static double Iqm(IReadOnlyList<double> scores)
    {
        if (scores.Count == 0) return double.NaN;
        double[] s = scores.Order().ToArray();
        int n = s.Length;
        double lo = 0.25 * n, hi = 0.75 * n, sum = 0;
        for (int i = 0; i < n; i++)
        {
            // Sample i covers [i, i+1); its weight is its overlap with [lo, hi).
            double w = Math.Max(0, Math.Min(i + 1, hi) - Math.Max(i, lo));
            sum += w * s[i];
        }
        return sum / (hi - lo);
    }

    /// <summary>Median of <paramref name="scores"/>.</summary>
    public static double Median(IReadOnlyList<double> scores)
    {
        if (scores.Count == 0) return double.NaN;
        double[] s = scores.Order().ToArray();
        int n = s.Length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    /// <summary>
    /// 95% percentile interval of the IQM by bootstrap: each replicate resamples the seeds of every stratum
    /// (task) with replacement within the stratum, so strata keep their sizes. Fixed seed, so reproducible.
    /// </summary>
    /// <param name="strata">Scores per stratum; one stratum for a single task.</param>
    /// <param name="replicates">Bootstrap replicates.</param>
    /// <param name="seed">Resampling seed.</param>
    public static (double Low, double High) BootstrapIqmCi(IReadOnlyList<IReadOnlyList<double>> strata, int replicates = 2000, int seed = 0)
    {
        var rng = new Random(seed);
        var stats = new double[replicates];
        var sample = new List<double>();
        for (int r = 0; r < replicates; r++)
        {
            sample.Clear();
            foreach (var stratum in strata)
                for (int i = 0; i < stratum.Count; i++) sample.Add(stratum[rng.Next(stratum.Count)]);
            stats[r] = Iqm(sample);
        }
        Array.Sort(stats);
        return (Quantile(stats, 0.025), Quantile(stats, 0.975));
    }

    /// <summary>Linear-interpolated quantile of sorted values.</summary>
    public static double Quantile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int i = (int)Math.Floor(pos);
        if (i >= sorted.Length - 1) return sorted[^1];
        return sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]);
    }
}
