using RlKernels.Envs;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;
using RlKernels.Tests.Kernels;

namespace RlKernels.Tests.Envs;

/// <summary>
/// CartPole, Pendulum and both MountainCars take trig arguments beyond the float lanes' polynomial
/// (|x| &gt; <see cref="LaneTrig.ReductionLimit"/>) through an out-of-line copy of their step (<c>StepFar</c>), so that
/// the hot step holds no call. These check that path on lane values that mix near and far arguments: every element's
/// next state against the float64 step (library sin/cos), and every vector width bit for bit against the others. With
/// the far path dropped, the polynomial's reduction gives sin and cos of the wrong angle there and the first check fails.
/// </summary>
public class FarAngleTests
{
    private const int Count = 16 * 8;

    /// <summary>An env under test: its state fields, which one is the trig argument (and its factor), and a typical
    /// magnitude of each field (the others' random values are drawn in ±that).</summary>
    public sealed record Case(string Name, int Fields, int AngleField, double AngleFactor, double[] Scale);

    private static readonly Case[] Cases =
    [
        new("CartPole-v1", 4, 2, 1, [2, 1, 0.2, 2]),
        new("Pendulum-v1", 2, 0, 1, [3, 1]),
        // Small velocities: the far position is clipped to the track's end, and the velocity keeps cos(3x)'s share.
        new("MountainCar-v0", 2, 0, 3, [0.5, 0.01]),
        new("MountainCarContinuous-v0", 2, 0, 3, [0.5, 0.01]),
    ];

    public static TheoryData<string, int> EnvsAndWidths()
    {
        var data = new TheoryData<string, int>();
        foreach (var c in Cases)
            foreach (int width in new[] { 1, 4, 8, 16 }) data.Add(c.Name, width);
        return data;
    }

    /// <summary>States [Fields, Count]: one element in three with the trig argument at |x| in [1e5, 1e7], the rest within the scales; actions.</summary>
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
            state[c.AngleField][i] = (float)((rng.Next(2) == 0 ? -1 : 1) * Math.Round(Math.Pow(10, 5 + 2 * rng.NextDouble()) / c.AngleFactor));
        var actions = new float[Count];
        for (int i = 0; i < Count; i++) actions[i] = c.Name is "Pendulum-v1" or "MountainCarContinuous-v0"
            ? (float)(rng.NextDouble() * 4 - 2) : rng.Next(c.Name == "MountainCar-v0" ? 3 : 2);
        return (state, actions);
    }

    private static uint[][] Step<T>(Case c, float[][] state, float[] actions) where T : struct, ILane<T> => c.Name switch
    {
        "CartPole-v1" => Step<CartPole<T>, T, CartPoleParams>(new CartPoleParams(), state, actions),
        "Pendulum-v1" => Step<Pendulum<T>, T, PendulumParams>(new PendulumParams(), state, actions),
        "MountainCar-v0" => Step<MountainCar<T>, T, MountainCarParams>(new MountainCarParams(), state, actions),
        _ => Step<MountainCarContinuous<T>, T, MountainCarContinuousParams>(new MountainCarContinuousParams(), state, actions),
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
                // A float32 step from the same float32 state: within 1e-5 of the field's scale (sin and cos of the same
                // angle, rounded differently); sin or cos of a wrongly reduced angle moves a velocity by far more.
                double scale = Math.Max(1.0, Math.Abs(expected));
                Assert.True(Math.Abs(actual - expected) <= 1e-5 * scale,
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
