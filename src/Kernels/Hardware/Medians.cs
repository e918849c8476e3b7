namespace RlKernels.Kernels.Hardware;

/// <summary>The median that timed measurements report (the ceilings here, <c>rlk bench</c>'s rows).</summary>
public static class Medians
{
    /// <summary>Median of <paramref name="values"/> (at least one): the middle value, or the mean of the two middle ones.</summary>
    public static double Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("No values.", nameof(values));
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
