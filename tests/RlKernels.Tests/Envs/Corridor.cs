using System.Runtime.CompilerServices;
using RlKernels.Envs;
using RlKernels.Envs.Registry;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;

namespace RlKernels.Tests.Envs;

// Corridor-v0: the test env of docs/adding-an-env.md, written exactly as that guide says.
// A walker on the cells 0 .. Length of a corridor starts in a random cell of the left half. Actions:
// 0 = left, 1 = stay, 2 = right; with probability Slip a move goes the other way. Reward -1 per step;
// terminated on reaching cell Length; the left wall stops the walker at 0. Observation:
// (position / Length, last move in {-1, 0, 1}); the last move is its "velocity", hidden by
// hide_velocity=true.
// Source: none (a test env). Deviations: none.

/// <summary>Corridor constants (env arguments <c>length</c> and <c>slip</c>).</summary>
public readonly struct CorridorParams
{
    public readonly LaneConstant Length, Slip;

    public CorridorParams() : this(10, 0.1) { }

    public CorridorParams(double length, double slip)
    {
        Length = length;
        Slip = slip;
    }
}

/// <summary>Corridor-v0 state (position, last move) and dynamics.</summary>
public struct Corridor<T> : IEnv<Corridor<T>, T, CorridorParams>, IEnvSpec<CorridorParams> where T : struct, ILane<T>
{
    public T Position, LastMove;

    public const int MaxEpisodeSteps = 100;

    public static EnvSpec Spec(in CorridorParams p) =>
        new("Corridor-v0", 2, ["position", "last_move"], ActionSpace.Discrete(3), MaxEpisodeSteps,
            [0f, -1f], [1f, 1f], "tests/RlKernels.Tests/Envs/Corridor.cs");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reset(out Corridor<T> s, in CorridorParams p, ref LaneRng<T> rng)
    {
        rng.NextUniform4(T.Splat(0), T.Splat(1), out T u, out _, out _, out _);
        // A whole cell in [0, Length/2): Floor keeps positions exact integers on every lane.
        s.Position = T.Floor(u * T.Splat(Math.Floor(p.Length / 2)));
        s.LastMove = T.Splat(0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Step(ref Corridor<T> s, in CorridorParams p, T action, ref LaneRng<T> rng, out T reward, out T terminated)
    {
        rng.NextUniform4(T.Splat(0), T.Splat(1), out T u, out _, out _, out _);
        T move = action - T.Splat(1);                                  // -1, 0 or +1
        move = T.Select(T.LessThan(u, T.Splat(p.Slip)), -move, move);  // a slip reverses the move
        s.Position = T.Max(s.Position + move, T.Splat(0));            // the left wall
        s.LastMove = move;
        terminated = T.GreaterOrEqual(s.Position, T.Splat(p.Length));
        reward = T.Splat(-1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Observe<TWriter>(in Corridor<T> s, in CorridorParams p, ref TWriter obs) where TWriter : struct, ILaneWriter<T>
    {
        obs.Write(0, s.Position / T.Splat(p.Length));
        obs.Write(1, s.LastMove);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load<TReader>(ref TReader src, out Corridor<T> s) where TReader : struct, ILaneReader<T>
    {
        s.Position = src.Read(0);
        s.LastMove = src.Read(1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TWriter>(in Corridor<T> s, ref TWriter dst) where TWriter : struct, ILaneWriter<T>
    {
        dst.Write(0, s.Position);
        dst.Write(1, s.LastMove);
    }
}

/// <summary>Declares Corridor-v0: its id, its options, and which env type runs it on lane T.</summary>
public sealed class CorridorDeclaration : IEnvDeclaration<CorridorParams>
{
    public static string Id => "Corridor-v0";

    public static CorridorParams Parse(EnvArgs args)
    {
        double length = args.GetDouble("length", 10);
        double slip = args.GetDouble("slip", 0.1);
        if (length < 2 || length != Math.Floor(length))
            throw new ArgumentException($"Corridor-v0: length={length} must be a whole number ≥ 2.");
        if (slip is < 0 or > 1)
            throw new ArgumentException($"Corridor-v0: slip={slip} must be a probability in [0, 1].");
        return new CorridorParams(length, slip);
    }

    public static TResult Accept<T, TSink, TResult>(TSink sink, CorridorParams p) where T : struct, ILane<T> where TSink : IEnvSink<T, TResult> =>
        sink.Use<Corridor<T>, CorridorParams>(p);

    /// <summary>Observation feature 1 (the last move) is a velocity.</summary>
    public static uint VelocityFeatures => 0b10;
}
