using RlKernels.Envs;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;
using RlKernels.Tests.Kernels;

namespace RlKernels.Tests.Envs;

/// <summary>
/// CartPole, Pendulum and both MountainCars take trig arguments beyond the float lanes' polynomial
/// (|x| &gt; <see cref="LaneTrig.ReductionLimit"/>) through an out-of-line copy of their step (<c>StepFar</c>), and
/// Acrobot through out-of-line copies of its accelerations, terminal test and observation, so that
/// the hot step holds no call. These check that path on lane values that mix near and far arguments: every element's
/// next state against the float64 step (library sin/cos), and every vector width bit for bit against the others. With
/// the far path dropped, the polynomial's reduction gives sin and cos of the wrong angle there and the first check fails.
/// </summary>
public class FarAngleTests
{
    private const int Count = 16 * 8;

    /// <summary>An env under test: its state fields, which one is the trig argument (and its factor), and a typical
    /// magnitude of each field (the others' random values are drawn in ±that); the fields set to 0 where the argument is
    /// far, and the tolerance against the float64 step (relative to max(1, |value|)).</summary>
    public sealed record Case(string Name, int Fields, int AngleField, double AngleFactor, double[] Scale, int[]? ZeroWhereFar = null,
        double Tolerance = 1e-5, double FarDecades = 2);

    private static readonly Case[] Cases =
    [
        new("CartPole-v1", 4, 2, 1, [2, 1, 0.2, 2]),
        new("Pendulum-v1", 2, 0, 1, [3, 1]),
        // Small velocities: the far position is clipped to the track's end, and the velocity keeps cos(3x)'s share.
        new("MountainCar-v0", 2, 0, 3, [0.5, 0.01]),
        new("MountainCarContinuous-v0", 2, 0, 3, [0.5, 0.01]),
        // RK4 moves a far angle by small steps that float32 rounds (its spacing there is 1/128), so the float32 and
        // float64 stages see angles a few thousandths apart: velocities agree to about 0.02, not 1e-5. The far element's
        // velocities start at 0 (the first stages' angles are then exact). A polynomial reduced wrongly at the far angle
        // moves an acceleration by several rad/s², a velocity by about 1.
        // Far angles from 10^5 to 10^5.1 only: float32's spacing there is 1/128, where at 10^7 it is 1.
        new("Acrobot-v1", 4, 1, 1, [1, 1, 2, 2], ZeroWhereFar: [2, 3], Tolerance: 0.1, FarDecades: 0.1),
    ];

    public static TheoryData<string, int> EnvsAndWidths()
    {
        var data = new TheoryData<string, int>();
        foreach (var c in Cases)
            foreach (int width in new[] { 1, 4, 8, 16 }) data.Add(c.Name, width);
        return data;
    }

    /// <summary>States [Fields, Count]: one element in three with the trig argument at |x| in [1e5, 1e5 · 10^FarDecades], the rest
    /// within the scales; actions.</summary>
    private static (float[][] State, float[] Actions) Make(Case c, int seed)
    {
        var rng = new System.Random(seed);
        var state = new float[c.Fields][];
        for (int f = 0; f < c.Fields; f++)
        {
            state[f] = new float[Count];
            for (int i = 0; i < Count; i++) state[f][i] = (float)((rng.NextDouble() * 2 - 1) * c.Scale[f]);
        }
        // Whole numbers below 2^24 / factor: the float lanes' factor·x is then exact, as the float64 step's is (a rounded
        // argument that far out would change sin and cos by more than the tolerance).
        for (int i = 0; i < Count; i += 3)
        {
            state[c.AngleField][i] = (float)((rng.Next(2) == 0 ? -1 : 1) * Math.Round(Math.Pow(10, 5 + c.FarDecades * rng.NextDouble()) / c.AngleFactor));
            foreach (int f in c.ZeroWhereFar ?? []) state[f][i] = 0;
        }
        var actions = new float[Count];
        for (int i = 0; i < Count; i++) actions[i] = c.Name is "Pendulum-v1" or "MountainCarContinuous-v0"
            ? (float)(rng.NextDouble() * 4 - 2) : rng.Next(c.Name is "MountainCar-v0" or "Acrobot-v1" ? 3 : 2);
        return (state, actions);
    }

