namespace RlKernels.Envs;

/// <summary>Declares Acrobot: its id, options and env type (registered in <see cref="EnvRegistry"/>).</summary>
internal sealed class AcrobotDeclaration : IEnvDeclaration<AcrobotParams>
{
    public static string Id => "Acrobot-v1";
    static TResult IEnvDeclaration<AcrobotParams>.Accept<T, TSink, TResult>(TSink sink, AcrobotParams p) => sink.Use<Acrobot<T>, AcrobotParams>(p);
    public static uint VelocityFeatures => 0b110000; // theta1_dot, theta2_dot
}

/// <summary>Acrobot constants (Gymnasium names).</summary>
public readonly struct AcrobotParams
{
    /// <summary>Gymnasium constants: time step (s, 0.2), link 1 length (m), link masses (kg), positions of the links' centres of mass (m), links' moment of inertia, gravity (m/s², 9.8), and the angular velocity limits of joints 1 and 2 (rad/s, 4π and 9π).</summary>
    public readonly LaneConstant Dt = 0.2, LinkLength1 = 1.0, LinkMass1 = 1.0, LinkMass2 = 1.0, LinkComPos1 = 0.5, LinkComPos2 = 0.5, LinkMoi = 1.0, Gravity = 9.8, MaxVel1 = 4 * Math.PI, MaxVel2 = 9 * Math.PI;

    // Constant sub-expressions of _dsdt, evaluated once in double in the source's order (m1 = LinkMass1,
    // l1 = LinkLength1, lc1/lc2 = LinkComPos1/2, I1 = I2 = LinkMoi, g = Gravity), so GPU kernels do no
    // float64 work.
    /// <summary>rk4's dt / 2.0 and dt / 6.0.</summary>
    public readonly LaneConstant HalfDt, SixthDt;
    /// <summary>m1·lc1**2, l1**2 + lc2**2, 2·l1·lc2 (d1 terms).</summary>
    public readonly LaneConstant D1Const, D1Links, D1Cos;
    /// <summary>lc2**2, l1·lc2 (d2 terms).</summary>
    public readonly LaneConstant D2Const, D2Cos;
    /// <summary>m2·lc2·g (phi2); -m2·l1·lc2, 2·m2·l1·lc2, (m1·lc1 + m2·l1)·g (phi1).</summary>
    public readonly LaneConstant Phi2Coef, Phi1Vel2Sq, Phi1Cross, Phi1Gravity;
    /// <summary>m2·l1·lc2 and m2·lc2**2 + I2 (ddtheta2).</summary>
    public readonly LaneConstant Dd2Vel1Sq, Dd2Denominator;

    /// <summary>Gymnasium's default Acrobot-v1 constants, with the dynamics' coefficients precomputed from them.</summary>
    public AcrobotParams()
    {
        HalfDt = Dt / 2.0;
        SixthDt = Dt / 6.0;
        double m1 = LinkMass1, m2 = LinkMass2, l1 = LinkLength1, lc1 = LinkComPos1, lc2 = LinkComPos2, g = Gravity;
        D1Const = m1 * Math.Pow(lc1, 2);
        D1Links = Math.Pow(l1, 2) + Math.Pow(lc2, 2);
        D1Cos = 2 * l1 * lc2;
        D2Const = Math.Pow(lc2, 2);
        D2Cos = l1 * lc2;
        Phi2Coef = m2 * lc2 * g;
        Phi1Vel2Sq = -m2 * l1 * lc2;
        Phi1Cross = 2 * m2 * l1 * lc2;
        Phi1Gravity = (m1 * lc1 + m2 * l1) * g;
        Dd2Vel1Sq = m2 * l1 * lc2;
        Dd2Denominator = m2 * Math.Pow(lc2, 2) + LinkMoi;
    }
}

