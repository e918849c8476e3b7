namespace RlKernels.Envs;

/// <summary>Declares MountainCarContinuous: its id, options and env type (registered in <see cref="EnvRegistry"/>).</summary>
internal sealed class MountainCarContinuousDeclaration : IEnvDeclaration<MountainCarContinuousParams>
{
    public static string Id => "MountainCarContinuous-v0";
    static TResult IEnvDeclaration<MountainCarContinuousParams>.Accept<T, TSink, TResult>(TSink sink, MountainCarContinuousParams p) => sink.Use<MountainCarContinuous<T>, MountainCarContinuousParams>(p);
    public static uint VelocityFeatures => 0b10; // velocity
}

/// <summary>MountainCarContinuous constants (Gymnasium names).</summary>
public readonly struct MountainCarContinuousParams
{
    /// <summary>Gymnasium constants: action clip range (-1, 1), position bounds (-1.2, 0.6), speed limit (0.07), goal position (0.45) and minimum velocity there (0), and engine power (0.0015).</summary>
    public readonly LaneConstant MinAction = -1.0, MaxAction = 1.0, MinPosition = -1.2, MaxPosition = 0.6, MaxSpeed = 0.07, GoalPosition = 0.45, GoalVelocity = 0.0, Power = 0.0015;

    /// <summary>Gymnasium's default MountainCarContinuous-v0 constants.</summary>
    public MountainCarContinuousParams() { }
}

// MountainCarContinuous-v0. Source: gymnasium/envs/classic_control/continuous_mountain_car.py (Gymnasium 1.x);
// equations as listed in data/reference/gymnasium/README.md, in the source's operation order:
// force = min(max(a, -1), 1); v += force·power - 0.0025·cos(3p); clip v; p += v; clip p; wall rule.
// Terminated if p >= 0.45 and v >= 0, tested BEFORE the state is rounded to float32 (as the source does);
// reward = (100 if terminated else 0) - 0.1·a², with the UNCLIPPED action a.
// Deviations: none in reference precision (D1): the state is rounded to float32 after every step
// (T.RoundToFloat) and the arithmetic is float64 (NumPy 1.x promotion, as in the reference files).
// Fast lanes compute in float32 with the lane's own cos. Time limit (999), truncation and auto-reset
// belong to the runner. Reset draws position U(-0.6, -0.4) (velocity 0, float64 until the first step)
// from the counter RNG instead of NumPy's PCG64.
/// <summary>MountainCarContinuous-v0: the car of <see cref="MountainCar{T}"/> on the same track, pushed by a continuous force.</summary>
public struct MountainCarContinuous<T> : IEnv<MountainCarContinuous<T>, T, MountainCarContinuousParams>, IEnvSpec<MountainCarContinuousParams> where T : struct, ILane<T>
{
    /// <summary>The car's position and velocity, rounded to float32 after every step; loaded, stored and observed as MountainCar's.</summary>
    public MountainCar<T> Car;

    /// <summary>Time limit in steps (Gymnasium registration), applied by the runner as truncation.</summary>
    public const int MaxEpisodeSteps = 999;

    /// <inheritdoc/>
    public static EnvSpec Spec(in MountainCarContinuousParams p) =>
        new("MountainCarContinuous-v0", 2, ["position", "velocity"], ActionSpace.Box((float)p.MinAction, (float)p.MaxAction), MaxEpisodeSteps,
            [(float)p.MinPosition, -(float)p.MaxSpeed], [(float)p.MaxPosition, (float)p.MaxSpeed],
            "gymnasium/envs/classic_control/continuous_mountain_car.py");

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reset(out MountainCarContinuous<T> s, in MountainCarContinuousParams p, ref LaneRng<T> rng) =>
        MountainCar<T>.ResetCar(out s.Car.Position, out s.Car.Velocity, ref rng);

    /// <inheritdoc/>
    /// <remarks>As MountainCar's: a far 3·position takes <see cref="StepFar"/>, so that the hot step holds no call.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Step(ref MountainCarContinuous<T> s, in MountainCarContinuousParams p, T action, ref LaneRng<T> rng, out T reward, out T terminated)
    {
        if (!T.SinCosIfNear(T.Splat(3.0) * s.Car.Position, out _, out T cos3x))
        {
            (s, reward, terminated) = StepFar(s, p, action);
            return;
        }
        Advance(ref s, p, action, cos3x, out reward, out terminated);
    }

    /// <summary><see cref="Step"/> with the library cosine, for positions beyond the trig polynomial; by value.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (MountainCarContinuous<T> State, T Reward, T Terminated) StepFar(MountainCarContinuous<T> s, MountainCarContinuousParams p, T action)
    {
        Advance(ref s, p, action, T.Cos(T.Splat(3.0) * s.Car.Position), out T reward, out T terminated);
        return (s, reward, terminated);
    }

    /// <summary>The velocity update, the track and the reward, given cos(3·position).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Advance(ref MountainCarContinuous<T> s, in MountainCarContinuousParams p, T action, T cos3x, out T reward, out T terminated)
    {
        T force = T.Min(T.Max(action, T.Splat(p.MinAction)), T.Splat(p.MaxAction));
        T velocity = s.Car.Velocity + (force * T.Splat(p.Power) - T.Splat(0.0025) * cos3x);
        terminated = MountainCar<T>.Move(s.Car.Position, ref velocity, out T position, p.MinPosition, p.MaxPosition, p.MaxSpeed, p.GoalPosition, p.GoalVelocity);
        reward = T.Select(terminated, T.Splat(100.0), T.Splat(0.0)) - (action * action) * T.Splat(0.1);
        s.Car.Position = T.RoundToFloat(position);
        s.Car.Velocity = T.RoundToFloat(velocity);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Observe<TWriter>(in MountainCarContinuous<T> s, in MountainCarContinuousParams p, ref TWriter obs) where TWriter : struct, ILaneWriter<T> =>
        MountainCar<T>.Store(s.Car, ref obs); // the observation is the state

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load<TReader>(ref TReader src, out MountainCarContinuous<T> s) where TReader : struct, ILaneReader<T> =>
        MountainCar<T>.Load(ref src, out s.Car);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TWriter>(in MountainCarContinuous<T> s, ref TWriter dst) where TWriter : struct, ILaneWriter<T> =>
        MountainCar<T>.Store(s.Car, ref dst);
}
