using System.Runtime.Intrinsics;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;

namespace RlKernels.Tests.Kernels;

/// <summary>
/// The float lanes F1, F4, F8 and F16 (F4/F8/F16 generated from one template) compute the same bits from the
/// same inputs, so an env trajectory cannot depend on the lane width. Only Log differs between F1 (MathF.Log)
/// and the vector lanes (one shared vector algorithm), and the library sin/cos beyond the trig polynomial's
/// range; the vector lanes agree with each other on everything.
/// </summary>
public class CrossWidthLaneTests
{
    private const int Values = 16 * 40;

    private static readonly string[] Ops =
        ["+", "-", "*", "/", "neg", "Sin", "Cos", "SinFar", "Log", "Sqrt", "Abs", "Min", "Max", "Floor", "FlooredMod",
         "Square", "Select<", "Select==", "MaskToOne>=", "NonZero", "BitsToUnit", "BitsToOpenUnit", "Philox"];

    /// <summary>Ops whose F1 result may differ from the vector lanes (library functions, not our shared code).</summary>
    private static readonly string[] VectorOnly = ["Log", "SinFar"];

    /// <summary>Inputs: a, b in ±[1e-3, 10] (some equal), far angles, positive values, small integers, raw bits.</summary>
    private sealed record Inputs(float[] A, float[] B, float[] Far, float[] Positive, float[] Integers, uint[] Bits);

    private static Inputs Make(int seed)
    {
        var rng = new System.Random(seed);
        float R() { float v; do v = (float)(rng.NextDouble() * 20 - 10); while (MathF.Abs(v) < 1e-3f); return v; }
        var a = new float[Values]; var b = new float[Values]; var far = new float[Values];
        var pos = new float[Values]; var ints = new float[Values]; var bits = new uint[Values];
        for (int i = 0; i < Values; i++)
        {
            a[i] = R(); b[i] = rng.Next(5) == 0 ? a[i] : R();
            far[i] = (float)((rng.NextDouble() - 0.5) * 2e6);
            pos[i] = MathF.Abs(R());
            ints[i] = rng.Next(3) - 1;
            bits[i] = (uint)rng.NextInt64(0, 1L << 32);
        }
        return new(a, b, far, pos, ints, bits);
    }

    /// <summary>The raw 32 bits of op applied to every lane value of the inputs, on lane T.</summary>
    private static uint[] Eval<T>(string op, Inputs x) where T : struct, ILane<T>
    {
        var result = new uint[Values * (op == "Philox" ? 4 : 1)];
        var spill = new float[T.Count];
        for (int i = 0; i < Values; i += T.Count)
        {
            T a = T.Load(x.A, i, T.Count), b = T.Load(x.B, i, T.Count);
            T bits = T.BitsSplat(0);
            for (int j = 0; j < T.Count; j++) bits = T.BitsAdd(bits, x.Bits[i + j], Lane<T>(j));
            if (op == "Philox")
            {
                T.Philox(bits, T.BitsIota((uint)i), 3, 4, 0xDEADBEEF, 0x12345678, out T r0, out T r1, out T r2, out T r3);
                for (int j = 0; j < T.Count; j++)
                {
                    result[4 * (i + j)] = T.BitsElement(r0, j); result[4 * (i + j) + 1] = T.BitsElement(r1, j);
                    result[4 * (i + j) + 2] = T.BitsElement(r2, j); result[4 * (i + j) + 3] = T.BitsElement(r3, j);
                }
                continue;
            }
            T r = op switch
            {
                "+" => a + b,
                "-" => a - b,
                "*" => a * b,
                "/" => a / b,
                "neg" => -a,
                "Sin" => T.Sin(a),
                "Cos" => T.Cos(a),
                "SinFar" => T.Sin(T.Load(x.Far, i, T.Count)),
                "Log" => T.Log(T.Load(x.Positive, i, T.Count)),
                "Sqrt" => T.Sqrt(T.Load(x.Positive, i, T.Count)),
                "Abs" => T.Abs(a),
                "Min" => T.Min(a, b),
                "Max" => T.Max(a, b),
                "Floor" => T.Floor(a),
                "FlooredMod" => T.FlooredMod(a, b),
                "Square" => T.Square(a),
                "Select<" => T.Select(T.LessThan(a, b), a, b),
                "Select==" => T.Select(T.Equal(a, b), a, T.Splat(7)),
                "MaskToOne>=" => T.MaskToOne(T.GreaterOrEqual(a, b)),
                "NonZero" => T.MaskToOne(T.NonZero(T.Load(x.Integers, i, T.Count))),
                "BitsToUnit" => T.BitsToUnit(bits),
                "BitsToOpenUnit" => T.BitsToOpenUnit(bits),
                _ => throw new ArgumentException(op),
            };
            T.Store(r, spill, 0, 1, T.Count);
            for (int j = 0; j < T.Count; j++) result[i + j] = BitConverter.SingleToUInt32Bits(spill[j]);
        }
        return result;
    }

