namespace RlKernels.Envs;

/// <summary>Declares RandomWalk1D: its id, options and env type (registered in <see cref="EnvRegistry"/>).</summary>
internal sealed class RandomWalk1DDeclaration : IEnvDeclaration<RandomWalk1DParams>
{
    public static string Id => "RandomWalk1D-v0";
    static TResult IEnvDeclaration<RandomWalk1DParams>.Accept<T, TSink, TResult>(TSink sink, RandomWalk1DParams p) => sink.Use<RandomWalk1D<T>, RandomWalk1DParams>(p);
}

/// <summary>RandomWalk1D constants.</summary>
public readonly struct RandomWalk1DParams
{
    /// <summary>The episode terminates when |x| exceeds <c>Bound</c> (3); each step moves x by N(<c>StepMean</c>, <c>StepStd</c>²) = N(1, 0.25²) in the chosen direction.</summary>
    public readonly LaneConstant Bound = 3, StepMean = 1, StepStd = 0.25;

    /// <summary>The lecture's constants: bound 3, step N(1, 0.25²).</summary>
    public RandomWalk1DParams() { }
}

// RandomWalk1D-v0: the continuous random walk of the lecture "Scaling up RL".
// x starts at 0; L: x <- x - N(1, sigma^2), R: x <- x + N(1, sigma^2), sigma = 1/4; reward -1 per
// action; terminated when x leaves [-3, 3]. Undiscounted, the uniform random policy has V(0) = -11.435
// (+-0.003, plain float64 Monte Carlo over 10M episodes; the lecture's "(0, -16)" is one sampled return
// used as a training example, not the value).
// Deviation: a time limit of 1000 steps (the lecture has none), which the uniform policy reaches
// with negligible probability.
/// <summary>RandomWalk1D-v0 state (x) and dynamics.</summary>
public struct RandomWalk1D<T> : IEnv<RandomWalk1D<T>, T, RandomWalk1DParams>, IEnvSpec<RandomWalk1DParams> where T : struct, ILane<T>
{
    /// <summary>Position; starts at 0.</summary>
    public T X;

    /// <summary>Time limit in steps, applied by the runner as truncation (not in the lecture).</summary>
    public const int MaxEpisodeSteps = 1000;

    /// <inheritdoc/>
    public static EnvSpec Spec(in RandomWalk1DParams p) =>
        new("RandomWalk1D-v0", 1, ["x"], ActionSpace.Discrete(2), MaxEpisodeSteps,
            [float.MinValue], [float.MaxValue], "lecture 'Scaling up RL', continuous random walk example");

    /// <inheritdoc/>
    public static void Reset(out RandomWalk1D<T> s, in RandomWalk1DParams p, ref LaneRng<T> rng) => s.X = T.Splat(0);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Step(ref RandomWalk1D<T> s, in RandomWalk1DParams p, T action, ref LaneRng<T> rng, out T reward, out T terminated)
    {
        rng.NextNormal2(out T z, out _);
        T length = T.Splat(p.StepMean) + T.Splat(p.StepStd) * z;
        s.X = T.Select(T.NonZero(action), s.X + length, s.X - length);
        T bound = T.Splat(p.Bound);
        terminated = T.Or(T.LessThan(s.X, -bound), T.GreaterThan(s.X, bound));
        reward = T.Splat(-1);
    }

    /// <inheritdoc/>
    public static void Observe<TWriter>(in RandomWalk1D<T> s, in RandomWalk1DParams p, ref TWriter obs) where TWriter : struct, ILaneWriter<T> =>
        obs.Write(0, s.X);

    /// <inheritdoc/>
    public static void Load<TReader>(ref TReader src, out RandomWalk1D<T> s) where TReader : struct, ILaneReader<T> =>
        s.X = src.Read(0);

    /// <inheritdoc/>
    public static void Store<TWriter>(in RandomWalk1D<T> s, ref TWriter dst) where TWriter : struct, ILaneWriter<T> =>
        dst.Write(0, s.X);
}