    private static uint[][] Step<T>(Case c, float[][] state, float[] actions) where T : struct, ILane<T> => c.Name switch
    {
        "CartPole-v1" => Step<CartPole<T>, T, CartPoleParams>(new CartPoleParams(), state, actions),
        "Pendulum-v1" => Step<Pendulum<T>, T, PendulumParams>(new PendulumParams(), state, actions),
        "MountainCar-v0" => Step<MountainCar<T>, T, MountainCarParams>(new MountainCarParams(), state, actions),
        "MountainCarContinuous-v0" => Step<MountainCarContinuous<T>, T, MountainCarContinuousParams>(new MountainCarContinuousParams(), state, actions),
        _ => Step<Acrobot<T>, T, AcrobotParams>(new AcrobotParams(), state, actions),
    };

    /// <summary>One step of every element on lane T from <paramref name="state"/>: the next states' float bits [Fields, Count].</summary>
    private static uint[][] Step<TEnv, T, TParams>(TParams p, float[][] state, float[] actions)
        where TEnv : struct, IEnv<TEnv, T, TParams> where T : struct, ILane<T> where TParams : struct
    {
        var next = new uint[state.Length][];
        for (int f = 0; f < state.Length; f++) next[f] = new uint[Count];
        for (int i = 0; i < Count; i += T.Count)
        {
            var reader = new ColumnsReader<T>(state, i);
            TEnv.Load(ref reader, out TEnv s);
            var rng = new LaneRng<T>(T.Splat(0), T.Splat(0), 1, 2, LaneRng<T>.EnvPurpose);
            TEnv.Step(ref s, p, T.Load(actions, i, T.Count), ref rng, out _, out _);
            var writer = new ColumnsWriter<T>(next, i);
            TEnv.Store(s, ref writer);
        }
        return next;
    }

    [Theory]
    [MemberData(nameof(EnvsAndWidths))]
    public void FarArgumentsFollowTheFloat64Step(string env, int width)
    {
        Assert.SkipWhen(width > 1 && !LaneSelection.IsAccelerated(width), $"{width}-float lanes are not accelerated here.");
        var c = Cases.Single(x => x.Name == env);
        int seed = KernelAssert.FreshSeed();
        var (state, actions) = Make(c, seed);
        uint[][] next = width switch
        {
            1 => Step<F1>(c, state, actions),
            4 => Step<F4>(c, state, actions),
            8 => Step<F8>(c, state, actions),
            _ => Step<F16>(c, state, actions),
        };
        uint[][] reference = Step<D1>(c, state, actions);
        for (int i = 0; i < Count; i++)
            for (int f = 0; f < c.Fields; f++)
            {
                double expected = BitConverter.UInt32BitsToSingle(reference[f][i]), actual = BitConverter.UInt32BitsToSingle(next[f][i]);
                // A float32 step from the same float32 state: within the case's tolerance (1e-5: sin and cos of the same
                // angle, rounded differently); sin or cos of a wrongly reduced angle moves a velocity by far more.
                double scale = Math.Max(1.0, Math.Abs(expected));
                Assert.True(Math.Abs(actual - expected) <= c.Tolerance * scale,
                    $"{env} element {i} field {f} (argument field {state[c.AngleField][i]}): {actual} vs float64 {expected}; width {width}, seed {seed}");
            }
    }

    public static TheoryData<string> Envs => new(Cases.Select(c => c.Name).ToArray());

