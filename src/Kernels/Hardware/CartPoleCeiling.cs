using System.Runtime.CompilerServices;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Threading;

namespace RlKernels.Kernels.Hardware;

/// <summary>
/// The practical env ceiling that <c>rlk bench</c> reports every env against: a hand-written CartPole step
/// loop over struct-of-arrays lane columns, with none of the runner's work (no random actions, no
/// resets, no time limit, no episode statistics, no observation or flag outputs). Only the dynamics and
/// the termination test, on the lanes and cores the <c>cpu</c> backend uses, with the same lane operations
/// (float32, <see cref="LaneTrig"/> sin/cos, the same divisions). It exists to say how far the engine is
/// from what the machine allows for this work; it is NOT the env's definition (that is
/// <c>RlKernels.Envs.CartPole</c>, checked against Gymnasium) and nothing trains on it.
/// </summary>
/// <remarks>
/// Loop order: steps outside, lane values inside, over blocks of <see cref="BlockVecs"/> lane values (16 KB of
/// state with 512-bit lanes, L1-resident). Consecutive lane values are independent, so the out-of-order core
/// overlaps their dependency chains; one lane value stepped K times in a row would be bound by the latency
/// of its own chain instead. Actions come from the state through a stabilizing feedback law, which keeps every
/// lane near upright and near the centre without resets (a push on the sign of θ̇ alone let the pole spin, so
/// after many steps θ grew into the thousands and the trig left its fast path: the row read 70 M to 1.5 G steps/s
/// from run to run).
/// </remarks>
public static class CartPoleCeiling
{
    /// <summary>Lane values stepped together (blocked for L1).</summary>
    public const int BlockVecs = 64;

    /// <summary>Below this many lane values per thread, a second thread is not used (the runner's rule).</summary>
    public const int MinVecsPerThread = 64;

    // Gymnasium's CartPole-v1 constants.
    private const double Gravity = 9.8, MassCart = 1.0, MassPole = 0.1, Length = 0.5, ForceMag = 10.0, Tau = 0.02;
    private const double TotalMass = MassCart + MassPole, PoleMassLength = MassPole * Length;
    private const double ThetaLimit = 12 * 2 * Math.PI / 360, XLimit = 2.4;

    /// <summary>
    /// Env-steps per second (median, min and max of <paramref name="repeats"/> timed repeats of about
    /// <paramref name="seconds"/> each) for <paramref name="envCount"/> envs, after a warm-up.
    /// </summary>
    /// <param name="envCount">Envs stepped (≥ 1).</param>
    /// <param name="width">Lane width: 16, 8, 4 or 1; 0 = the width the cpu backend uses (<see cref="LaneSelection.BestWidth"/>).</param>
    /// <param name="threads">Threads; 0 = all cores, fewer when each would get under <see cref="MinVecsPerThread"/> lane values.</param>
    /// <param name="seconds">Seconds per timed repeat.</param>
    /// <param name="repeats">Timed repeats (≥ 1).</param>
    public static CeilingRate MeasureStepsPerSecond(int envCount, int width = 0, int threads = 0, double seconds = 0.2, int repeats = 5)
    {
        if (repeats < 1) throw new ArgumentException($"Repeats must be ≥ 1, got {repeats}.", nameof(repeats));
        if (!(seconds > 0)) throw new ArgumentException($"Seconds must be positive, got {seconds}.", nameof(seconds));
        using var loop = CartPoleCeilingLoop.Create(envCount, width, threads);
        loop.WarmUp();
        var rates = new double[repeats];
        for (int r = 0; r < repeats; r++) rates[r] = loop.TimeRepeat(seconds);
        return CeilingRate.Of(rates, loop);
    }

    /// <summary>The loop's memory and a range job over it.</summary>
    internal sealed class Job<T> : IRangeJob where T : struct, ILane<T>
    {
        public readonly T[] X, XDot, Theta, ThetaDot;  // [VecCount] lane values each
        public readonly T[] Terminations;              // [VecCount]: float count of terminal steps (termination is only counted)
        public int VecCount { get; }
        public int Steps;

        public Job(int envCount)
        {
            VecCount = (envCount + T.Count - 1) / T.Count;
            X = new T[VecCount];
            XDot = new T[VecCount];
            Theta = new T[VecCount];
            ThetaDot = new T[VecCount];
            Terminations = new T[VecCount];
            // Small deterministic start states, different per env (as after a reset: |s| ≤ 0.05).
            var column = new float[T.Count];
            for (int v = 0; v < VecCount; v++)
            {
                for (int j = 0; j < T.Count; j++) column[j] = 0.05f * MathF.Sin(v * T.Count + j);
                X[v] = T.Load(column, 0, T.Count);
                XDot[v] = T.Splat(0.01) * X[v];
                Theta[v] = T.Splat(0.5) * X[v];
                ThetaDot[v] = -X[v];
            }
        }

