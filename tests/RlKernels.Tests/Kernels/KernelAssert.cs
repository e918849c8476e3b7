using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Tests.Kernels;

/// <summary>Shared checks for kernel tests (STYLE §3: |ref − x| ≤ atol + rtol·|ref|, report max diff and first 5 mismatches).</summary>
internal static class KernelAssert
{
    /// <summary>Environment variable that replays a failed randomly seeded test: <c>RLK_TEST_SEED=N dotnet test ...</c>.</summary>
    public const string SeedVariable = "RLK_TEST_SEED";

    /// <summary>
    /// A fresh seed for one test run, or the value of <see cref="SeedVariable"/> when it is set (to replay a failure).
    /// The seed is written to the test's output, which xunit prints with every failure, so a failure can always be
    /// replayed even where the assertion message does not name it; callers still put it in their messages.
    /// </summary>
    public static int FreshSeed()
    {
        int seed = SeedFrom(Environment.GetEnvironmentVariable(SeedVariable)) ?? System.Random.Shared.Next();
        TestContext.Current.TestOutputHelper?.WriteLine($"seed {seed} (replay: {SeedVariable}={seed} dotnet test ...)");
        return seed;
    }

    /// <summary>The replay seed a <see cref="SeedVariable"/> value names: null when unset or empty; a non-integer is an error, not a silent fresh seed.</summary>
    internal static int? SeedFrom(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (int.TryParse(value.Trim(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int seed))
            return seed;
        throw new InvalidOperationException($"{SeedVariable}='{value}' is not a 32-bit integer seed.");
    }

    /// <summary>Fails unless |expected[i] − actual[i]| ≤ atol + rtol·|expected[i]| for every i (NaN matches only NaN).</summary>
    public static void AllClose(string what, ReadOnlySpan<double> expected, ReadOnlySpan<double> actual,
        double atol, double rtol, string context = "", Func<int, string>? describe = null)
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxDiff = 0;
        int mismatches = 0;
        var first = new StringBuilder();
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            bool ok;
            double diff;
            if (double.IsNaN(e) || double.IsNaN(a))
            {
                ok = double.IsNaN(e) && double.IsNaN(a);
                diff = ok ? 0 : double.PositiveInfinity;
            }
            else
            {
                diff = e == a ? 0 : Math.Abs(e - a);
                ok = diff <= atol + rtol * Math.Abs(e);
            }
            if (diff > maxDiff) maxDiff = diff;
            if (!ok)
            {
                if (mismatches < 5)
                    first.Append($"\n  [{i}] expected {e:R} got {a:R} (diff {diff:E3}){(describe is null ? "" : " " + describe(i))}");
                mismatches++;
            }
        }
        if (mismatches > 0)
            Assert.Fail($"{what}: {mismatches}/{expected.Length} mismatches (atol {atol:E1}, rtol {rtol:E1}), max diff {maxDiff:E3}. {context}{first}");
    }

    /// <summary>Fails unless the two word sequences are bit-identical; reports the first 5 mismatches.</summary>
    public static void BitsEqual(string what, ReadOnlySpan<uint> expected, ReadOnlySpan<uint> actual, string context = "",
        Func<int, string>? describe = null)
    {
        Assert.Equal(expected.Length, actual.Length);
        int mismatches = 0;
        var first = new StringBuilder();
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] == actual[i]) continue;
            if (mismatches < 5)
                first.Append($"\n  [{i}] expected 0x{expected[i]:x8} got 0x{actual[i]:x8}{(describe is null ? "" : " " + describe(i))}");
            mismatches++;
        }
        if (mismatches > 0)
            Assert.Fail($"{what}: {mismatches}/{expected.Length} words differ. {context}{first}");
    }

    /// <summary>
    /// The start of a test of lane <typeparamref name="T"/> on fresh random inputs: skips it where the lane cannot
    /// run, then returns a <see cref="FreshSeed"/> and a generator seeded with it.
    /// </summary>
    public static (int Seed, System.Random Rng) FreshRandom<T>() where T : struct, ILane<T>
    {
        SkipUnlessSupported<T>();
        int seed = FreshSeed();
        return (seed, new System.Random(seed));
    }

    /// <summary>Skips the calling test when this machine cannot run lane <typeparamref name="T"/>.</summary>
    public static void SkipUnlessSupported<T>() where T : struct, ILane<T>
    {
        Assert.SkipUnless(IsSupported<T>(), $"{typeof(T).Name}: {T.Count}-wide vectors are not accelerated in this process.");
    }

    /// <summary>True when lane <typeparamref name="T"/> can run here (for tests that loop over every lane).</summary>
    public static bool IsSupported<T>() where T : struct, ILane<T> =>
        T.IsDouble || LaneSelection.IsAccelerated(T.Count);

    /// <summary>A lane value whose element j is values[j] (rounded to the element type).</summary>
    public static T FromValues<T>(ReadOnlySpan<float> values) where T : struct, ILane<T>
    {
        Assert.Equal(T.Count, values.Length);
        return T.Load(values, 0, T.Count);
    }

    /// <summary>A bits value whose element j is words[j].</summary>
    public static T FromBits<T>(ReadOnlySpan<uint> words) where T : struct, ILane<T>
    {
        Assert.Equal(T.Count, words.Length);
        if (T.IsDouble)
        {
            // D1 keeps bits as exact integers.
            Span<double> d = stackalloc double[T.Count];
            for (int j = 0; j < d.Length; j++) d[j] = words[j];
            return T.Load(d, 0, T.Count);
        }
        // Float lanes keep the raw bits in each float.
        Span<float> f = stackalloc float[T.Count];
        for (int j = 0; j < f.Length; j++) f[j] = BitConverter.UInt32BitsToSingle(words[j]);
        return T.Load(f, 0, T.Count);
    }

    public static double[] Elements<T>(T value) where T : struct, ILane<T>
    {
        var r = new double[T.Count];
        for (int j = 0; j < r.Length; j++) r[j] = T.Element(value, j);
        return r;
    }

    public static uint[] Bits<T>(T value) where T : struct, ILane<T>
    {
        var r = new uint[T.Count];
        for (int j = 0; j < r.Length; j++) r[j] = T.BitsElement(value, j);
        return r;
    }
}
