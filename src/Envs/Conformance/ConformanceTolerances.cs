namespace RlKernels.Envs.Conformance;

/// <summary>
/// The thresholds of data/reference/gymnasium/README.md ("Tolerances"). A relative bound b means
/// |ours − reference| ≤ b·(1 + |reference|).
/// </summary>
/// <remarks>
/// Fast-precision flag excuse (the README allows a flip "when the recorded next_state is within 1e-5 of
/// the termination threshold"). To stay generic over envs, the checker does not know thresholds; it
/// excuses a terminated flip on a float lane when the row sits on a threshold, i.e. the double lane (D1)
/// gives both outcomes over the recorded state and starts next to it: the float32-rounded recorded
/// state, or the recorded state with one field moved by ±<see cref="FlagProbe"/>·(1 + |field|). A flip
/// far from every threshold is never excused, since such small moves cannot change the outcome there.
/// Truncation depends only on t and is always exact.
/// </remarks>
public static class ConformanceTolerances
{
    /// <summary>Reference: next_obs (float32) may differ by at most this many float32 ulps (libm sin/cos).</summary>
    public const long ReferenceObsUlps = 1;

    /// <summary>Reference: relative bound on reward.</summary>
    public const double ReferenceReward = 1e-9;

    /// <summary>Reference: relative bound on next_state (float64).</summary>
    public const double ReferenceState = 1e-9;

    /// <summary>Fast: relative bound on next_obs.</summary>
    public const double FastObs = 1e-5;

    /// <summary>Fast: relative bound on reward.</summary>
    public const double FastReward = 1e-5;

    /// <summary>
    /// Fast: next_state is reported, not judged — an angle wrapped into [-π, π] can land on the other
    /// side of ±π in float32 and differ by 2π while the observation (cos/sin) agrees.
    /// </summary>
    public const double FastStateReportedOnly = 1e-5;

    /// <summary>Fast: relative size of the state moves tried before a terminated flip is excused.</summary>
    public const double FlagProbe = 1e-5;
}
