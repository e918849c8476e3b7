using System.Runtime.CompilerServices;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;

namespace RlKernels.Envs.Runner;

/// <summary>
/// The batched step written once for every backend: step the env, count the episode, apply the time
/// limit, write results and auto-reset in the configured mode. The CPU runner calls it per lane value,
/// the GPU kernels per thread (T = F1), through an <see cref="IEnvLaneIO{T}"/>.
/// </summary>
public static class EnvLaneStep
{
    /// <summary>One step of one lane value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Step<TEnv, T, TParams, TIO>(ref TIO io, in TParams p, in StepSettings st)
        where TEnv : struct, IEnv<TEnv, T, TParams>
        where T : struct, ILane<T>
        where TParams : struct
        where TIO : struct, IEnvLaneIO<T>
    {
        TEnv.Load(ref io, out TEnv s);
        io.ReadBook(out EnvBook<T> book);
        T envIndex = io.EnvIndex();
        T action = st.RandomActions ? RandomAction(envIndex, st) : io.ReadAction();
        T counterBefore = book.RngCounter;
        var rng = new LaneRng<T>(counterBefore, envIndex, st.Key0, st.Key1, LaneRng<T>.EnvPurpose);

        TEnv.Step(ref s, p, action, ref rng, out T reward, out T terminated);
        book.EpisodeReturn += reward;
        book.EpisodeLength += T.Splat(1);
        // Gymnasium's TimeLimit: truncated whenever the step count reaches the limit, terminated or not.
        T truncated = st.MaxEpisodeSteps > 0
            ? T.GreaterOrEqual(book.EpisodeLength, T.Splat(st.MaxEpisodeSteps))
            : T.FalseMask;
        T done = T.Or(terminated, truncated);

        if (st.Mode == AutoResetMode.NextStep)
        {
            // Envs that ended last step reset now: their step result is discarded.
            T pending = book.Pending;
            T zero = T.Splat(0);
            io.WriteStep(T.Select(pending, zero, reward), T.AndNot(terminated, pending), T.AndNot(truncated, pending));
            io.SetTarget(WriteTarget.State, T.FalseMask);
            TEnv.Store(s, ref io);
            io.SetTarget(WriteTarget.Observation, T.FalseMask);
            TEnv.Observe(s, p, ref io);
            T ended = T.AndNot(done, pending);
            if (T.AnyTrue(ended)) io.WriteEpisode(ended, book.EpisodeReturn, book.EpisodeLength);
            book.RngCounter = rng.Counter;
            if (T.AnyTrue(pending))
            {
                var resetRng = new LaneRng<T>(counterBefore, envIndex, st.Key0, st.Key1, LaneRng<T>.EnvPurpose);
                ResetInto<TEnv, T, TParams, TIO>(ref io, p, pending, ref resetRng);
                book.RngCounter = T.Select(pending, resetRng.Counter, book.RngCounter);
                book.EpisodeReturn = T.Select(pending, zero, book.EpisodeReturn);
                book.EpisodeLength = T.Select(pending, zero, book.EpisodeLength);
            }
            book.Pending = ended;
            io.WriteBook(book);
            return;
        }

        io.WriteStep(reward, terminated, truncated);
        io.SetTarget(WriteTarget.State, T.FalseMask);
        TEnv.Store(s, ref io);
        io.SetTarget(WriteTarget.Observation, T.FalseMask);
        TEnv.Observe(s, p, ref io);
        book.RngCounter = rng.Counter;
        if (T.AnyTrue(done))
        {
            io.WriteEpisode(done, book.EpisodeReturn, book.EpisodeLength);
            if (st.Mode == AutoResetMode.SameStep)
            {
                io.SetTarget(WriteTarget.FinalObservation, done);
                TEnv.Observe(s, p, ref io);
                ResetInto<TEnv, T, TParams, TIO>(ref io, p, done, ref rng);
                book.RngCounter = T.Select(done, rng.Counter, book.RngCounter);
                T zero = T.Splat(0);
                book.EpisodeReturn = T.Select(done, zero, book.EpisodeReturn);
                book.EpisodeLength = T.Select(done, zero, book.EpisodeLength);
            }
            else
            {
                book.Pending = T.Or(book.Pending, done);
            }
        }
        io.WriteBook(book);
    }

    /// <summary>Starts new episodes where <paramref name="mask"/> is true; the others are left as they are.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reset<TEnv, T, TParams, TIO>(ref TIO io, in TParams p, in StepSettings st, T mask)
        where TEnv : struct, IEnv<TEnv, T, TParams>
        where T : struct, ILane<T>
        where TParams : struct
        where TIO : struct, IEnvLaneIO<T>
    {
        io.ReadBook(out EnvBook<T> book);
        var rng = new LaneRng<T>(book.RngCounter, io.EnvIndex(), st.Key0, st.Key1, LaneRng<T>.EnvPurpose);
        ResetInto<TEnv, T, TParams, TIO>(ref io, p, mask, ref rng);
        T zero = T.Splat(0);
        book.RngCounter = T.Select(mask, rng.Counter, book.RngCounter);
        book.EpisodeReturn = T.Select(mask, zero, book.EpisodeReturn);
        book.EpisodeLength = T.Select(mask, zero, book.EpisodeLength);
        book.Pending = T.AndNot(book.Pending, mask);
        io.WriteBook(book);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ResetInto<TEnv, T, TParams, TIO>(ref TIO io, in TParams p, T mask, ref LaneRng<T> rng)
        where TEnv : struct, IEnv<TEnv, T, TParams>
        where T : struct, ILane<T>
        where TParams : struct
        where TIO : struct, IEnvLaneIO<T>
    {
        TEnv.Reset(out TEnv fresh, p, ref rng);
        io.SetTarget(WriteTarget.StateMasked, mask);
        TEnv.Store(fresh, ref io);
        io.SetTarget(WriteTarget.ObservationMasked, mask);
        TEnv.Observe(fresh, p, ref io);
    }

    /// <summary>
    /// A uniformly random action from the counter RNG, purpose "action", counter = the runner's step
    /// count: the same for env i on every backend.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T RandomAction<T>(T envIndex, in StepSettings st) where T : struct, ILane<T>
    {
        T.Philox(T.BitsSplat(st.ActionStep), envIndex, LaneRng<T>.ActionPurpose, 0, st.Key0, st.Key1,
            out T bits, out _, out _, out _);
        T unit = T.BitsToUnit(bits);
        if (st.ActionIsDiscrete)
            // Min guards the rounding of (1 - 2^-24)·n up to n.
            return T.Min(T.Floor(unit * T.Splat(st.ActionCount)), T.Splat(st.ActionCount - 1));
        return T.Splat(st.ActionLow) + T.Splat(st.ActionHigh - st.ActionLow) * unit;
    }
}
