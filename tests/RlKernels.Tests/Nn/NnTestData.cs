using RlKernels.Tests.Reference;

namespace RlKernels.Tests.Nn;

/// <summary>
/// Fresh random inputs per test run (the seed is printed on failure), NaN poisoning for outputs and the
/// |ref − x| ≤ atol + rtol·|ref| comparison with the first mismatches listed.
/// </summary>
public sealed class NnTestData
{
    public int Seed { get; }
    private readonly System.Random _random;

    public NnTestData()
    {
        Seed = System.Random.Shared.Next();
        _random = new System.Random(Seed);
    }

    /// <summary>Uniform on ±scale, never exactly zero.</summary>
    public double[] Uniform(int n, double scale = 1.0)
    {
        var a = new double[n];
        for (int i = 0; i < n; i++)
        {
            double u;
            do u = (2 * _random.NextDouble() - 1) * scale; while (u == 0);
            a[i] = u;
        }
        return a;
    }

    public int[] Ints(int n, int max)
    {
        var a = new int[n];
        for (int i = 0; i < n; i++) a[i] = _random.Next(max);
        return a;
    }

    public static float[] ToFloat(double[] a) => Array.ConvertAll(a, x => (float)x);
    public static double[] ToDouble(float[] a) => Array.ConvertAll(a, x => (double)x);

    /// <summary>A float copy rounded from doubles, and the doubles re-read from the floats, so both precisions see identical inputs.</summary>
    public (float[] F, double[] D) Pair(int n, double scale = 1.0)
    {
        float[] f = ToFloat(Uniform(n, scale));
        return (f, ToDouble(f));
    }

    public static float[] Poisoned(int n)
    {
        var a = new float[n];
        Array.Fill(a, float.NaN);
        return a;
    }

    /// <summary>Compares within atol + rtol·|expected|, where atol = atolScale · max|expected| (float sums of many terms cancel).</summary>
    public void Close(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, string name, double rtol = 1e-4, double atolScale = 1e-5)
    {
        double scale = 0;
        foreach (double e in expected) scale = Math.Max(scale, Math.Abs(e));
        double atol = atolScale * scale;
        var d = new double[actual.Length];
        for (int i = 0; i < actual.Length; i++) d[i] = actual[i];
        CloseCore(expected, d, name, rtol, atol);
    }

    /// <summary>
    /// A reference backward checked against central finite differences: <paramref name="analytic"/> is the gradient of
    /// <paramref name="loss"/> with respect to <paramref name="input"/>.
    /// </summary>
    public void MatchesFiniteDifferences(double[] input, Func<double> loss, double[] analytic, string name, double rtol = 1e-6, double atol = 1e-9)
        => CloseDouble(FiniteDifference.Gradient(input, loss), analytic, name, rtol, atol);

    /// <summary>Relative comparison of doubles (finite differences against the reference backward).</summary>
    public void CloseDouble(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, string name, double rtol, double atol)
        => CloseCore(expected, actual, name, rtol, atol);

    private void CloseCore(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, string name, double rtol, double atol)
    {
        Assert.True(expected.Length == actual.Length, $"{name}: length {actual.Length}, expected {expected.Length} (seed {Seed})");
        double maxDiff = 0;
        var bad = new List<string>();
        int badCount = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs(expected[i] - actual[i]);
            if (double.IsNaN(actual[i])) diff = double.PositiveInfinity;
            maxDiff = Math.Max(maxDiff, diff);
            if (!(diff <= atol + rtol * Math.Abs(expected[i])))
            {
                badCount++;
                if (bad.Count < 5) bad.Add($"[{i}] expected {expected[i]:R} got {actual[i]:R}");
            }
        }
        Assert.True(badCount == 0, $"{name}: {badCount} mismatches, max |diff| {maxDiff:E3} (rtol {rtol}, atol {atol:E2}, seed {Seed}): {string.Join("; ", bad)}");
    }
}
