using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;

namespace RlKernels.Tests.Kernels;

/// <summary>
/// Uniform and normal draws: the raw words and the uniforms are identical on every lane (checked against a
/// scalar oracle built on <see cref="Philox4x32.Block"/>), normals agree within 1e-5, and the moments are
/// right within several standard errors.
/// </summary>
public abstract class LaneRngTests<T> where T : struct, ILane<T>
{
    private const int Envs = 4099;      // not a multiple of any lane width: the last lane is partly padding
    private const int Blocks = 16;

    /// <summary>Fresh random start counters (some near the 2^32 wrap) and key.</summary>
    private static (uint[] Start, uint K0, uint K1) FreshInputs(System.Random rng, int envs)
    {
        var start = new uint[envs];
        for (int i = 0; i < envs; i++)
            start[i] = i % 7 == 0 ? uint.MaxValue - (uint)rng.Next(Blocks) : (uint)rng.NextInt64(0, 1L << 32);
        return (start, (uint)rng.NextInt64(0, 1L << 32), (uint)rng.NextInt64(0, 1L << 32));
    }

    /// <summary>The oracle: block b of env i is Philox(counter = (start_i + b, i, purpose, 0), key).</summary>
    private static uint[] OracleBits(uint[] start, int blocks, uint k0, uint k1, uint purpose)
    {
        var words = new uint[start.Length * blocks * 4];
        for (int i = 0; i < start.Length; i++)
            for (int b = 0; b < blocks; b++)
            {
                int at = (i * blocks + b) * 4;
                Philox4x32.Block(unchecked(start[i] + (uint)b), (uint)i, purpose, 0, k0, k1,
                    out words[at], out words[at + 1], out words[at + 2], out words[at + 3]);
            }
        return words;
    }

    private static double Unit(uint bits) => (bits >> 8) * (1.0 / 16777216.0);
    /// <summary>23 bits plus a half: exact in float, strictly inside (0, 1).</summary>
    private static double OpenUnit(uint bits) => ((bits >> 9) + 0.5) * (1.0 / 8388608.0);

    [Fact]
    public void BitsToUnitIsExactAndInRange()
    {
        var (seed, rng) = KernelAssert.FreshRandom<T>();
        uint[] edges = [0u, 1u, 0xffu, 0x100u, 0x7fffffffu, 0x80000000u, 0xffffff00u, 0xfffffffeu, 0xffffffffu];
        var words = new uint[T.Count];
        for (int trial = 0; trial < 500; trial++)
        {
            for (int j = 0; j < T.Count; j++)
                words[j] = trial == 0 ? edges[j % edges.Length] : (uint)rng.NextInt64(0, 1L << 32);
            if (trial == 1) for (int j = 0; j < T.Count; j++) words[j] = edges[(j + T.Count) % edges.Length];
            T bits = KernelAssert.FromBits<T>(words);
            T unit = T.BitsToUnit(bits), open = T.BitsToOpenUnit(bits);
            for (int j = 0; j < T.Count; j++)
            {
                double u = T.Element(unit, j), o = T.Element(open, j);
                string where = $"seed {seed}, trial {trial}, element {j}, bits 0x{words[j]:x8}";
                Assert.True(u == Unit(words[j]), $"BitsToUnit = {u:R}, expected {Unit(words[j]):R} ({where})");
                Assert.True(o == OpenUnit(words[j]), $"BitsToOpenUnit = {o:R}, expected {OpenUnit(words[j]):R} ({where})");
                Assert.True(u >= 0 && u < 1, $"BitsToUnit = {u:R} outside [0, 1) ({where})");
                Assert.True(o > 0 && o < 1, $"BitsToOpenUnit = {o:R} outside (0, 1) ({where})");
                // The scalar helpers the GPU path uses give the same value.
                Assert.Equal((double)Philox4x32.ToUnit(words[j]), u);
                Assert.Equal((double)Philox4x32.ToOpenUnit(words[j]), o);
            }
        }
    }

