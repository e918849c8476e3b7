namespace RlKernels.Envs;

/// <summary>Declares CartPole: its id, options and env type (registered in <see cref="EnvRegistry"/>).</summary>
internal sealed class CartPoleDeclaration : IEnvDeclaration<CartPoleParams>
{
    public static string Id => "CartPole-v1";
    static TResult IEnvDeclaration<CartPoleParams>.Accept<T, TSink, TResult>(TSink sink, CartPoleParams p) => sink.Use<CartPole<T>, CartPoleParams>(p);
    public static uint VelocityFeatures => 0b1010; // x_dot, theta_dot
}

/// <summary>CartPole constants (Gymnasium names).</summary>
public readonly struct CartPoleParams
{
    /// <summary>Gymnasium constants: gravity (m/s², 9.8), cart and pole mass (kg, 1.0 and 0.1), half the pole length (m, 0.5), push force (N, 10), time step tau (s, 0.02), and the termination bounds on the pole angle (rad, 12°) and cart position (m, 2.4).
    /// Each a <see cref="LaneConstant"/>: float lanes broadcast its float32 rounding instead of converting per step.</summary>
    public readonly LaneConstant Gravity = 9.8, MassCart = 1.0, MassPole = 0.1, Length = 0.5, ForceMag = 10.0, Tau = 0.02, ThetaThresholdRadians = 12 * 2 * Math.PI / 360, XThreshold = 2.4;
    /// <summary>Cart plus pole mass (kg).</summary>
    public readonly LaneConstant TotalMass;
    /// <summary>Pole mass times half its length (kg·m).</summary>
    public readonly LaneConstant PoleMassLength;

    /// <summary>Gymnasium's default CartPole-v1 constants.</summary>
    public CartPoleParams()
    {
        TotalMass = MassPole + MassCart;
        PoleMassLength = MassPole * Length;
    }
}

// CartPole-v1. Source: gymnasium/envs/classic_control/cartpole.py (Gymnasium 1.x, default kwargs,
// sutton_barto_reward=False); equations and constants as listed in data/reference/gymnasium/README.md.
// Deviations: none in reference precision (D1). Fast lanes compute in float32 and use the lane's own
// sin/cos. Time limit (500), reward bookkeeping and auto-reset belong to the runner. Reset draws
// U(-0.05, 0.05)^4 from the counter RNG instead of NumPy's PCG64.
/// <summary>CartPole-v1 state (x, x_dot, theta, theta_dot) and dynamics.</summary>
public struct CartPole<T> : IEnv<CartPole<T>, T, CartPoleParams>, IEnvSpec<CartPoleParams> where T : struct, ILane<T>
{
    /// <summary>Cart position (m) and velocity (m/s), pole angle from upright (rad) and angular velocity (rad/s).</summary>
    public T X, XDot, Theta, ThetaDot;

    /// <summary>Time limit in steps (Gymnasium registration), applied by the runner as truncation.</summary>
    public const int MaxEpisodeSteps = 500;

