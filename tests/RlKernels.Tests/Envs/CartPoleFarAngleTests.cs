using RlKernels.Envs;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;
using RlKernels.Tests.Kernels;

namespace RlKernels.Tests.Envs;

/// <summary>
/// CartPole's step takes angles beyond the float lanes' trig polynomial (|θ| &gt; <see cref="LaneTrig.ReductionLimit"/>)
/// through an out-of-line copy of itself (<c>StepFar</c>), so that its hot path holds no call. These check that path on
/// lane values that mix near and far angles: every element against the float64 step (library sin/cos), and every
/// vector width bit for bit against the others. With the far path dropped, the polynomial's reduction gives sin and cos
/// of the wrong angle there and the first check fails.
/// </summary>
public class CartPoleFarAngleTests
{
    private const int Count = 16 * 8;

    /// <summary>States [4, Count] (x, ẋ, θ, θ̇): one element in three with |θ| in [1e5, 1e7], the rest |θ| ≤ 0.2; actions 0/1.</summary>
    private static (float[][] State, float[] Actions) Make(int seed)
    {
        var rng = new System.Random(seed);
        var state = new float[4][];
        for (int f = 0; f < 4; f++) state[f] = new float[Count];
        var actions = new float[Count];
        for (int i = 0; i < Count; i++)
        {
            state[0][i] = (float)(rng.NextDouble() * 4 - 2);
            state[1][i] = (float)(rng.NextDouble() * 2 - 1);
            double sign = rng.Next(2) == 0 ? -1 : 1;
            state[2][i] = (float)(i % 3 == 0 ? sign * Math.Pow(10, 5 + 2 * rng.NextDouble()) : rng.NextDouble() * 0.4 - 0.2);
            state[3][i] = (float)(rng.NextDouble() * 4 - 2);
            actions[i] = rng.Next(2);
        }
        return (state, actions);
    }

    /// <summary>One step of every element on lane T: next states [4, Count] (float bits), rewards and terminations [Count].</summary>
    private static (uint[][] Next, double[] Reward, double[] Terminated) Step<T>(float[][] state, float[] actions) where T : struct, ILane<T>
    {
        var next = new uint[4][];
        for (int f = 0; f < 4; f++) next[f] = new uint[Count];
        var reward = new double[Count];
        var terminated = new double[Count];
        var p = new CartPoleParams();
        for (int i = 0; i < Count; i += T.Count)
        {
            var s = new CartPole<T>
            {
                X = T.Load(state[0], i, T.Count), XDot = T.Load(state[1], i, T.Count),
                Theta = T.Load(state[2], i, T.Count), ThetaDot = T.Load(state[3], i, T.Count),
            };
            var rng = new LaneRng<T>(T.Splat(0), T.Splat(0), 1, 2, LaneRng<T>.EnvPurpose);
            CartPole<T>.Step(ref s, p, T.Load(actions, i, T.Count), ref rng, out T r, out T t);
            T[] fields = [s.X, s.XDot, s.Theta, s.ThetaDot];
            for (int j = 0; j < T.Count; j++)
            {
                for (int f = 0; f < 4; f++) next[f][i + j] = BitConverter.SingleToUInt32Bits((float)T.Element(fields[f], j));
                reward[i + j] = T.Element(r, j);
                terminated[i + j] = T.Element(T.MaskToOne(t), j);
            }
        }
        return (next, reward, terminated);
    }

    public static TheoryData<int> Widths => new(1, 4, 8, 16);

    [Theory]
    [MemberData(nameof(Widths))]
    public void FarAnglesFollowTheFloat64Step(int width)
    {
        Assert.SkipWhen(width > 1 && !LaneSelection.IsAccelerated(width), $"{width}-float lanes are not accelerated here.");
        int seed = KernelAssert.FreshSeed();
        var (state, actions) = Make(seed);
        var (next, reward, terminated) = width switch
        {
            1 => Step<F1>(state, actions),
            4 => Step<F4>(state, actions),
            8 => Step<F8>(state, actions),
            _ => Step<F16>(state, actions),
        };
        var (reference, referenceReward, _) = Step<D1>(state, actions);
        for (int i = 0; i < Count; i++)
        {
            for (int f = 0; f < 4; f++)
            {
                double expected = BitConverter.UInt32BitsToSingle(reference[f][i]), actual = BitConverter.UInt32BitsToSingle(next[f][i]);
                // A float32 step from the same float32 state: relative 1e-5 of the field's scale (sin/cos of the same angle,
                // rounded differently); sin/cos of a wrongly reduced angle is off by O(1) in the accelerations.
                double scale = Math.Max(1.0, Math.Abs(expected));
                Assert.True(Math.Abs(actual - expected) <= 1e-5 * scale,
                    $"element {i} field {f} (θ = {state[2][i]}): {actual} vs float64 {expected}; width {width}, seed {seed}");
            }
            Assert.Equal(referenceReward[i], reward[i]);
            Assert.Equal(Math.Abs(state[2][i]) > 0.21 ? 1.0 : terminated[i], terminated[i]);
        }
    }

    [Fact]
    public void EveryVectorWidthGivesTheSameBitsOnFarAngles()
    {
        int seed = KernelAssert.FreshSeed();
        var (state, actions) = Make(seed);
        var widths = new List<(string Name, uint[][] Next)>();
        if (LaneSelection.IsAccelerated(4)) widths.Add(("F4", Step<F4>(state, actions).Next));
        if (LaneSelection.IsAccelerated(8)) widths.Add(("F8", Step<F8>(state, actions).Next));
        if (LaneSelection.IsAccelerated(16)) widths.Add(("F16", Step<F16>(state, actions).Next));
        Assert.SkipWhen(widths.Count < 2, "Fewer than two SIMD widths are accelerated here.");
        foreach (var (name, next) in widths.Skip(1))
            for (int f = 0; f < 4; f++)
                KernelAssert.BitsEqual($"field {f}: {name} vs {widths[0].Name}", widths[0].Next[f], next[f], $"seed {seed}");
    }
}