// Acrobot-v1. Source: gymnasium/envs/classic_control/acrobot.py (Gymnasium 1.x, book_or_nips = "book",
// torque_noise_max = 0); equations as listed in data/reference/gymnasium/README.md, in the source's
// operation order (_dsdt, rk4 with t = [0, dt], wrap, bound); x**2 of a state value is C pow (T.Square).
// One RK4 step over [0, dt] with the torque held constant:
//   k1 = f(y0), k2 = f(y0 + dt/2·k1), k3 = f(y0 + dt/2·k2), k4 = f(y0 + dt·k3),
//   y1 = y0 + dt/6·(((k1 + 2·k2) + 2·k3) + k4).
// Then theta1, theta2 wrap into [-pi, pi] and the velocities are clipped to ±4·pi, ±9·pi. Terminated
// when -cos(theta1) - cos(theta2 + theta1) > 1; reward -1, or 0 on the terminating step.
// Deviations: Gymnasium's wrap() loops; here it is unrolled to WrapPasses conditional passes each way,
// bit-identical whenever at most that many 2·pi shifts are needed, i.e. unless one step moves an angle
// by more than 4·pi (the velocities are clipped to 4·pi and 9·pi rad/s and dt is 0.2 s). Reference precision (D1)
// otherwise follows the float64 arithmetic, but NumPy's float64 sin/cos (SIMD loops) and the C
// library's that D1 calls differ at the last bit in some calls: next_state then differs by ~1e-16
// relative (next_obs stays bit-identical as float32 on the reference files). Fast lanes compute in float32 with the lane's own sin/cos. Time limit (500), truncation and
// auto-reset belong to the runner. Reset draws U(-0.1, 0.1)^4 from the counter RNG (instead of NumPy's
// PCG64), in the lane's precision, then rounds it to float32 as the source does.
/// <summary>Acrobot-v1 state (theta1, theta2, theta1_dot, theta2_dot) and "book" dynamics.</summary>
public struct Acrobot<T> : IEnv<Acrobot<T>, T, AcrobotParams>, IEnvSpec<AcrobotParams> where T : struct, ILane<T>
{
    /// <summary>Joint angles (rad; theta1 from hanging down, theta2 relative to link 1) and their angular velocities (rad/s).</summary>
    public T Theta1, Theta2, Theta1Dot, Theta2Dot;

    /// <summary>Time limit in steps (Gymnasium registration), applied by the runner as truncation.</summary>
    public const int MaxEpisodeSteps = 500;
    /// <summary>Unrolled iterations of each of wrap()'s two loops.</summary>
    public const int WrapPasses = 2;