        public bool IsFinite()
        {
            for (int v = 0; v < VecCount; v++)
                for (int j = 0; j < T.Count; j++)
                    if (!double.IsFinite(T.Element(X[v], j) + T.Element(Theta[v], j) + T.Element(XDot[v], j) + T.Element(ThetaDot[v], j)))
                        return false;
            return true;
        }

        public void Run(int start, int end) => StepRange(start, end, Steps);

        /// <summary><paramref name="steps"/> steps of lane values [start, end), block by block.</summary>
        /// <remarks>Out of line and fully optimized from its first call, as the engine's step loop (StepBlock): inlined
        /// into <see cref="Run"/>, it was compiled again when tiered PGO promoted Run, and that code ran two threads at
        /// one thread's rate (1.7 G steps/s for the first second of a run, then 0.65–0.9 G; steady at 1.7 G with tiered
        /// PGO off), so the ceiling row read anything from 0.6 to 1.8 G.</remarks>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public void StepRange(int start, int end, int steps)
        {
            for (int block = start; block < end; block += BlockVecs)
            {
                int blockEnd = Math.Min(end, block + BlockVecs);
                for (int k = 0; k < steps; k++)
                    for (int v = block; v < blockEnd; v++)
                        StepOne(ref X[v], ref XDot[v], ref Theta[v], ref ThetaDot[v], ref Terminations[v]);
            }
        }

        /// <remarks>The env's shape of the step (RlKernels.Envs.CartPole): no call on the hot path, an out-of-line copy with the
        /// library sin/cos for angles beyond the trig polynomial (which the controller never reaches). With the call inline,
        /// the JIT kept the state in stack memory across it, and the ceiling understated what the machine allows.</remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StepOne(ref T x, ref T xDot, ref T theta, ref T thetaDot, ref T terminations)
        {
            if (!T.SinCosIfNear(theta, out T sin, out T cos))
            {
                StepOneFar(ref x, ref xDot, ref theta, ref thetaDot, ref terminations);
                return;
            }
            Advance(ref x, ref xDot, ref theta, ref thetaDot, ref terminations, sin, cos);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void StepOneFar(ref T x, ref T xDot, ref T theta, ref T thetaDot, ref T terminations)
        {
            T.SinCos(theta, out T sin, out T cos);
            Advance(ref x, ref xDot, ref theta, ref thetaDot, ref terminations, sin, cos);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Advance(ref T x, ref T xDot, ref T theta, ref T thetaDot, ref T terminations, T sin, T cos)
        {
            // A linear state-feedback controller (bang-bang on 0.1·x + 0.2·ẋ + θ + 0.5·θ̇): it keeps θ within about
            // 0.03 rad and x within about 0.1 forever, so the trig stays on its small-argument path as in the env.
            T drive = T.Splat(0.1) * x + T.Splat(0.2) * xDot + theta + T.Splat(0.5) * thetaDot;
            T force = T.Select(T.GreaterThan(drive, T.Splat(0)), T.Splat(ForceMag), T.Splat(-ForceMag));
            T totalMass = T.Splat(TotalMass), poleMassLength = T.Splat(PoleMassLength);
            T temp = (force + poleMassLength * (thetaDot * thetaDot) * sin) / totalMass;
            T thetaAcc = (T.Splat(Gravity) * sin - cos * temp)
                / (T.Splat(Length) * (T.Splat(4.0 / 3.0) - T.Splat(MassPole) * (cos * cos) / totalMass));
            T xAcc = temp - poleMassLength * thetaAcc * cos / totalMass;
            T tau = T.Splat(Tau);
            x += tau * xDot;
            xDot += tau * xAcc;
            theta += tau * thetaDot;
            thetaDot += tau * thetaAcc;
            T xLimit = T.Splat(XLimit), thetaLimit = T.Splat(ThetaLimit);
            T terminated = T.Or(T.Or(T.LessThan(x, -xLimit), T.GreaterThan(x, xLimit)),
                T.Or(T.LessThan(theta, -thetaLimit), T.GreaterThan(theta, thetaLimit)));
            terminations += T.MaskToOne(terminated);
        }
    }
}

/// <summary>A measured rate: median, min and max over the repeats, and how it was run.</summary>
/// <param name="Median">Median env-steps per second.</param>
/// <param name="Min">Slowest repeat.</param>
/// <param name="Max">Fastest repeat.</param>
/// <param name="Lanes">Lane width.</param>
/// <param name="Threads">Threads.</param>
/// <param name="StepsPerCall">Steps per timed call.</param>
public readonly record struct CeilingRate(double Median, double Min, double Max, int Lanes, int Threads, int StepsPerCall)
{
    /// <summary>The rate of <paramref name="loop"/>'s timed repeats <paramref name="rates"/> (env-steps per second; at least one).</summary>
    public static CeilingRate Of(IReadOnlyList<double> rates, CartPoleCeilingLoop loop)
    {
        if (rates.Count == 0) throw new ArgumentException("At least one timed repeat is needed.", nameof(rates));
        return new CeilingRate(Medians.Of(rates), rates.Min(), rates.Max(), loop.Lanes, loop.Threads, loop.StepsPerCall);
    }
}