    [Fact]
    public void ScalarUnitEdgesAreExact()
    {
        // The extremes of both maps: [0, 1 − 2^-24] and [2^-24, 1 − 2^-24], never 1.
        Assert.Equal(0f, Philox4x32.ToUnit(0u));
        Assert.Equal(1f - 1f / 16777216f, Philox4x32.ToUnit(uint.MaxValue));
        Assert.Equal(1f / 16777216f, Philox4x32.ToOpenUnit(0u));
        Assert.Equal(1f - 1f / 16777216f, Philox4x32.ToOpenUnit(uint.MaxValue));
        Assert.True(Philox4x32.ToOpenUnit(uint.MaxValue) < 1f);
    }

    [Fact]
    public void NextBitsFollowsTheCounterLayout()
    {
        var (seed, rng) = KernelAssert.FreshRandom<T>();
        var (start, k0, k1) = FreshInputs(rng, 67);
        foreach (uint purpose in new[] { LaneRng<T>.EnvPurpose, LaneRng<T>.ActionPurpose, 0xdeadbeefu })
        {
            var (words, end) = LaneDraws<T>.Bits(start, Blocks, k0, k1, purpose);
            KernelAssert.BitsEqual($"{typeof(T).Name} LaneRng.NextBits vs oracle", OracleBits(start, Blocks, k0, k1, purpose), words,
                $"seed {seed}, purpose {purpose}", i => $"(env {i / (4 * Blocks)}, block {i / 4 % Blocks}, word {i % 4})");
            var expectedEnd = start.Select(s => unchecked(s + Blocks)).ToArray();
            KernelAssert.BitsEqual($"{typeof(T).Name} LaneRng.Counter after {Blocks} blocks", expectedEnd, end, $"seed {seed}");
        }
    }

    [Fact]
    public void UniformsAreIdenticalToTheScalarFormula()
    {
        var (seed, rng) = KernelAssert.FreshRandom<T>();
        var (start, k0, k1) = FreshInputs(rng, 67);
        const double low = -0.05, high = 0.05;
        double[] got = LaneDraws<T>.Uniform4(start, Blocks, k0, k1, low, high);
        uint[] words = OracleBits(start, Blocks, k0, k1, LaneRng<T>.EnvPurpose);
        var expected = new double[words.Length];
        for (int i = 0; i < words.Length; i++)
        {
            // Same operations, same precision as the lane: low + (high - low) · unit.
            if (T.IsDouble) expected[i] = low + (high - low) * Unit(words[i]);
            else expected[i] = (float)low + ((float)high - (float)low) * Philox4x32.ToUnit(words[i]);
        }
        KernelAssert.AllClose($"{typeof(T).Name} NextUniform4 vs scalar formula", expected, got, 0, 0, $"seed {seed}");
    }

    [Fact]
    public void UniformsAreIdenticalToF1()
    {
        var (seed, rng) = KernelAssert.FreshRandom<T>();
        var (start, k0, k1) = FreshInputs(rng, 67);
        double[] reference = LaneDraws<F1>.Uniform4(start, Blocks, k0, k1, 0, 1);
        double[] got = LaneDraws<T>.Uniform4(start, Blocks, k0, k1, 0, 1);
        // On [0, 1) the uniform is the exact 24-bit unit, so even D1 matches F1 exactly.
        KernelAssert.AllClose($"{typeof(T).Name} NextUniform4 vs F1", reference, got, 0, 0, $"seed {seed}");
    }

    [Fact]
    public void NormalsMatchDoubleBoxMullerAndF1()
    {
        var (seed, rng) = KernelAssert.FreshRandom<T>();
        var (start, k0, k1) = FreshInputs(rng, 67);
        double[] got = LaneDraws<T>.Normal2(start, 4 * Blocks, k0, k1);
        uint[] words = OracleBits(start, 4 * Blocks, k0, k1, LaneRng<T>.EnvPurpose);
        var expected = new double[got.Length];
        for (int i = 0; i < expected.Length / 2; i++)
        {
            double radius = Math.Sqrt(-2.0 * Math.Log(OpenUnit(words[4 * i])));
            double angle = 2.0 * Math.PI * Unit(words[4 * i + 1]);
            expected[2 * i] = radius * Math.Cos(angle);
            expected[2 * i + 1] = radius * Math.Sin(angle);
        }
        // Float lanes: Log/Sin/Cos and the float angle differ slightly from double (|z| ≤ √(48 ln 2) ≈ 5.77).
        double tol = T.IsDouble ? 1e-12 : 1e-5;
        KernelAssert.AllClose($"{typeof(T).Name} NextNormal2 vs double Box–Muller", expected, got, tol, tol, $"seed {seed}");
        double[] f1 = LaneDraws<F1>.Normal2(start, 4 * Blocks, k0, k1);
        KernelAssert.AllClose($"{typeof(T).Name} NextNormal2 vs F1", f1, got, 1e-5, 0, $"seed {seed}");
    }