    /// <summary>A mask true only at element j.</summary>
    private static T Lane<T>(int j) where T : struct, ILane<T> => T.Equal(T.Load(Iota(T.Count), 0, T.Count), T.Splat(j));

    private static float[] Iota(int n) => Enumerable.Range(0, n).Select(i => (float)i).ToArray();

    public static TheoryData<string> OpNames => new(Ops);

    [Theory]
    [MemberData(nameof(OpNames))]
    public void EveryWidthGivesTheSameBits(string op)
    {
        int seed = KernelAssert.FreshSeed();
        var x = Make(seed);
        uint[] f1 = Eval<F1>(op, x);
        var widths = new List<(string Name, uint[] Bits)>();
        if (LaneSelection.IsAccelerated(4)) widths.Add(("F4", Eval<F4>(op, x)));
        if (LaneSelection.IsAccelerated(8)) widths.Add(("F8", Eval<F8>(op, x)));
        if (LaneSelection.IsAccelerated(16)) widths.Add(("F16", Eval<F16>(op, x)));
        Assert.SkipWhen(widths.Count == 0, "No SIMD width is accelerated here.");
        foreach (var (name, bits) in widths.Skip(1))
            KernelAssert.BitsEqual($"{op}: {name} vs {widths[0].Name}", widths[0].Bits, bits, $"seed {seed}");
        if (!VectorOnly.Contains(op))
            KernelAssert.BitsEqual($"{op}: {widths[0].Name} vs F1", f1, widths[0].Bits, $"seed {seed}");
    }

    /// <summary>
    /// Philox's multiply on every accelerated width (each width's own even-element instruction) and F4's portable
    /// branch (what a platform with neither SSE2 nor NEON runs), against 64-bit products.
    /// </summary>
    [Fact]
    public void MultiplyHighWordsMatchUlongProducts()
    {
        int seed = KernelAssert.FreshSeed();
        var rng = new System.Random(seed);
        foreach (uint m in new[] { Philox4x32.M0, Philox4x32.M1, 0xFFFFFFFFu, 1u, 0u })
            for (int trial = 0; trial < 64; trial++)
            {
                var a = new uint[16];
                for (int j = 0; j < 16; j++) a[j] = trial < 2 ? (trial == 0 ? 0u : 0xFFFFFFFFu) : (uint)rng.NextInt64(0, 1L << 32);
                var expected = a.Select(x => (uint)(((ulong)x * m) >> 32)).ToArray();
                string context = $"m = {m:x8}, seed {seed}";
                var v4 = Vector128.Create(a.AsSpan(0, 4));
                var even = F4.MulEvenPortable(v4, Vector128.Create(m));
                Assert.True((ulong)a[0] * m == even.GetElement(0) && (ulong)a[2] * m == even.GetElement(1), $"MulEvenPortable; {context}");
                if (LaneSelection.IsAccelerated(4)) KernelAssert.BitsEqual("F4.MulHi", expected.AsSpan(0, 4), Words(F4.MulHi(v4, m)), context);
                if (LaneSelection.IsAccelerated(8)) KernelAssert.BitsEqual("F8.MulHi", expected.AsSpan(0, 8), Words(F8.MulHi(Vector256.Create(a.AsSpan(0, 8)), m)), context);
                if (LaneSelection.IsAccelerated(16)) KernelAssert.BitsEqual("F16.MulHi", expected, Words(F16.MulHi(Vector512.Create(a.AsSpan()), m)), context);
            }
    }

    private static uint[] Words(Vector128<uint> v) { var w = new uint[4]; v.CopyTo(w); return w; }
    private static uint[] Words(Vector256<uint> v) { var w = new uint[8]; v.CopyTo(w); return w; }
    private static uint[] Words(Vector512<uint> v) { var w = new uint[16]; v.CopyTo(w); return w; }
}
