namespace RlKernels.Envs;

/// <summary>Declares Pendulum: its id, options and env type (registered in <see cref="EnvRegistry"/>).</summary>
internal sealed class PendulumDeclaration : IEnvDeclaration<PendulumParams>
{
    public static string Id => "Pendulum-v1";
    public static PendulumParams Parse(EnvArgs args) => new(args.GetDouble("g", 10.0));
    static TResult IEnvDeclaration<PendulumParams>.Accept<T, TSink, TResult>(TSink sink, PendulumParams p) => sink.Use<Pendulum<T>, PendulumParams>(p);
    public static uint VelocityFeatures => 0b100; // theta_dot
}

/// <summary>Pendulum constants (Gymnasium names); <c>g</c> is the env option.</summary>
public readonly struct PendulumParams
{
    /// <summary>Gymnasium constants: angular speed limit (rad/s, 8), torque limit (2), time step (s, 0.05), gravity g (m/s²), pendulum mass m (1) and length l (1).</summary>
    public readonly LaneConstant MaxSpeed = 8.0, MaxTorque = 2.0, Dt = 0.05, G, M = 1.0, L = 1.0;
    /// <summary>3·g / (2·l), evaluated left to right as in the source (precomputed: no float64 work in GPU kernels).</summary>
    public readonly LaneConstant GravityCoef;
    /// <summary>3.0 / (m·l**2).</summary>
    public readonly LaneConstant TorqueCoef;

    /// <summary>Gymnasium's defaults, g = 10.</summary>
    public PendulumParams() : this(10.0) { }

    /// <summary>Gymnasium's defaults with gravity <paramref name="g"/> (m/s²).</summary>
    public PendulumParams(double g)
    {
        G = g;
        GravityCoef = 3 * G / (2 * L);
        TorqueCoef = 3.0 / (M * Math.Pow(L, 2));
    }
}

// Pendulum-v1. Source: gymnasium/envs/classic_control/pendulum.py (Gymnasium 1.x, default g = 10.0);
// equations as listed in data/reference/gymnasium/README.md, written in the source's operation order.
// The cost uses the state BEFORE the step; angle_normalize is Python's floored modulo (T.FlooredMod: exact
// in D1, where y - m·floor(y/m) would differ at the last bit; float lanes use that formula); x**2 is C pow (T.Square). theta is not wrapped.
// Deviations: none in reference precision (D1) beyond sin: NumPy's float64 sin (SIMD loops) and the C
// library's that D1 calls differ at the last bit for some theta, so next_state can differ by ~1e-16
// relative (next_obs and rewards are bit-identical on the reference files). NumPy 1.x promotion
// (3.0·u and 0.001·u² computed in float64 from the float32 action) as in the reference files. Fast lanes compute in float32 with the
// lane's own sin/cos. Time limit (200), truncation and auto-reset belong to the runner. Reset draws
// theta U(-pi, pi), theta_dot U(-1, 1) from the counter RNG instead of NumPy's PCG64.
/// <summary>Pendulum-v1 state (theta, theta_dot) and dynamics.</summary>
public struct Pendulum<T> : IEnv<Pendulum<T>, T, PendulumParams>, IEnvSpec<PendulumParams> where T : struct, ILane<T>
{
    /// <summary>Angle from upright (rad, not wrapped) and angular velocity (rad/s).</summary>
    public T Theta, ThetaDot;

    /// <summary>Time limit in steps (Gymnasium registration), applied by the runner as truncation.</summary>
    public const int MaxEpisodeSteps = 200;

    /// <inheritdoc/>
    public static EnvSpec Spec(in PendulumParams p)
    {
        float maxSpeed = (float)p.MaxSpeed, maxTorque = (float)p.MaxTorque;
        return new EnvSpec("Pendulum-v1", 3, ["theta", "theta_dot"], ActionSpace.Box(-maxTorque, maxTorque), MaxEpisodeSteps,
            [-1f, -1f, -maxSpeed], [1f, 1f, maxSpeed], "gymnasium/envs/classic_control/pendulum.py");
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reset(out Pendulum<T> s, in PendulumParams p, ref LaneRng<T> rng)
    {
        rng.NextBits(out T b0, out T b1, out _, out _);
        s.Theta = T.Splat(-Math.PI) + T.Splat(2 * Math.PI) * T.BitsToUnit(b0);
        s.ThetaDot = T.Splat(-1.0) + T.Splat(2.0) * T.BitsToUnit(b1);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Angles beyond the float lanes' trig polynomial (|θ| above about 51,000 rad: θ is not wrapped, and a long episode
    /// spinning at full speed reaches it after some 130,000 steps) take <see cref="StepFar"/>, an out-of-line copy of the
    /// same step with the library sine. Kept apart so that the hot step holds no call (see CartPole's Step).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Step(ref Pendulum<T> s, in PendulumParams p, T action, ref LaneRng<T> rng, out T reward, out T terminated)
    {
        terminated = T.FalseMask;
        if (!T.SinCosIfNear(s.Theta, out T sinTheta, out _))
        {
            (s, reward) = StepFar(s, p, action);
            return;
        }
        Advance(ref s, p, action, sinTheta, out reward);
    }

    /// <summary><see cref="Step"/> where some |θ| is beyond the trig polynomial: the library sine there. By value, so that
    /// no reference to the state is taken on the hot path.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Pendulum<T> State, T Reward) StepFar(Pendulum<T> s, PendulumParams p, T action)
    {
        Advance(ref s, p, action, T.Sin(s.Theta), out T reward);
        return (s, reward);
    }

    /// <summary>The dynamics and the cost, given sin θ of the state's angle.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Advance(ref Pendulum<T> s, in PendulumParams p, T action, T sinTheta, out T reward)
    {
        T th = s.Theta, thDot = s.ThetaDot;
        T u = T.Min(T.Max(action, -T.Splat(p.MaxTorque)), T.Splat(p.MaxTorque));

        // Cost of the pre-step state: angle_normalize(th)^2 + 0.1·thdot^2 + 0.001·u^2.
        T pi = T.Splat(Math.PI);
        T thNorm = T.FlooredMod(th + pi, T.Splat(2 * Math.PI)) - pi;
        T costs = T.Square(thNorm) + T.Splat(0.1) * T.Square(thDot) + T.Splat(0.001) * T.Square(u);

        T dt = T.Splat(p.Dt), maxSpeed = T.Splat(p.MaxSpeed);
        T newThDot = thDot + (T.Splat(p.GravityCoef) * sinTheta + T.Splat(p.TorqueCoef) * u) * dt;
        newThDot = T.Min(T.Max(newThDot, -maxSpeed), maxSpeed);
        s.Theta = th + newThDot * dt;
        s.ThetaDot = newThDot;

        reward = -costs;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Observe<TWriter>(in Pendulum<T> s, in PendulumParams p, ref TWriter obs) where TWriter : struct, ILaneWriter<T>
    {
        obs.Write(0, T.Cos(s.Theta));
        obs.Write(1, T.Sin(s.Theta));
        obs.Write(2, s.ThetaDot);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load<TReader>(ref TReader src, out Pendulum<T> s) where TReader : struct, ILaneReader<T>
    {
        s.Theta = src.Read(0);
        s.ThetaDot = src.Read(1);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TWriter>(in Pendulum<T> s, ref TWriter dst) where TWriter : struct, ILaneWriter<T> =>
        dst.WriteFields(s.Theta, s.ThetaDot);
}