    [Fact]
    public void UniformMomentsAreWithinStatisticalBounds()
    {
        var (seed, rng) = KernelAssert.FreshRandom<T>();
        var (start, k0, k1) = FreshInputs(rng, Envs);
        const double low = -2.0, high = 3.0, w = high - low;
        double[] u = LaneDraws<T>.Uniform4(start, Blocks, k0, k1, low, high);
        int n = u.Length;
        double mean = u.Average();
        double variance = u.Sum(x => (x - mean) * (x - mean)) / (n - 1);
        // Standard errors: mean w/√(12n); variance √((μ4 − σ⁴)/n) with μ4 = w⁴/80, σ⁴ = w⁴/144, so w²/√(180n).
        double seMean = w / Math.Sqrt(12.0 * n), seVar = w * w / Math.Sqrt(180.0 * n);
        string ctx = $"seed {seed}, n {n}: mean {mean:R} (se {seMean:E2}), var {variance:R} (se {seVar:E2})";
        Assert.True(Math.Abs(mean - (low + high) / 2) < 6 * seMean, "uniform mean off; " + ctx);
        Assert.True(Math.Abs(variance - w * w / 12) < 6 * seVar, "uniform variance off; " + ctx);
        Assert.True(u.Min() >= low && u.Max() < high, "uniform outside [low, high); " + ctx);
        // Each of the four words is uniform on its own: check every word's mean.
        for (int word = 0; word < 4; word++)
        {
            double m = 0;
            for (int i = word; i < n; i += 4) m += u[i];
            m /= n / 4;
            Assert.True(Math.Abs(m - (low + high) / 2) < 6 * w / Math.Sqrt(12.0 * n / 4), $"word {word} mean {m:R} off; " + ctx);
        }
    }

    [Fact]
    public void NormalMomentsAreWithinStatisticalBounds()
    {
        var (seed, rng) = KernelAssert.FreshRandom<T>();
        var (start, k0, k1) = FreshInputs(rng, Envs);
        double[] z = LaneDraws<T>.Normal2(start, 2 * Blocks, k0, k1);
        int n = z.Length;
        double mean = z.Average();
        double variance = z.Sum(x => (x - mean) * (x - mean)) / (n - 1);
        double covariance = 0, fourth = 0;
        for (int i = 0; i < n; i += 2) covariance += z[i] * z[i + 1];
        covariance /= n / 2;
        foreach (double x in z) fourth += x * x * x * x;
        fourth /= n;
        // Standard errors for N(0, 1): mean 1/√n, variance √(2/n), E[z0·z1] 1/√(n/2), E[z⁴] = 3 with se √(96/n).
        string ctx = $"seed {seed}, n {n}: mean {mean:R}, var {variance:R}, cov(z0, z1) {covariance:R}, E[z^4] {fourth:R}";
        Assert.True(Math.Abs(mean) < 6 / Math.Sqrt(n), "normal mean off; " + ctx);
        Assert.True(Math.Abs(variance - 1) < 6 * Math.Sqrt(2.0 / n), "normal variance off; " + ctx);
        Assert.True(Math.Abs(covariance) < 6 / Math.Sqrt(n / 2.0), "z0 and z1 correlated; " + ctx);
        Assert.True(Math.Abs(fourth - 3) < 6 * Math.Sqrt(96.0 / n), "normal kurtosis off; " + ctx);
        Assert.All(z, x => Assert.True(double.IsFinite(x) && Math.Abs(x) < 6.0, $"normal {x:R} not finite or beyond the 5.77 cap; {ctx}"));
    }
}

