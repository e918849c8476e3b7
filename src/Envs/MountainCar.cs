namespace RlKernels.Envs;

/// <summary>Declares MountainCar: its id, options and env type (registered in <see cref="EnvRegistry"/>).</summary>
internal sealed class MountainCarDeclaration : IEnvDeclaration<MountainCarParams>
{
    public static string Id => "MountainCar-v0";
    static TResult IEnvDeclaration<MountainCarParams>.Accept<T, TSink, TResult>(TSink sink, MountainCarParams p) => sink.Use<MountainCar<T>, MountainCarParams>(p);
    public static uint VelocityFeatures => 0b10; // velocity
}

/// <summary>MountainCar constants (Gymnasium names).</summary>
public readonly struct MountainCarParams
{
    /// <summary>Gymnasium constants: position bounds (-1.2, 0.6), speed limit (0.07), goal position (0.5) and minimum velocity there (0), engine force per action (0.001) and gravity coefficient (0.0025).</summary>
    public readonly LaneConstant MinPosition = -1.2, MaxPosition = 0.6, MaxSpeed = 0.07, GoalPosition = 0.5, GoalVelocity = 0.0, Force = 0.001, Gravity = 0.0025;

    /// <summary>Gymnasium's default MountainCar-v0 constants.</summary>
    public MountainCarParams() { }
}

// MountainCar-v0. Source: gymnasium/envs/classic_control/mountain_car.py (Gymnasium 1.x, goal_velocity 0);
// equations as listed in data/reference/gymnasium/README.md, in the source's operation order:
// v += (a - 1)·force + cos(3p)·(-gravity); clip v; p += v; clip p; v = 0 at the left wall when v < 0.
// Deviations: none in reference precision (D1). Fast lanes compute in float32 with the lane's own cos.
// Time limit (200), truncation and auto-reset belong to the runner. Reset draws position U(-0.6, -0.4)
// (velocity 0) from the counter RNG instead of NumPy's PCG64.
/// <summary>MountainCar-v0 state (position, velocity) and dynamics; actions 0/1/2 = left/none/right.</summary>
public struct MountainCar<T> : IEnv<MountainCar<T>, T, MountainCarParams>, IEnvSpec<MountainCarParams> where T : struct, ILane<T>
{
    /// <summary>Car position along the track and its velocity (per step).</summary>
    public T Position, Velocity;

    /// <summary>Time limit in steps (Gymnasium registration), applied by the runner as truncation.</summary>
    public const int MaxEpisodeSteps = 200;

    /// <inheritdoc/>
    public static EnvSpec Spec(in MountainCarParams p) =>
        new("MountainCar-v0", 2, ["position", "velocity"], ActionSpace.Discrete(3), MaxEpisodeSteps,
            [(float)p.MinPosition, -(float)p.MaxSpeed], [(float)p.MaxPosition, (float)p.MaxSpeed],
            "gymnasium/envs/classic_control/mountain_car.py");

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reset(out MountainCar<T> s, in MountainCarParams p, ref LaneRng<T> rng) =>
        ResetCar(out s.Position, out s.Velocity, ref rng);

    /// <summary>The start both MountainCar envs share: position U(-0.6, -0.4), velocity 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ResetCar(out T position, out T velocity, ref LaneRng<T> rng)
    {
        rng.NextBits(out T b0, out _, out _, out _);
        position = T.Splat(-0.6) + T.Splat(0.2) * T.BitsToUnit(b0);
        velocity = T.Splat(0.0);
    }

    /// <summary>The reward of every step, the goal's included.</summary>
    private const double StepReward = -1.0;

    /// <inheritdoc/>
    public static bool ConstantReward(in MountainCarParams p, out double reward)
    {
        reward = StepReward;
        return true;
    }

    /// <inheritdoc/>
    /// <remarks>A position whose 3·x lies beyond the float lanes' trig polynomial (|x| above about 17,000; the track keeps it
    /// in [−1.2, 0.6]) takes <see cref="StepFar"/>, an out-of-line copy with the library cosine, so that the hot step holds
    /// no call (see CartPole's Step).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Step(ref MountainCar<T> s, in MountainCarParams p, T action, ref LaneRng<T> rng, out T reward, out T terminated)
    {
        reward = T.Splat(StepReward);
        if (!T.SinCosIfNear(T.Splat(3.0) * s.Position, out _, out T cos3x))
        {
            (s, terminated) = StepFar(s, p, action);
            return;
        }
        terminated = Advance(ref s, p, action, cos3x);
    }

    /// <summary><see cref="Step"/> with the library cosine, for positions beyond the trig polynomial; by value.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (MountainCar<T> State, T Terminated) StepFar(MountainCar<T> s, MountainCarParams p, T action)
    {
        T terminated = Advance(ref s, p, action, T.Cos(T.Splat(3.0) * s.Position));
        return (s, terminated);
    }

    /// <summary>The velocity update and the track, given cos(3·position); returns terminated.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Advance(ref MountainCar<T> s, in MountainCarParams p, T action, T cos3x)
    {
        T velocity = s.Velocity + ((action - T.Splat(1.0)) * T.Splat(p.Force) + cos3x * -T.Splat(p.Gravity));
        T terminated = Move(s.Position, ref velocity, out T position, p.MinPosition, p.MaxPosition, p.MaxSpeed, p.GoalPosition, p.GoalVelocity);
        s.Position = position;
        s.Velocity = velocity;
        return terminated;
    }

    /// <summary>
    /// The track both MountainCar envs share, after the velocity update: clip the velocity to ±maxSpeed, move and
    /// clip the position, stop at the left wall when moving left; returns terminated (the goal reached).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T Move(T start, ref T velocity, out T position,
        in LaneConstant minPosition, in LaneConstant maxPosition, in LaneConstant maxSpeed, in LaneConstant goalPosition, in LaneConstant goalVelocity)
    {
        T zero = T.Splat(0.0);
        velocity = T.Min(T.Max(velocity, -T.Splat(maxSpeed)), T.Splat(maxSpeed));
        T min = T.Splat(minPosition);
        position = T.Min(T.Max(start + velocity, min), T.Splat(maxPosition));
        velocity = T.Select(T.And(T.Equal(position, min), T.LessThan(velocity, zero)), zero, velocity);
        return T.And(T.GreaterOrEqual(position, T.Splat(goalPosition)), T.GreaterOrEqual(velocity, T.Splat(goalVelocity)));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Observe<TWriter>(in MountainCar<T> s, in MountainCarParams p, ref TWriter obs) where TWriter : struct, ILaneWriter<T> =>
        Store(s, ref obs); // the observation is the state

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load<TReader>(ref TReader src, out MountainCar<T> s) where TReader : struct, ILaneReader<T>
    {
        s.Position = src.Read(0);
        s.Velocity = src.Read(1);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TWriter>(in MountainCar<T> s, ref TWriter dst) where TWriter : struct, ILaneWriter<T> =>
        dst.WriteFields(s.Position, s.Velocity);
}
