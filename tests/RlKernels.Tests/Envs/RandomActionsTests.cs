using RlKernels.Envs.Runner;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;

namespace RlKernels.Tests.Envs;

/// <summary>
/// <see cref="RandomActions"/> (StepRandom's actions): every lane width computes the documented definition (a reference
/// written here from scalar Philox blocks and integer arithmetic), and the actions are uniform and independent from step to step.
/// </summary>
public class RandomActionsTests
{
    private const uint Key0 = 0x0BADF00D, Key1 = 0x5EED1234;

    private static StepSettings Settings(bool discrete, int n, float low = 0, float high = 0) => new()
    {
        Key0 = Key0,
        Key1 = Key1,
        ActionIsDiscrete = discrete,
        ActionCount = discrete ? n : 1,
        ActionLow = low,
        ActionHigh = high,
        ActionBitsLog2 = RandomActions.FieldBitsLog2(discrete, discrete ? n : 1),
    };

    /// <summary>The definition in plain integer arithmetic: bits per action, block, word and shift, then the mapping.</summary>
    private static double Reference(in StepSettings st, uint env, uint step)
    {
        int n = st.ActionCount;
        bool pow2 = st.ActionIsDiscrete && (n & (n - 1)) == 0;
        int bits = !st.ActionIsDiscrete ? 32
            : pow2 ? (n <= 2 ? 1 : n <= 4 ? 2 : n <= 16 ? 4 : n <= 256 ? 8 : n <= 65536 ? 16 : 32)
            : n < 256 ? 16 : 32;
        uint perBlock = (uint)(128 / bits), perWord = (uint)(32 / bits);
        Philox4x32.Block(step / perBlock, env, LaneRng<F1>.ActionPurpose, 0, Key0, Key1, out uint w0, out uint w1, out uint w2, out uint w3);
        uint inBlock = step % perBlock;
        uint word = (inBlock / perWord) switch { 0 => w0, 1 => w1, 2 => w2, _ => w3 };
        if (bits < 32)
        {
            uint field = (word >> (int)(inBlock % perWord * (uint)bits)) & (uint)((1L << bits) - 1);
            return pow2 ? field & (uint)(n - 1) : field * (ulong)n >> 16;
        }
        float unit = Philox4x32.ToUnit(word);
        if (st.ActionIsDiscrete) return Math.Min(MathF.Floor(unit * n), n - 1);
        return st.ActionLow + (st.ActionHigh - st.ActionLow) * unit;
    }

    public static TheoryData<bool, int> Spaces => new()
    {
        { true, 1 }, { true, 2 }, { true, 3 }, { true, 4 }, { true, 5 }, { true, 6 }, { true, 8 }, { true, 16 }, { true, 32 },
        { true, 100 }, { true, 255 }, { true, 256 }, { true, 257 }, { true, 1000 }, { true, 65536 }, { true, 131072 },
        { false, 1 },
    };