    /// <inheritdoc/>
    public static EnvSpec Spec(in CartPoleParams p)
    {
        float xBound = (float)(p.XThreshold * 2), thetaBound = (float)(p.ThetaThresholdRadians * 2);
        return new EnvSpec("CartPole-v1", 4, ["x", "x_dot", "theta", "theta_dot"], ActionSpace.Discrete(2), MaxEpisodeSteps,
            [-xBound, float.MinValue, -thetaBound, float.MinValue], [xBound, float.MaxValue, thetaBound, float.MaxValue],
            "gymnasium/envs/classic_control/cartpole.py");
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reset(out CartPole<T> s, in CartPoleParams p, ref LaneRng<T> rng)
    {
        rng.NextUniform4(T.Splat(-0.05), T.Splat(0.05), out s.X, out s.XDot, out s.Theta, out s.ThetaDot);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Angles beyond the float lanes' trig polynomial (|θ| above about 51,000 rad; a live episode ends at 0.21) take
    /// <see cref="StepFar"/>, an out-of-line copy of the same step with the library sin/cos. Kept apart so that the hot
    /// step holds no call: with the library call inline (as <c>T.SinCos</c> has it), the JIT kept the state in stack
    /// memory across it, and CartPole ran 1.3–1.45× slower on 16-float lanes (bench/README.md, stop 36).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Step(ref CartPole<T> s, in CartPoleParams p, T action, ref LaneRng<T> rng, out T reward, out T terminated)
    {
        if (!T.SinCosIfNear(s.Theta, out T sinTheta, out T cosTheta))
        {
            (s, reward, terminated) = StepFar(s, p, action);
            return;
        }
        Advance(ref s, p, action, sinTheta, cosTheta, out reward, out terminated);
    }

    /// <summary><see cref="Step"/> where some |θ| is beyond the trig polynomial: the library sin/cos there. By value, not
    /// by reference: a reference to the state taken for a call would keep it in memory on the hot path too.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (CartPole<T> State, T Reward, T Terminated) StepFar(CartPole<T> s, CartPoleParams p, T action)
    {
        T.SinCos(s.Theta, out T sinTheta, out T cosTheta);
        Advance(ref s, p, action, sinTheta, cosTheta, out T reward, out T terminated);
        return (s, reward, terminated);
    }

    /// <summary>The dynamics and termination test, given sin θ and cos θ of the state's angle.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Advance(ref CartPole<T> s, in CartPoleParams p, T action, T sinTheta, T cosTheta, out T reward, out T terminated)
    {
        T forceMag = T.Splat(p.ForceMag);
        T force = T.Select(T.NonZero(action), forceMag, -forceMag);
        T totalMass = T.Splat(p.TotalMass), poleMassLength = T.Splat(p.PoleMassLength);
        T temp = (force + poleMassLength * (s.ThetaDot * s.ThetaDot) * sinTheta) / totalMass;
        T thetaAcc = (T.Splat(p.Gravity) * sinTheta - cosTheta * temp)
            / (T.Splat(p.Length) * (T.Splat(4.0 / 3.0) - T.Splat(p.MassPole) * (cosTheta * cosTheta) / totalMass));
        T xAcc = temp - poleMassLength * thetaAcc * cosTheta / totalMass;

        // Explicit Euler: positions advance with the old velocities.
        T tau = T.Splat(p.Tau);
        s.X = s.X + tau * s.XDot;
        s.XDot = s.XDot + tau * xAcc;
        s.Theta = s.Theta + tau * s.ThetaDot;
        s.ThetaDot = s.ThetaDot + tau * thetaAcc;

        T xLimit = T.Splat(p.XThreshold), thetaLimit = T.Splat(p.ThetaThresholdRadians);
        terminated = T.Or(
            T.Or(T.LessThan(s.X, -xLimit), T.GreaterThan(s.X, xLimit)),
            T.Or(T.LessThan(s.Theta, -thetaLimit), T.GreaterThan(s.Theta, thetaLimit)));
        reward = T.Splat(StepReward);
    }

    /// <summary>The reward of every step, the last included (Gymnasium's sutton_barto_reward=False).</summary>
    private const double StepReward = 1.0;

    /// <inheritdoc/>
    public static bool ConstantReward(in CartPoleParams p, out double reward)
    {
        reward = StepReward;
        return true;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Observe<TWriter>(in CartPole<T> s, in CartPoleParams p, ref TWriter obs) where TWriter : struct, ILaneWriter<T> =>
        Store(s, ref obs); // the observation is the state

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load<TReader>(ref TReader src, out CartPole<T> s) where TReader : struct, ILaneReader<T>
    {
        s.X = src.Read(0);
        s.XDot = src.Read(1);
        s.Theta = src.Read(2);
        s.ThetaDot = src.Read(3);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TWriter>(in CartPole<T> s, ref TWriter dst) where TWriter : struct, ILaneWriter<T> =>
        dst.WriteFields(s.X, s.XDot, s.Theta, s.ThetaDot);
}
