using System.Runtime.CompilerServices;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;

namespace RlKernels.Envs;

// ChainWalk-v0: the 5-state chain of the lecture "Scaling up RL" (shared/seed), whose undiscounted Q*
// is L: -14, -14, -13, -12, 0 and R: -13, -12, -11, -1, 0.
// States 1..5 are observed as indices 0..4; every episode starts in state 1. Action 0 = L (state 1
// stays at 1), 1 = R. Reward -10 for R in state 3, -1 for every other action in states 1-4. Reaching
// state 5 terminates. Deviation: a time limit of 100 steps (the lecture has none) so that a policy
// that never reaches state 5 still ends its episodes.

/// <summary>ChainWalk constants.</summary>
public readonly struct ChainWalkParams
{
    public readonly int StateCount;
    public ChainWalkParams() => StateCount = 5;
}

/// <summary>ChainWalk-v0 state (0-based position) and dynamics.</summary>
public struct ChainWalk<T> : IEnv<ChainWalk<T>, T, ChainWalkParams> where T : struct, ILane<T>
{
    public T Position;

    public const int MaxEpisodeSteps = 100;

    public static EnvSpec Spec(in ChainWalkParams p) =>
        new("ChainWalk-v0", 1, ["state"], ActionSpace.Discrete(2), MaxEpisodeSteps,
            [0f], [p.StateCount - 1], "lecture 'Scaling up RL', 5-state chain example");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reset(out ChainWalk<T> s, in ChainWalkParams p, ref LaneRng<T> rng) => s.Position = T.Splat(0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Step(ref ChainWalk<T> s, in ChainWalkParams p, T action, ref LaneRng<T> rng, out T reward, out T terminated)
    {
        T right = T.NonZero(action);
        T one = T.Splat(1);
        // The lecture's state 3 is index 2: moving right from it costs 10.
        T costly = T.And(right, T.Equal(s.Position, T.Splat(2)));
        reward = T.Select(costly, T.Splat(-10), -one);
        s.Position = T.Select(right, s.Position + one, T.Max(s.Position - one, T.Splat(0)));
        terminated = T.Equal(s.Position, T.Splat(p.StateCount - 1));
    }

    public static void Observe<TWriter>(in ChainWalk<T> s, in ChainWalkParams p, ref TWriter obs) where TWriter : struct, ILaneWriter<T> =>
        obs.Write(0, s.Position);

    public static void Load<TReader>(ref TReader src, out ChainWalk<T> s) where TReader : struct, ILaneReader<T> =>
        s.Position = src.Read(0);

    public static void Store<TWriter>(in ChainWalk<T> s, ref TWriter dst) where TWriter : struct, ILaneWriter<T> =>
        dst.Write(0, s.Position);
}