    [Theory]
    [MemberData(nameof(Spaces))]
    public void EveryLaneWidthComputesTheDefinition(bool discrete, int n)
    {
        var st = Settings(discrete, n, -2f, 1.5f);
        const int envs = 40;
        const uint steps = 300;
        Check<F1>();
        Check<D1>();
        if (LaneSelection.IsAccelerated(4)) Check<F4>();
        if (LaneSelection.IsAccelerated(8)) Check<F8>();
        if (LaneSelection.IsAccelerated(16)) Check<F16>();

        void Check<T>() where T : struct, ILane<T>
        {
            for (int first = 0; first < envs; first += T.Count)
            {
                T envIndex = T.BitsIota((uint)first);
                T w0 = default, w1 = default, w2 = default, w3 = default;
                // Starting mid-block (step 5) as a call may: the first step draws its block whatever its position.
                for (uint step = 5; step < steps; step++)
                {
                    if (step == 5 || RandomActions.StartsBlock(step, st)) RandomActions.Block(envIndex, step, st, out w0, out w1, out w2, out w3);
                    T fromBlock = RandomActions.FromBlock(step, w0, w1, w2, w3, st);
                    T alone = RandomActions.Of(envIndex, step, st);
                    for (int j = 0; j < T.Count; j++)
                    {
                        double expected = Reference(st, (uint)(first + j), step);
                        // Box actions: float arithmetic on float lanes, double on double lanes.
                        double tolerance = discrete ? 0 : 1e-6;
                        Assert.True(Math.Abs(T.Element(fromBlock, j) - expected) <= tolerance,
                            $"{typeof(T).Name}, {(discrete ? $"Discrete({n})" : "Box")}, env {first + j}, step {step}: {T.Element(fromBlock, j)} vs {expected}");
                        Assert.Equal(T.Element(fromBlock, j), T.Element(alone, j));
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(7)]
    public void DiscreteActionsAreUniformAndIndependentFromStepToStep(int n)
    {
        var st = Settings(true, n);
        const int envs = 64;
        const uint steps = 2048;
        var counts = new long[n];
        var pairs = new long[n * n];
        for (uint env = 0; env < envs; env++)
        {
            int previous = -1;
            for (uint step = 0; step < steps; step++)
            {
                double a = T1(RandomActions.Of(F1.BitsSplat(env), step, st));
                Assert.True(a >= 0 && a < n && a == Math.Floor(a), $"action {a} outside Discrete({n})");
                counts[(int)a]++;
                if (previous >= 0) pairs[previous * n + (int)a]++;
                previous = (int)a;
            }
        }
        // Pearson's chi-square against uniform. The thresholds lie far in the tail (p < 1e-6 for these degrees of
        // freedom), and the draws are fixed by the key, so the test cannot flake; a bit reused from step to step, or
        // a field that skews the mapping, puts the statistic in the thousands.
        Assert.True(ChiSquare(counts) < 40, $"actions not uniform: {string.Join(", ", counts)} (χ² {ChiSquare(counts):F1})");
        Assert.True(ChiSquare(pairs) < 40 + 4 * n * n, $"consecutive actions not independent: χ² {ChiSquare(pairs):F1} over {n * n} cells");

        static double T1(F1 x) => F1.Element(x, 0);
    }

    [Fact]
    public void BoxActionsStayWithinTheBounds()
    {
        var st = Settings(false, 1, -2f, 2f);
        double min = double.MaxValue, max = double.MinValue;
        for (uint env = 0; env < 16; env++)
            for (uint step = 0; step < 4096; step++)
            {
                double a = F1.Element(RandomActions.Of(F1.BitsSplat(env), step, st), 0);
                Assert.InRange(a, -2.0, 2.0);
                min = Math.Min(min, a);
                max = Math.Max(max, a);
            }
        Assert.True(min < -1.99 && max > 1.99, $"Box draws cover [{min}, {max}] only");
    }

    [Fact]
    public void BitsPerActionFollowTheActionSpace()
    {
        Assert.Equal(0, RandomActions.FieldBitsLog2(true, 2));   // CartPole: one bit, 128 steps per block
        Assert.Equal(1, RandomActions.FieldBitsLog2(true, 4));   // FrozenLake, CliffWalking
        Assert.Equal(4, RandomActions.FieldBitsLog2(true, 3));   // MountainCar, Acrobot: 16-bit fields
        Assert.Equal(4, RandomActions.FieldBitsLog2(true, 6));   // Taxi
        Assert.Equal(5, RandomActions.FieldBitsLog2(true, 300)); // whole words
        Assert.Equal(5, RandomActions.FieldBitsLog2(false, 1));  // Box
    }

    private static double ChiSquare(long[] counts)
    {
        double total = counts.Sum(), expected = total / counts.Length, chi = 0;
        foreach (long c in counts) chi += (c - expected) * (c - expected) / expected;
        return chi;
    }
}
