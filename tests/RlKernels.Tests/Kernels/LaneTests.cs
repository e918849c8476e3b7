using RlKernels.Kernels.Lanes;

namespace RlKernels.Tests.Kernels;

/// <summary>
/// Every <see cref="ILane{TSelf}"/> member, written once over T: math against a plain double reference,
/// masks against bool logic, bits against uint arithmetic, memory against index arithmetic.
/// </summary>
public abstract class LaneTests<T> where T : struct, ILane<T>
{
    private const int Trials = 64;

    /// <summary>Float tolerance for correctly rounded operations (2^-23, twice half an ulp).</summary>
    private static double RoundedRtol => T.IsDouble ? 0 : 1.0 / (1 << 23);
    /// <summary>Tolerance for transcendental functions (vector Sin/Cos/Log are not correctly rounded).</summary>
    private static double MathTol => T.IsDouble ? 1e-15 : 1e-6;

    /// <summary>Fresh random floats in ±[1e-3, 10]: never zero, so division and logarithm stay defined.</summary>
    private static float[] NonZeroInputs(System.Random rng, int n)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            float v;
            do v = (float)(rng.NextDouble() * 20 - 10); while (MathF.Abs(v) < 1e-3f);
            x[i] = v;
        }
        return x;
    }

    private static double[] Apply(float[] a, Func<T, T> op)
    {
        var r = new double[a.Length];
        for (int i = 0; i < a.Length; i += T.Count)
        {
            T v = op(T.Load(a, i, T.Count));
            for (int j = 0; j < T.Count; j++) r[i + j] = T.Element(v, j);
        }
        return r;
    }

    private static double[] Apply(float[] a, float[] b, Func<T, T, T> op)
    {
        var r = new double[a.Length];
        for (int i = 0; i < a.Length; i += T.Count)
        {
            T v = op(T.Load(a, i, T.Count), T.Load(b, i, T.Count));
            for (int j = 0; j < T.Count; j++) r[i + j] = T.Element(v, j);
        }
        return r;
    }

    private static double[] Reference(float[] a, Func<double, double> op) => a.Select(x => op(x)).ToArray();
    private static double[] Reference(float[] a, float[] b, Func<double, double, double> op) =>
        a.Zip(b, (x, y) => op(x, y)).ToArray();

    private static void Check(string op, double[] expected, double[] actual, double atol, double rtol, int seed, float[] a, float[]? b = null) =>
        KernelAssert.AllClose($"{typeof(T).Name}.{op}", expected, actual, atol, rtol, $"seed {seed}",
            i => b is null ? $"(x = {a[i]:R})" : $"(a = {a[i]:R}, b = {b[i]:R})");

    [Fact]
    public void ShapeAndSplat()
    {
        KernelAssert.SkipUnlessSupported<T>();
        Assert.True(T.Count is 1 or 4 or 8 or 16);
        Assert.Equal(typeof(T) == typeof(D1), T.IsDouble);
        double x = 0.1;
        double expected = T.IsDouble ? x : (float)x;
        Assert.All(KernelAssert.Elements(T.Splat(x)), e => Assert.Equal(expected, e));
    }

    /// <summary>Splat of a <see cref="LaneConstant"/> is bit for bit Splat of its double, on fresh random doubles that do not
    /// round exactly to float and on edge values (ties, overflow to infinity, subnormals, NaN, signed zero).</summary>
    [Fact]
    public void SplatOfALaneConstantIsSplatOfItsDouble()
    {
        KernelAssert.SkipUnlessSupported<T>();
        int seed = Environment.TickCount;
        var rng = new System.Random(seed);
        var values = new List<double> { 0.1, -0.0, 0.0, 1 + Math.Pow(2, -24), 1 + 3 * Math.Pow(2, -24), 3.5e38, -1e39, 1e-40, 1e-46,
            double.NaN, double.PositiveInfinity, 4 * Math.PI, 12 * 2 * Math.PI / 360 };
        for (int i = 0; i < Trials; i++) values.Add((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-12, 12)));
        foreach (double x in values)
        {
            LaneConstant c = x;
            Assert.Equal(BitConverter.DoubleToInt64Bits(x), BitConverter.DoubleToInt64Bits(c.Value));
            double[] fromDouble = KernelAssert.Elements(T.Splat(x)).ToArray(), fromConstant = KernelAssert.Elements(T.Splat(c)).ToArray();
            for (int j = 0; j < T.Count; j++)
                Assert.True(BitConverter.DoubleToInt64Bits(fromDouble[j]) == BitConverter.DoubleToInt64Bits(fromConstant[j]),
                    $"{typeof(T).Name}: Splat({x:R}) = {fromDouble[j]:R}, Splat(LaneConstant) = {fromConstant[j]:R} (seed {seed}).");
        }
    }

    [Fact]
    public void ArithmeticMatchesDouble()
    {
        var (seed, rng) = KernelAssert.FreshRandom<T>();
        float[] a = NonZeroInputs(rng, Trials * T.Count), b = NonZeroInputs(rng, Trials * T.Count);
        double tol = RoundedRtol;
        Check("+", Reference(a, b, (x, y) => x + y), Apply(a, b, (x, y) => x + y), 0, tol, seed, a, b);
        Check("-", Reference(a, b, (x, y) => x - y), Apply(a, b, (x, y) => x - y), 0, tol, seed, a, b);
        Check("*", Reference(a, b, (x, y) => x * y), Apply(a, b, (x, y) => x * y), 0, tol, seed, a, b);
        Check("/", Reference(a, b, (x, y) => x / y), Apply(a, b, (x, y) => x / y), 0, tol, seed, a, b);
        Check("unary -", Reference(a, x => -x), Apply(a, x => -x), 0, 0, seed, a);
    }

    [Fact]
    public void MathFunctionsMatchDouble()
    {
        var (seed, rng) = KernelAssert.FreshRandom<T>();
        float[] a = NonZeroInputs(rng, Trials * T.Count), b = NonZeroInputs(rng, Trials * T.Count);
        float[] positive = a.Select(MathF.Abs).ToArray();
        Check("Sin", Reference(a, Math.Sin), Apply(a, T.Sin), MathTol, MathTol, seed, a);
        Check("Cos", Reference(a, Math.Cos), Apply(a, T.Cos), MathTol, MathTol, seed, a);
        Check("Log", Reference(positive, Math.Log), Apply(positive, T.Log), MathTol, MathTol, seed, positive);
        Check("Sqrt", Reference(positive, Math.Sqrt), Apply(positive, T.Sqrt), 0, RoundedRtol, seed, positive);
        Check("Abs", Reference(a, Math.Abs), Apply(a, T.Abs), 0, 0, seed, a);
        Check("Floor", Reference(a, Math.Floor), Apply(a, T.Floor), 0, 0, seed, a);
        Check("Min", Reference(a, b, Math.Min), Apply(a, b, T.Min), 0, 0, seed, a, b);
        Check("Max", Reference(a, b, Math.Max), Apply(a, b, T.Max), 0, 0, seed, a, b);
        // Floor of exact integers and of values just below them.
        float[] edges = Enumerable.Range(0, T.Count).Select(j => (j % 4) switch
        {
            0 => (float)(j - 8),
            1 => MathF.BitDecrement(j - 8),
            2 => MathF.BitIncrement(j - 8),
            _ => -0.5f - j,
        }).ToArray();
        Check("Floor (edges)", Reference(edges, Math.Floor), Apply(edges, T.Floor), 0, 0, seed, edges);
    }

    /// <summary>Pairs where about a fifth of the elements are equal, so every comparison sees all three outcomes.</summary>
    private static (float[] A, float[] B) ComparisonInputs(System.Random rng)
    {
        float[] a = NonZeroInputs(rng, Trials * T.Count), b = NonZeroInputs(rng, Trials * T.Count);
        for (int i = 0; i < a.Length; i++) if (rng.Next(5) == 0) b[i] = a[i];
        return (a, b);
    }

    private static void CheckMask(string what, T mask, Func<int, bool> expected, string context)
    {
        ulong bits = T.MaskBits(mask);
        double[] ones = KernelAssert.Elements(T.MaskToOne(mask));
        var bytes = new byte[T.Count + 2];
        Array.Fill(bytes, (byte)0xAB);
        T.StoreMask(mask, bytes, 1, T.Count);
        bool any = false;
        for (int j = 0; j < T.Count; j++)
        {
            bool e = expected(j);
            any |= e;
            string where = $"{typeof(T).Name} {what}, element {j}, expected {e}; {context}";
            Assert.True(((bits >> j) & 1) == (e ? 1ul : 0ul), "MaskBits wrong: " + where);
            Assert.True(ones[j] == (e ? 1.0 : 0.0), $"MaskToOne gave {ones[j]}: " + where);
            Assert.True(bytes[1 + j] == (e ? 1 : 0), $"StoreMask gave {bytes[1 + j]}: " + where);
        }
        Assert.True(bits >> T.Count == 0, $"MaskBits sets bits beyond Count: 0x{bits:x}; {what}; {context}");
        Assert.True(bytes[0] == 0xAB && bytes[^1] == 0xAB, $"StoreMask wrote outside [start, start+count); {what}; {context}");
        Assert.True(T.AnyTrue(mask) == any, $"{typeof(T).Name} AnyTrue {T.AnyTrue(mask)} for {what}, expected {any}; {context}");
    }

    /// <summary>Min and Max are a &lt; b ? a : b and a &gt; b ? a : b on every lane, at NaN, signed zeros and infinities too,
    /// so a clip gives the same bits whatever the lane width.</summary>
    [Fact]
    public void MinMaxFollowTheScalarDefinitionAtEdgeValues()
    {
        float[] edges = [float.NaN, -0f, 0f, float.PositiveInfinity, float.NegativeInfinity, 1f, -1f, float.Epsilon];
        int n = edges.Length * edges.Length;
        int padded = (n + T.Count - 1) / T.Count * T.Count;
        var a = new float[padded];
        var b = new float[padded];
        for (int i = 0; i < n; i++) (a[i], b[i]) = (edges[i / edges.Length], edges[i % edges.Length]);
        double[] min = Apply(a, b, T.Min), max = Apply(a, b, T.Max);
        for (int i = 0; i < n; i++)
        {
            float x = a[i], y = b[i];
            float expectedMin = x < y ? x : y, expectedMax = x > y ? x : y;
            Assert.True(BitConverter.DoubleToInt64Bits(expectedMin) == BitConverter.DoubleToInt64Bits(min[i]),
                $"{typeof(T).Name}.Min({x:R}, {y:R}) = {min[i]:R}, expected {expectedMin:R}");
            Assert.True(BitConverter.DoubleToInt64Bits(expectedMax) == BitConverter.DoubleToInt64Bits(max[i]),
                $"{typeof(T).Name}.Max({x:R}, {y:R}) = {max[i]:R}, expected {expectedMax:R}");
        }
    }

    [Fact]
    public void ComparisonsAndMaskLogic()
    {
        var (seed, rng) = KernelAssert.FreshRandom<T>();
        var (a, b) = ComparisonInputs(rng);
        for (int i = 0; i < a.Length; i += T.Count)
        {
            T va = T.Load(a, i, T.Count), vb = T.Load(b, i, T.Count);
            string ctx = $"seed {seed}, a[{i}..] = [{string.Join(", ", a.Skip(i).Take(T.Count))}], b = [{string.Join(", ", b.Skip(i).Take(T.Count))}]";
            float A(int j) => a[i + j];
            float B(int j) => b[i + j];
            T lt = T.LessThan(va, vb), le = T.LessOrEqual(va, vb), gt = T.GreaterThan(va, vb);
            T ge = T.GreaterOrEqual(va, vb), eq = T.Equal(va, vb);
            CheckMask("LessThan", lt, j => A(j) < B(j), ctx);
            CheckMask("LessOrEqual", le, j => A(j) <= B(j), ctx);
            CheckMask("GreaterThan", gt, j => A(j) > B(j), ctx);
            CheckMask("GreaterOrEqual", ge, j => A(j) >= B(j), ctx);
            CheckMask("Equal", eq, j => A(j) == B(j), ctx);
            // Logic over masks, including masks made by other mask operations.
            T pos = T.GreaterThan(va, T.Splat(0));
            CheckMask("And(lt, a > 0)", T.And(lt, pos), j => A(j) < B(j) && A(j) > 0, ctx);
            CheckMask("Or(eq, a > 0)", T.Or(eq, pos), j => A(j) == B(j) || A(j) > 0, ctx);
            CheckMask("AndNot(le, eq)", T.AndNot(le, eq), j => A(j) <= B(j) && A(j) != B(j), ctx);
            CheckMask("AndNot(a > 0, Or(lt, eq))", T.AndNot(pos, T.Or(lt, eq)), j => A(j) > 0 && !(A(j) <= B(j)), ctx);
            CheckMask("And(TrueMask, gt)", T.And(T.TrueMask, gt), j => A(j) > B(j), ctx);
            CheckMask("Or(FalseMask, ge)", T.Or(T.FalseMask, ge), j => A(j) >= B(j), ctx);
            CheckMask("AndNot(TrueMask, lt)", T.AndNot(T.TrueMask, lt), j => !(A(j) < B(j)), ctx);
            // Select picks per element.
            T sel = T.Select(lt, va, vb);
            T selNested = T.Select(T.Or(eq, pos), T.Splat(7), -vb);
            for (int j = 0; j < T.Count; j++)
            {
                Assert.True(T.Element(sel, j) == (A(j) < B(j) ? A(j) : B(j)), $"{typeof(T).Name} Select(lt) element {j}; {ctx}");
                Assert.True(T.Element(selNested, j) == (A(j) == B(j) || A(j) > 0 ? 7.0 : -B(j)), $"{typeof(T).Name} Select(or) element {j}; {ctx}");
            }
        }
    }

    [Fact]
    public void TrueAndFalseMasks()
    {
        KernelAssert.SkipUnlessSupported<T>();
        CheckMask("TrueMask", T.TrueMask, _ => true, "");
        CheckMask("FalseMask", T.FalseMask, _ => false, "");
        CheckMask("And(TrueMask, FalseMask)", T.And(T.TrueMask, T.FalseMask), _ => false, "");
        CheckMask("Or(TrueMask, FalseMask)", T.Or(T.TrueMask, T.FalseMask), _ => true, "");
        CheckMask("AndNot(TrueMask, TrueMask)", T.AndNot(T.TrueMask, T.TrueMask), _ => false, "");
        Assert.Equal((1ul << T.Count) - 1, T.MaskBits(T.TrueMask));
        Assert.Equal(0ul, T.MaskBits(T.FalseMask));
        T x = T.Splat(3), y = T.Splat(-4);
        Assert.All(KernelAssert.Elements(T.Select(T.TrueMask, x, y)), e => Assert.Equal(3.0, e));
        Assert.All(KernelAssert.Elements(T.Select(T.FalseMask, x, y)), e => Assert.Equal(-4.0, e));
    }

    [Fact]
    public void NonZeroOnActionsAndSignedZero()
    {
        var (seed, rng) = KernelAssert.FreshRandom<T>();
        var v = new float[T.Count];
        for (int trial = 0; trial < Trials; trial++)
        {
            for (int j = 0; j < T.Count; j++)
                v[j] = rng.Next(5) switch { 0 => 0f, 1 => -0f, 2 => 1f, 3 => 2f, _ => -1.5f };
            float[] copy = (float[])v.Clone();
            CheckMask("NonZero", T.NonZero(T.Load(copy, 0, T.Count)), j => copy[j] != 0f,
                $"seed {seed}, values [{string.Join(", ", copy)}]");
        }
    }

    [Fact]
    public void BitsIotaSplatAndMaskedAdd()
    {
        var (seed, rng) = KernelAssert.FreshRandom<T>();
        uint[] firsts = [0u, 1u, 0x7f800000u, 0x7fc00001u, 0x7f800001u, uint.MaxValue - 3, uint.MaxValue, (uint)rng.NextInt64(0, 1L << 32)];
        foreach (uint first in firsts)
        {
            var iota = KernelAssert.Bits(T.BitsIota(first));
            var expected = Enumerable.Range(0, T.Count).Select(j => unchecked(first + (uint)j)).ToArray();
            KernelAssert.BitsEqual($"{typeof(T).Name}.BitsIota(0x{first:x8})", expected, iota);
            // NaN and signalling-NaN patterns must survive as raw bits.
            var splat = KernelAssert.Bits(T.BitsSplat(first));
            KernelAssert.BitsEqual($"{typeof(T).Name}.BitsSplat(0x{first:x8})", Enumerable.Repeat(first, T.Count).ToArray(), splat);
        }

        var words = new uint[T.Count];
        var sel = new float[T.Count];
        for (int trial = 0; trial < Trials; trial++)
        {
            for (int j = 0; j < T.Count; j++)
            {
                words[j] = trial % 4 == 0 ? uint.MaxValue - (uint)rng.Next(3) : (uint)rng.NextInt64(0, 1L << 32);
                sel[j] = rng.Next(2) == 0 ? 1f : -1f;
            }
            uint inc = trial % 3 == 0 ? uint.MaxValue : (uint)rng.NextInt64(0, 1L << 32);
            T mask = T.GreaterThan(T.Load(sel, 0, T.Count), T.Splat(0));
            T bits = KernelAssert.FromBits<T>(words);
            var expected = new uint[T.Count];
            for (int j = 0; j < T.Count; j++) expected[j] = sel[j] > 0 ? unchecked(words[j] + inc) : words[j];
            string ctx = $"seed {seed}, trial {trial}, increment 0x{inc:x8}";
            KernelAssert.BitsEqual($"{typeof(T).Name}.BitsAdd (masked)", expected, KernelAssert.Bits(T.BitsAdd(bits, inc, mask)), ctx,
                j => $"(bits 0x{words[j]:x8}, mask {sel[j] > 0})");
            KernelAssert.BitsEqual($"{typeof(T).Name}.BitsAdd (TrueMask)", words.Select(w => unchecked(w + inc)).ToArray(),
                KernelAssert.Bits(T.BitsAdd(bits, inc, T.TrueMask)), ctx);
            KernelAssert.BitsEqual($"{typeof(T).Name}.BitsAdd (FalseMask)", words, KernelAssert.Bits(T.BitsAdd(bits, inc, T.FalseMask)), ctx);
        }
    }

    [Fact]
    public void LoadPadsPartialCountsWithZeros()
    {
        var (seed, rng) = KernelAssert.FreshRandom<T>();
        for (int count = 0; count <= T.Count; count++)
        {
            foreach (int start in new[] { 0, 3 })
            {
                // The source ends exactly at start + count, so a load that reads past count throws.
                float[] src = NonZeroInputs(rng, start + count);
                double[] srcD = src.Select(x => (double)x + 1e-9 * x).ToArray();
                T vf = T.Load(src, start, count);
                T vd = T.Load(srcD, start, count);
                for (int j = 0; j < T.Count; j++)
                {
                    string where = $"{typeof(T).Name}.Load count {count}, start {start}, element {j}, seed {seed}";
                    double ef = j < count ? src[start + j] : 0.0;
                    double ed = j < count ? (T.IsDouble ? srcD[start + j] : (float)srcD[start + j]) : 0.0;
                    Assert.True(T.Element(vf, j) == ef, $"float source: got {T.Element(vf, j):R}, expected {ef:R}; {where}");
                    Assert.True(T.Element(vd, j) == ed, $"double source: got {T.Element(vd, j):R}, expected {ed:R}; {where}");
                }
            }
        }
    }

    [Fact]
    public void StoreTouchesOnlyCountElements()
    {
        var (seed, rng) = KernelAssert.FreshRandom<T>();
        var values = new double[T.Count];
        for (int j = 0; j < T.Count; j++) values[j] = rng.NextDouble() * 20 - 10 + 1e-9;
        T v = T.Load(values, 0, T.Count);
        double[] elements = KernelAssert.Elements(v);
        for (int count = 0; count <= T.Count; count++)
        {
            foreach (int start in new[] { 0, 2 })
            {
                foreach (int stride in new[] { 1, 2, 3 })
                {
                    string where = $"{typeof(T).Name}.Store(float) count {count}, start {start}, stride {stride}, seed {seed}";
                    // Poisoned with NaN, with room past the last element so a stray write shows.
                    int used = count == 0 ? start : start + (count - 1) * stride + 1;
                    var dst = new float[used + 2 * T.Count * stride + 3];
                    Array.Fill(dst, float.NaN);
                    T.Store(v, dst, start, stride, count);
                    for (int i = 0; i < dst.Length; i++)
                    {
                        int offset = i - start;
                        bool written = offset >= 0 && offset % stride == 0 && offset / stride < count;
                        if (written)
                            Assert.True(dst[i] == (float)elements[offset / stride], $"dst[{i}] = {dst[i]:R}, expected {(float)elements[offset / stride]:R}; {where}");
                        else
                            Assert.True(float.IsNaN(dst[i]), $"dst[{i}] = {dst[i]:R} was overwritten; {where}");
                    }
                    // A destination that ends exactly at the last element: a store that writes further throws.
                    var tight = new float[used];
                    T.Store(v, tight, start, stride, count);
                }

                string whereD = $"{typeof(T).Name}.Store(double) count {count}, start {start}, seed {seed}";
                var dstD = new double[start + T.Count + 3];
                Array.Fill(dstD, double.NaN);
                T.Store(v, dstD, start, count);
                for (int i = 0; i < dstD.Length; i++)
                {
                    int offset = i - start;
                    if (offset >= 0 && offset < count)
                        Assert.True(dstD[i] == elements[offset], $"dst[{i}] = {dstD[i]:R}, expected {elements[offset]:R}; {whereD}");
                    else
                        Assert.True(double.IsNaN(dstD[i]), $"dst[{i}] = {dstD[i]:R} was overwritten; {whereD}");
                }
                T.Store(v, new double[start + count], start, count);

                string whereM = $"{typeof(T).Name}.StoreMask count {count}, start {start}, seed {seed}";
                T mask = T.GreaterThan(v, T.Splat(0));
                var bytes = new byte[start + T.Count + 3];
                Array.Fill(bytes, (byte)0xAB);
                T.StoreMask(mask, bytes, start, count);
                for (int i = 0; i < bytes.Length; i++)
                {
                    int offset = i - start;
                    if (offset >= 0 && offset < count)
                        Assert.True(bytes[i] == (elements[offset] > 0 ? 1 : 0), $"bytes[{i}] = {bytes[i]}, element {elements[offset]:R}; {whereM}");
                    else
                        Assert.True(bytes[i] == 0xAB, $"bytes[{i}] = {bytes[i]} was overwritten; {whereM}");
                }
                T.StoreMask(mask, new byte[start + count], start, count);
            }
        }
    }

    [Fact]
    public void StoreOutOfRangeThrowsWithoutWriting()
    {
        KernelAssert.SkipUnlessSupported<T>();
        T v = T.Splat(1.5);
        var big = new float[8 + 4 * T.Count + 8];
        // (start, stride, count) relative to a window of big that begins at 8 and is 2·Count long.
        (int Start, int Stride, int Count)[] cases =
        [
            (-1, 1, T.Count), (-1, 1, Math.Max(1, T.Count - 1)), (-3, 2, T.Count),
            (2 * T.Count, 1, 1), (T.Count + 1, 1, T.Count), (2, 2, T.Count), (T.Count + 1, 3, T.Count),
        ];
        // start + (count − 1)·stride wraps around to 0 (4·2^30 = 2^32), so both ends look in range
        // (wide lanes only: a 1-wide store never uses stride).
        if (T.Count > 4) cases = [.. cases, (0, 1 << 30, 5)];
        foreach (var (start, stride, count) in cases)
        {
            Array.Fill(big, float.NaN);
            Exception? thrown = null;
            try
            {
                T.Store(v, big.AsSpan(8, 2 * T.Count), start, stride, count);
            }
            catch (Exception e)
            {
                thrown = e;
            }
            string where = $"{typeof(T).Name}.Store start {start}, stride {stride}, count {count} into a window of {2 * T.Count}";
            Assert.True(thrown is IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException,
                $"expected an out-of-range exception, got {thrown?.GetType().Name ?? "none"}; {where}");
            for (int i = 0; i < 8; i++) Assert.True(float.IsNaN(big[i]), $"wrote big[{i}] before the window; {where}");
            for (int i = 8 + 2 * T.Count; i < big.Length; i++) Assert.True(float.IsNaN(big[i]), $"wrote big[{i}] after the window; {where}");
        }
    }

    [Fact]
    public void StoreRoundsToFloat()
    {
        KernelAssert.SkipUnlessSupported<T>();
        T v = T.Splat(0.1);
        var f = new float[T.Count];
        T.Store(v, f, 0, 1, T.Count);
        Assert.All(f, x => Assert.Equal(0.1f, x));
        var d = new double[T.Count];
        T.Store(v, d, 0, T.Count);
        Assert.All(d, x => Assert.Equal(T.IsDouble ? 0.1 : (double)0.1f, x));
    }
}

public sealed class LaneTests_F1 : LaneTests<F1>;
public sealed class LaneTests_F4 : LaneTests<F4>;
public sealed class LaneTests_F8 : LaneTests<F8>;
public sealed class LaneTests_F16 : LaneTests<F16>;
public sealed class LaneTests_D1 : LaneTests<D1>;