    [Theory]
    [MemberData(nameof(Envs))]
    public void EveryVectorWidthGivesTheSameBitsOnFarArguments(string env)
    {
        var c = Cases.Single(x => x.Name == env);
        int seed = KernelAssert.FreshSeed();
        var (state, actions) = Make(c, seed);
        var widths = new List<(string Name, uint[][] Next)>();
        if (LaneSelection.IsAccelerated(4)) widths.Add(("F4", Step<F4>(c, state, actions)));
        if (LaneSelection.IsAccelerated(8)) widths.Add(("F8", Step<F8>(c, state, actions)));
        if (LaneSelection.IsAccelerated(16)) widths.Add(("F16", Step<F16>(c, state, actions)));
        Assert.SkipWhen(widths.Count < 2, "Fewer than two SIMD widths are accelerated here.");
        foreach (var (name, next) in widths.Skip(1))
            for (int f = 0; f < c.Fields; f++)
                KernelAssert.BitsEqual($"{env} field {f}: {name} vs {widths[0].Name}", widths[0].Next[f], next[f], $"seed {seed}");
    }

    /// <summary>Acrobot observes cos and sin of its angles: on lane values that mix near and far angles, the lane's own
    /// <c>SinCos</c> bits (the library functions where far), on every width.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    public void AcrobotObservesTheLaneSinCosOfFarAngles(int width)
    {
        Assert.SkipWhen(width > 1 && !LaneSelection.IsAccelerated(width), $"{width}-float lanes are not accelerated here.");
        var c = Cases.Single(x => x.Name == "Acrobot-v1");
        int seed = KernelAssert.FreshSeed();
        var (state, _) = Make(c, seed);
        for (int i = 1; i < Count; i += 5) state[0][i] = -state[1][i]; // θ1 far too, in other elements
        switch (width)
        {
            case 1: CheckObservation<F1>(state, seed); break;
            case 4: CheckObservation<F4>(state, seed); break;
            case 8: CheckObservation<F8>(state, seed); break;
            default: CheckObservation<F16>(state, seed); break;
        }
    }

    private static void CheckObservation<T>(float[][] state, int seed) where T : struct, ILane<T>
    {
        var obs = new uint[6][];
        for (int f = 0; f < 6; f++) obs[f] = new uint[Count];
        var expected = new uint[4][];
        for (int f = 0; f < 4; f++) expected[f] = new uint[Count];
        for (int i = 0; i < Count; i += T.Count)
        {
            var reader = new ColumnsReader<T>(state, i);
            Acrobot<T>.Load(ref reader, out Acrobot<T> s);
            var writer = new ColumnsWriter<T>(obs, i);
            Acrobot<T>.Observe(s, new AcrobotParams(), ref writer);
            T.SinCos(T.Load(state[0], i, T.Count), out T sin1, out T cos1);
            T.SinCos(T.Load(state[1], i, T.Count), out T sin2, out T cos2);
            var lane = new ColumnsWriter<T>(expected, i);
            lane.Write(0, cos1);
            lane.Write(1, sin1);
            lane.Write(2, cos2);
            lane.Write(3, sin2);
        }
        for (int f = 0; f < 4; f++)
            KernelAssert.BitsEqual($"Acrobot observation feature {f}, {T.Count}-float lanes", expected[f], obs[f], $"seed {seed}");
    }

    /// <summary>Acrobot's accelerations and terminal test on lane values that mix near and far angles (|x| from 10^5 to 10^7,
    /// either angle): the same bits as the formulas given the lane's own <c>SinCos</c> of the same float arguments (the
    /// library functions where far). Against float64 the RK4 stages cannot be compared that far out (float32 rounds
    /// the stage angles by up to 0.5 rad), so these are checked on their own.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    public void AcrobotTakesTheLaneSinCosAtFarAngles(int width)
    {
        Assert.SkipWhen(width > 1 && !LaneSelection.IsAccelerated(width), $"{width}-float lanes are not accelerated here.");
        int seed = KernelAssert.FreshSeed();
        var rng = new System.Random(seed);
        var state = new float[4][];
        for (int f = 0; f < 4; f++)
        {
            state[f] = new float[Count];
            for (int i = 0; i < Count; i++) state[f][i] = (float)((rng.NextDouble() * 2 - 1) * (f < 2 ? 3 : 10));
        }
        for (int i = 0; i < Count; i += 3)
            state[rng.Next(2)][i] = (float)((rng.Next(2) == 0 ? -1 : 1) * Math.Round(Math.Pow(10, 5 + 2 * rng.NextDouble())));
        var actions = new float[Count];
        for (int i = 0; i < Count; i++) actions[i] = rng.Next(3);
        switch (width)
        {
            case 1: CheckAcrobotTrig<F1>(state, actions, seed); break;
            case 4: CheckAcrobotTrig<F4>(state, actions, seed); break;
            case 8: CheckAcrobotTrig<F8>(state, actions, seed); break;
            default: CheckAcrobotTrig<F16>(state, actions, seed); break;
        }
    }