/// <summary>Draws for envs [0, envs) of one lane type, starting each env at its own counter.</summary>
internal static class LaneDraws<TL> where TL : struct, ILane<TL>
{
    private static LaneRng<TL> Make(uint[] startCounters, int e0, uint k0, uint k1, uint purpose)
    {
        var counters = new uint[TL.Count];
        for (int j = 0; j < TL.Count && e0 + j < startCounters.Length; j++) counters[j] = startCounters[e0 + j];
        return new LaneRng<TL>(KernelAssert.FromBits<TL>(counters), TL.BitsIota((uint)e0), k0, k1, purpose);
    }

    /// <summary>Words [env][block][4], and each env's counter after the draws.</summary>
    public static (uint[] Words, uint[] EndCounters) Bits(uint[] startCounters, int blocks, uint k0, uint k1, uint purpose)
    {
        var end = new uint[startCounters.Length];
        uint[] words = Draws(startCounters, blocks, k0, k1, purpose, 4,
            (ref LaneRng<TL> rng, Span<TL> v) => rng.NextBits(out v[0], out v[1], out v[2], out v[3]), (v, j) => TL.BitsElement(v, j), end);
        return (words, end);
    }

    /// <summary>Uniforms [env][block][4] in [low, high).</summary>
    public static double[] Uniform4(uint[] startCounters, int blocks, uint k0, uint k1, double low, double high) =>
        Draws(startCounters, blocks, k0, k1, LaneRng<TL>.EnvPurpose, 4,
            (ref LaneRng<TL> rng, Span<TL> v) => rng.NextUniform4(TL.Splat(low), TL.Splat(high), out v[0], out v[1], out v[2], out v[3]),
            (v, j) => TL.Element(v, j));

    /// <summary>Normals [env][block][2].</summary>
    public static double[] Normal2(uint[] startCounters, int blocks, uint k0, uint k1) =>
        Draws(startCounters, blocks, k0, k1, LaneRng<TL>.EnvPurpose, 2,
            (ref LaneRng<TL> rng, Span<TL> v) => rng.NextNormal2(out v[0], out v[1]), (v, j) => TL.Element(v, j));

    /// <summary>One draw of <c>values.Length</c> lane values, advancing <paramref name="rng"/>.</summary>
    private delegate void Draw(ref LaneRng<TL> rng, Span<TL> values);

    /// <summary>
    /// <paramref name="blocks"/> draws of <paramref name="perDraw"/> lane values for each group of TL.Count envs (each env
    /// from its own start counter), scattered to [env][block][perDraw] by <paramref name="element"/>; each env's counter
    /// after its draws goes to <paramref name="endCounters"/> when given.
    /// </summary>
    private static TOut[] Draws<TOut>(uint[] startCounters, int blocks, uint k0, uint k1, uint purpose, int perDraw,
        Draw draw, Func<TL, int, TOut> element, uint[]? endCounters = null)
    {
        int envs = startCounters.Length;
        var result = new TOut[envs * blocks * perDraw];
        var values = new TL[perDraw];
        for (int e0 = 0; e0 < envs; e0 += TL.Count)
        {
            var rng = Make(startCounters, e0, k0, k1, purpose);
            for (int b = 0; b < blocks; b++)
            {
                draw(ref rng, values);
                for (int j = 0; j < TL.Count && e0 + j < envs; j++)
                    for (int w = 0; w < perDraw; w++) result[((e0 + j) * blocks + b) * perDraw + w] = element(values[w], j);
            }
            if (endCounters is not null)
                for (int j = 0; j < TL.Count && e0 + j < envs; j++) endCounters[e0 + j] = TL.BitsElement(rng.Counter, j);
        }
        return result;
    }
}

public sealed class LaneRngTests_F1 : LaneRngTests<F1>;
public sealed class LaneRngTests_F4 : LaneRngTests<F4>;
public sealed class LaneRngTests_F8 : LaneRngTests<F8>;
public sealed class LaneRngTests_F16 : LaneRngTests<F16>;
public sealed class LaneRngTests_D1 : LaneRngTests<D1>;