    /// <inheritdoc/>
    public static EnvSpec Spec(in AcrobotParams p)
    {
        float v1 = (float)p.MaxVel1, v2 = (float)p.MaxVel2;
        return new EnvSpec("Acrobot-v1", 6, ["theta1", "theta2", "theta1_dot", "theta2_dot"], ActionSpace.Discrete(3), MaxEpisodeSteps,
            [-1f, -1f, -1f, -1f, -v1, -v2], [1f, 1f, 1f, 1f, v1, v2], "gymnasium/envs/classic_control/acrobot.py");
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reset(out Acrobot<T> s, in AcrobotParams p, ref LaneRng<T> rng)
    {
        rng.NextUniform4(T.Splat(-0.1), T.Splat(0.1), out T u0, out T u1, out T u2, out T u3);
        s.Theta1 = T.RoundToFloat(u0);
        s.Theta2 = T.RoundToFloat(u1);
        s.Theta1Dot = T.RoundToFloat(u2);
        s.Theta2Dot = T.RoundToFloat(u3);
    }

    /// <summary>
    /// _dsdt for "book" dynamics: the accelerations at (theta1, theta2, dtheta1, dtheta2) under torque
    /// <paramref name="a"/>. (The angle derivatives are the velocities themselves.) Constant products come
    /// precomputed from <see cref="AcrobotParams"/>.
    /// </summary>
    /// <remarks>Not inlined: four RK4 stages of it inline would exhaust the JIT's inlining budget, leaving the
    /// lane operators themselves as calls (measured 2× slower). Its sin and cos hold no call: angles beyond the float
    /// lanes' trig polynomial (|x| above about 51,000 rad; a wrapped angle and an RK4 stage stay within about 10) take
    /// <see cref="AccelerationsFar"/>, the same arithmetic with the library functions there. With the library call
    /// inline, as <c>T.SinCos</c> and <c>T.Cos</c> have it, the JIT kept the arguments and results in stack memory
    /// across it (bench/README.md, stop 37).</remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void Accelerations(T theta1, T theta2, T dtheta1, T dtheta2, T a, in AcrobotParams p, out T ddtheta1, out T ddtheta2)
    {
        if (!T.SinCosIfNear(theta2, out T sin2, out T cos2)
            || !T.SinCosIfNear(theta1 + theta2 - T.Splat(Math.PI / 2.0), out _, out T cosPhi2)
            || !T.SinCosIfNear(theta1 - T.Splat(Math.PI / 2), out _, out T cosPhi1))
        {
            (ddtheta1, ddtheta2) = AccelerationsFar(theta1, theta2, dtheta1, dtheta2, a, p);
            return;
        }
        AccelerationsOf(sin2, cos2, cosPhi2, cosPhi1, dtheta1, dtheta2, a, p, out ddtheta1, out ddtheta2);
    }

    /// <summary><see cref="Accelerations"/> where some angle is beyond the trig polynomial: the library sin and cos there.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (T DDTheta1, T DDTheta2) AccelerationsFar(T theta1, T theta2, T dtheta1, T dtheta2, T a, AcrobotParams p)
    {
        T.SinCos(theta2, out T sin2, out T cos2);
        T cosPhi2 = T.Cos(theta1 + theta2 - T.Splat(Math.PI / 2.0)), cosPhi1 = T.Cos(theta1 - T.Splat(Math.PI / 2));
        AccelerationsOf(sin2, cos2, cosPhi2, cosPhi1, dtheta1, dtheta2, a, p, out T ddtheta1, out T ddtheta2);
        return (ddtheta1, ddtheta2);
    }

    /// <summary>The accelerations given sin θ2, cos θ2, cos(θ1 + θ2 − π/2) and cos(θ1 − π/2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void AccelerationsOf(T sin2, T cos2, T cosPhi2, T cosPhi1, T dtheta1, T dtheta2, T a, in AcrobotParams p,
        out T ddtheta1, out T ddtheta2)
    {
        T m2 = T.Splat(p.LinkMass2), moi = T.Splat(p.LinkMoi);
        T d1 = T.Splat(p.D1Const) + m2 * (T.Splat(p.D1Links) + T.Splat(p.D1Cos) * cos2) + moi + moi;
        T d2 = m2 * (T.Splat(p.D2Const) + T.Splat(p.D2Cos) * cos2) + moi;
        T phi2 = T.Splat(p.Phi2Coef) * cosPhi2;
        T phi1 = T.Splat(p.Phi1Vel2Sq) * T.Square(dtheta2) * sin2
            - T.Splat(p.Phi1Cross) * dtheta2 * dtheta1 * sin2
            + T.Splat(p.Phi1Gravity) * cosPhi1
            + phi2;
        ddtheta2 = (a + d2 / d1 * phi1 - T.Splat(p.Dd2Vel1Sq) * T.Square(dtheta1) * sin2 - phi2)
            / (T.Splat(p.Dd2Denominator) - T.Square(d2) / d1);
        ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    }

