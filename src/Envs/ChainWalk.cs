using System.Diagnostics.CodeAnalysis;
using RlKernels.Envs.Conformance;
using RlKernels.Envs.Tabular;

namespace RlKernels.Envs;

// ChainWalk-v0: the 5-state chain of the lecture "Scaling up RL", whose undiscounted Q*
// is L: -14, -14, -13, -12, 0 and R: -13, -12, -11, -1, 0.
// States 1..5 are observed as indices 0..4; every episode starts in state 1. Action 0 = L (state 1
// stays at 1), 1 = R. Reward -10 for R in state 3, -1 for every other action in states 1-4. Reaching
// state 5 terminates. Deviation: a time limit of 100 steps (the lecture has none) so that a policy
// that never reaches state 5 still ends its episodes.

/// <summary>Declares ChainWalk: its id, options and env type (registered in <see cref="EnvRegistry"/>).</summary>
internal sealed class ChainWalkDeclaration : IEnvDeclaration<ChainWalkParams>
{
    public static string Id => "ChainWalk-v0";
    static TResult IEnvDeclaration<ChainWalkParams>.Accept<T, TSink, TResult>(TSink sink, ChainWalkParams p) => sink.Use<ChainWalk<T>, ChainWalkParams>(p);
    public static bool TryGetModel(in ChainWalkParams p, [NotNullWhen(true)] out TabularMdp? model)
    {
        model = ChainWalk.BuildModel(p);
        return true;
    }
}

/// <summary>ChainWalk constants.</summary>
public readonly struct ChainWalkParams
{
    /// <summary>Number of chain states (5); the last is terminal.</summary>
    public readonly int StateCount;
    /// <summary>The lecture's 5-state chain.</summary>
    public ChainWalkParams() => StateCount = 5;
}

/// <summary>ChainWalk-v0 as an explicit tabular model.</summary>
public static class ChainWalk
{
    /// <summary>Action names: 0 = L, 1 = R.</summary>
    public static readonly IReadOnlyList<string> ActionNames = ["L", "R"];

    /// <summary>
    /// The model of ChainWalk-v0 in Gymnasium's P shape (the lecture chain of
    /// data/reference/gymnasium-toytext/chain5.csv). The rows of the states an episode acts in are
    /// taken from <see cref="ChainWalk{T}.Step"/> itself on the double lane, so the model cannot drift
    /// from the env. The terminal state (the last) is never acted in; as for FrozenLake's holes its
    /// rows are terminated zero-reward self-loops. Every episode starts in state 0.
    /// </summary>
    public static TabularMdp BuildModel() => BuildModel(new ChainWalkParams());

    /// <inheritdoc cref="BuildModel()"/>
    public static TabularMdp BuildModel(in ChainWalkParams p)
    {
        int states = p.StateCount, actions = ActionNames.Count, terminal = states - 1;
        var stepper = new EnvTransitionStepper<ChainWalk<D1>, D1, ChainWalkParams>(ChainWalk<D1>.Spec(p), p);
        int rows = terminal * actions;
        var from = new double[rows];       // [rows] state of each (s, a) row, s < terminal
        var action = new double[rows];     // [rows]
        for (int s = 0; s < terminal; s++)
            for (int a = 0; a < actions; a++)
            {
                from[s * actions + a] = s;
                action[s * actions + a] = a;
            }
        var nextObs = new double[rows];    // [rows, ObsSize = 1]
        var next = new double[rows];       // [rows, StateSize = 1]
        var reward = new double[rows];     // [rows]
        var terminated = new bool[rows];   // [rows]
        stepper.Step(rows, from, action, nextObs, next, reward, terminated);

        var transitions = new List<TabularTransition>(states * actions);
        for (int r = 0; r < rows; r++)
            transitions.Add(new TabularTransition((int)from[r], (int)action[r], 1.0, (int)next[r], reward[r], terminated[r]));
        for (int a = 0; a < actions; a++)
            transitions.Add(new TabularTransition(terminal, a, 1.0, terminal, 0.0, true));
        return TabularMdp.FromTransitions(states, actions, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(transitions),
            TabularMdp.OneHot(states, 0), ActionNames);
    }
}

/// <summary>ChainWalk-v0 state (0-based position) and dynamics.</summary>
public struct ChainWalk<T> : IEnv<ChainWalk<T>, T, ChainWalkParams>, IEnvSpec<ChainWalkParams> where T : struct, ILane<T>
{
    /// <summary>Current state index, 0..StateCount-1 (lecture states 1..5).</summary>
    public T Position;

    /// <summary>Time limit in steps, applied by the runner as truncation (not in the lecture).</summary>
    public const int MaxEpisodeSteps = 100;

    /// <inheritdoc/>
    public static EnvSpec Spec(in ChainWalkParams p) =>
        new("ChainWalk-v0", 1, ["state"], ActionSpace.Discrete(2), MaxEpisodeSteps,
            [0f], [p.StateCount - 1], "lecture 'Scaling up RL', 5-state chain example");

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reset(out ChainWalk<T> s, in ChainWalkParams p, ref LaneRng<T> rng) => s.Position = T.Splat(0);

    /// <inheritdoc/>
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

    /// <inheritdoc/>
    public static void Observe<TWriter>(in ChainWalk<T> s, in ChainWalkParams p, ref TWriter obs) where TWriter : struct, ILaneWriter<T> =>
        obs.Write(0, s.Position);

    /// <inheritdoc/>
    public static void Load<TReader>(ref TReader src, out ChainWalk<T> s) where TReader : struct, ILaneReader<T> =>
        s.Position = src.Read(0);

    /// <inheritdoc/>
    public static void Store<TWriter>(in ChainWalk<T> s, ref TWriter dst) where TWriter : struct, ILaneWriter<T> =>
        dst.Write(0, s.Position);
}