    private static void CheckAcrobotTrig<T>(float[][] state, float[] actions, int seed) where T : struct, ILane<T>
    {
        var p = new AcrobotParams();
        var got = new uint[3][];
        var expected = new uint[3][];
        for (int f = 0; f < 3; f++)
        {
            got[f] = new uint[Count];
            expected[f] = new uint[Count];
        }
        for (int i = 0; i < Count; i += T.Count)
        {
            T theta1 = T.Load(state[0], i, T.Count), theta2 = T.Load(state[1], i, T.Count);
            T dtheta1 = T.Load(state[2], i, T.Count), dtheta2 = T.Load(state[3], i, T.Count), a = T.Load(actions, i, T.Count) - T.Splat(1.0);
            Acrobot<T>.Accelerations(theta1, theta2, dtheta1, dtheta2, a, p, out T dd1, out T dd2);
            T.SinCos(theta2, out T sin2, out T cos2);
            Acrobot<T>.AccelerationsOf(sin2, cos2, T.Cos(theta1 + theta2 - T.Splat(Math.PI / 2.0)), T.Cos(theta1 - T.Splat(Math.PI / 2)),
                dtheta1, dtheta2, a, p, out T want1, out T want2);
            // The terminal test of a step, against -cos θ1' - cos(θ2' + θ1') > 1 on the next state it stored.
            var reader = new ColumnsReader<T>(state, i);
            Acrobot<T>.Load(ref reader, out Acrobot<T> s);
            var lrng = new LaneRng<T>(T.Splat(0), T.Splat(0), 1, 2, LaneRng<T>.EnvPurpose);
            Acrobot<T>.Step(ref s, p, T.Load(actions, i, T.Count), ref lrng, out _, out T terminated);
            T wantTerminated = T.GreaterThan(-T.Cos(s.Theta1) - T.Cos(s.Theta2 + s.Theta1), T.Splat(1.0));
            var gotWriter = new ColumnsWriter<T>(got, i);
            gotWriter.Write(0, dd1);
            gotWriter.Write(1, dd2);
            gotWriter.Write(2, T.MaskToOne(terminated));
            var wantWriter = new ColumnsWriter<T>(expected, i);
            wantWriter.Write(0, want1);
            wantWriter.Write(1, want2);
            wantWriter.Write(2, T.MaskToOne(wantTerminated));
        }
        string[] names = ["ddθ1", "ddθ2", "terminated"];
        for (int f = 0; f < 3; f++)
            KernelAssert.BitsEqual($"Acrobot {names[f]}, {T.Count}-float lanes", expected[f], got[f], $"seed {seed}");
    }

    /// <summary>Field k of lane value [first, first + Count) from column k.</summary>
    private readonly struct ColumnsReader<T>(float[][] columns, int first) : ILaneReader<T> where T : struct, ILane<T>
    {
        public T Read(int index) => T.Load(columns[index], first, T.Count);
        public bool Observed => true;
    }

    /// <summary>Field k's elements as float bits into column k at [first, first + Count).</summary>
    private readonly struct ColumnsWriter<T>(uint[][] columns, int first) : ILaneWriter<T> where T : struct, ILane<T>
    {
        public void Write(int index, T value)
        {
            for (int j = 0; j < T.Count; j++) columns[index][first + j] = BitConverter.SingleToUInt32Bits((float)T.Element(value, j));
        }
    }
}