    /// <summary>Gymnasium's wrap(x, -pi, pi), its loops unrolled (see the header).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Wrap(T x)
    {
        T low = T.Splat(-Math.PI), high = T.Splat(Math.PI), diff = T.Splat(Math.PI - -Math.PI);
        for (int i = 0; i < WrapPasses; i++) x = T.Select(T.GreaterThan(x, high), x - diff, x);
        for (int i = 0; i < WrapPasses; i++) x = T.Select(T.LessThan(x, low), x + diff, x);
        return x;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Step(ref Acrobot<T> s, in AcrobotParams p, T action, ref LaneRng<T> rng, out T reward, out T terminated)
    {
        T torque = action - T.Splat(1.0); // AVAIL_TORQUE = [-1, 0, +1]
        s = Integrate(s, torque, p);
        // The terminal test without a call unless an angle is beyond the trig polynomial (see Accelerations).
        terminated = T.SinCosIfNear(s.Theta1, out _, out T cos1) && T.SinCosIfNear(s.Theta2 + s.Theta1, out _, out T cos12)
            ? T.GreaterThan(-cos1 - cos12, T.Splat(1.0))
            : TerminatedFar(s);
        reward = T.Select(terminated, T.Splat(0.0), T.Splat(-1.0));
    }

    /// <summary><see cref="Step"/>'s terminal test with the library cos (an angle beyond the trig polynomial).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static T TerminatedFar(Acrobot<T> s) => T.GreaterThan(-T.Cos(s.Theta1) - T.Cos(s.Theta2 + s.Theta1), T.Splat(1.0));

    /// <summary>One RK4 step of dt with the torque held, then the angles wrapped and the velocities bounded (Gymnasium's step
    /// up to its terminal test).</summary>
    /// <remarks>Not inlined: inlined into the runner's step loop, the four stages and the wraps went past the JIT's inlining
    /// budget there, and the runner's own small methods (state writes, bookkeeping) became calls.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static Acrobot<T> Integrate(in Acrobot<T> s, T torque, in AcrobotParams p)
    {
        T dt = T.Splat(p.Dt), dt2 = T.Splat(p.HalfDt);
        T y0 = s.Theta1, y1 = s.Theta2, y2 = s.Theta1Dot, y3 = s.Theta2Dot;

        // k = (dtheta1, dtheta2, ddtheta1, ddtheta2) at each stage.
        Accelerations(y0, y1, y2, y3, torque, p, out T k1c, out T k1d);
        T k1a = y2, k1b = y3;
        T k2a = y2 + dt2 * k1c, k2b = y3 + dt2 * k1d;
        Accelerations(y0 + dt2 * k1a, y1 + dt2 * k1b, k2a, k2b, torque, p, out T k2c, out T k2d);
        T k3a = y2 + dt2 * k2c, k3b = y3 + dt2 * k2d;
        Accelerations(y0 + dt2 * k2a, y1 + dt2 * k2b, k3a, k3b, torque, p, out T k3c, out T k3d);
        T k4a = y2 + dt * k3c, k4b = y3 + dt * k3d;
        Accelerations(y0 + dt * k3a, y1 + dt * k3b, k4a, k4b, torque, p, out T k4c, out T k4d);

        T two = T.Splat(2.0), dt6 = T.Splat(p.SixthDt);
        T theta1 = y0 + dt6 * (k1a + two * k2a + two * k3a + k4a);
        T theta2 = y1 + dt6 * (k1b + two * k2b + two * k3b + k4b);
        T theta1Dot = y2 + dt6 * (k1c + two * k2c + two * k3c + k4c);
        T theta2Dot = y3 + dt6 * (k1d + two * k2d + two * k3d + k4d);

        Acrobot<T> next;
        next.Theta1 = Wrap(theta1);
        next.Theta2 = Wrap(theta2);
        next.Theta1Dot = T.Min(T.Max(theta1Dot, -T.Splat(p.MaxVel1)), T.Splat(p.MaxVel1));
        next.Theta2Dot = T.Min(T.Max(theta2Dot, -T.Splat(p.MaxVel2)), T.Splat(p.MaxVel2));
        return next;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Observe<TWriter>(in Acrobot<T> s, in AcrobotParams p, ref TWriter obs) where TWriter : struct, ILaneWriter<T>
    {
        // Without a call unless an angle is beyond the trig polynomial (see Accelerations).
        if (!T.SinCosIfNear(s.Theta1, out T sin1, out T cos1) || !T.SinCosIfNear(s.Theta2, out T sin2, out T cos2))
        {
            ObserveFar(s, ref obs);
            return;
        }
        WriteObservation(s, sin1, cos1, sin2, cos2, ref obs);
    }

    /// <summary><see cref="Observe{TWriter}"/> with the library sin and cos (an angle beyond the trig polynomial).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ObserveFar<TWriter>(Acrobot<T> s, ref TWriter obs) where TWriter : struct, ILaneWriter<T>
    {
        T.SinCos(s.Theta1, out T sin1, out T cos1);
        T.SinCos(s.Theta2, out T sin2, out T cos2);
        WriteObservation(s, sin1, cos1, sin2, cos2, ref obs);
    }

    /// <summary>The observation (cos θ1, sin θ1, cos θ2, sin θ2, θ̇1, θ̇2), given the angles' sin and cos.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteObservation<TWriter>(in Acrobot<T> s, T sin1, T cos1, T sin2, T cos2, ref TWriter obs)
        where TWriter : struct, ILaneWriter<T>
    {
        obs.Write(0, cos1);
        obs.Write(1, sin1);
        obs.Write(2, cos2);
        obs.Write(3, sin2);
        obs.Write(4, s.Theta1Dot);
        obs.Write(5, s.Theta2Dot);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load<TReader>(ref TReader src, out Acrobot<T> s) where TReader : struct, ILaneReader<T>
    {
        s.Theta1 = src.Read(0);
        s.Theta2 = src.Read(1);
        s.Theta1Dot = src.Read(2);
        s.Theta2Dot = src.Read(3);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TWriter>(in Acrobot<T> s, ref TWriter dst) where TWriter : struct, ILaneWriter<T> =>
        dst.WriteFields(s.Theta1, s.Theta2, s.Theta1Dot, s.Theta2Dot);
}
