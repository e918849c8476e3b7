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
    /// <summary>One step of one lane value with the given <paramref name="action"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Step<TEnv, T, TParams, TIO>(ref TIO io, in TParams p, in StepSettings st, T action)
        where TEnv : struct, IEnv<TEnv, T, TParams>
        where T : struct, ILane<T>
        where TParams : struct
        where TIO : struct, IEnvLaneIO<T>
    {
        TEnv.Load(ref io, out TEnv s);
        io.ReadBook(out EnvBook<T> book);
        T envIndex = io.EnvIndex();
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
            StepNextStepMode<TEnv, T, TParams, TIO>(ref io, p, st, ref s, ref book, envIndex, counterBefore, ref rng, reward, terminated, truncated, done);
            return;
        }

        io.WriteStep(reward, terminated, truncated);
        var stateWriter = new StateWriter<T, TIO>(io);
        TEnv.Store(s, ref stateWriter);
        var obsWriter = new ObservationWriter<T, TIO>(io);
        TEnv.Observe(s, p, ref obsWriter);
        book.RngCounter = rng.Counter;
        if (T.AnyTrue(done))
            EndEpisodes<TEnv, T, TParams, TIO>(ref io, p, st, s, done, ref rng, ref book);
        io.WriteBook(book);
    }

    /// <summary>
    /// Next-step auto-reset (Gymnasium's vector default): envs that ended in the previous step reset now
    /// and their step result is discarded. Out of line to keep the default path small.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StepNextStepMode<TEnv, T, TParams, TIO>(ref TIO io, in TParams p, in StepSettings st, ref TEnv s,
        ref EnvBook<T> book, T envIndex, T counterBefore, ref LaneRng<T> rng, T reward, T terminated, T truncated, T done)
        where TEnv : struct, IEnv<TEnv, T, TParams>
        where T : struct, ILane<T>
        where TParams : struct
        where TIO : struct, IEnvLaneIO<T>
    {
        // Envs that ended last step reset now: their step result is discarded.
        T pending = book.Pending;
        T zero = T.Splat(0);
        io.WriteStep(T.Select(pending, zero, reward), T.AndNot(terminated, pending), T.AndNot(truncated, pending));
        var stateWriter = new StateWriter<T, TIO>(io);
        TEnv.Store(s, ref stateWriter);
        var obsWriter = new ObservationWriter<T, TIO>(io);
        TEnv.Observe(s, p, ref obsWriter);
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
    }

    /// <summary>
    /// Records and (same-step mode) resets the episodes that ended. Out of line: it runs for a minority
    /// of lane values, and inlining it would crowd the hot step out of the JIT's budget.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EndEpisodes<TEnv, T, TParams, TIO>(ref TIO io, in TParams p, in StepSettings st, in TEnv s, T done,
        ref LaneRng<T> rng, ref EnvBook<T> book)
        where TEnv : struct, IEnv<TEnv, T, TParams>
        where T : struct, ILane<T>
        where TParams : struct
        where TIO : struct, IEnvLaneIO<T>
    {
        io.WriteEpisode(done, book.EpisodeReturn, book.EpisodeLength);
        if (st.Mode == AutoResetMode.SameStep)
        {
            var finalWriter = new FinalObservationWriter<T, TIO>(io, done);
            TEnv.Observe(s, p, ref finalWriter);
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
        var stateWriter = new MaskedStateWriter<T, TIO>(io, mask);
        TEnv.Store(fresh, ref stateWriter);
        var obsWriter = new MaskedObservationWriter<T, TIO>(io, mask);
        TEnv.Observe(fresh, p, ref obsWriter);
    }

    /// <summary>
    /// The Philox block holding the random actions of steps 4b .. 4b+3 (b = step / 4) for each env:
    /// purpose "action", counter (b, env index). Env i gets the same actions on every backend.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RandomActionBlock<T>(T envIndex, uint step, in StepSettings st, out T w0, out T w1, out T w2, out T w3)
        where T : struct, ILane<T> =>
        T.Philox(T.BitsSplat(step >> 2), envIndex, LaneRng<T>.ActionPurpose, 0, st.Key0, st.Key1, out w0, out w1, out w2, out w3);

    /// <summary>The action of step <paramref name="step"/>: word step % 4 of its block, mapped uniformly onto the action space.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T ActionFromBlock<T>(uint step, T w0, T w1, T w2, T w3, in StepSettings st) where T : struct, ILane<T>
    {
        T bits = (step & 3) switch { 0 => w0, 1 => w1, 2 => w2, _ => w3 };
        T unit = T.BitsToUnit(bits);
        if (st.ActionIsDiscrete)
            // Min guards the rounding of (1 - 2^-24)·n up to n.
            return T.Min(T.Floor(unit * T.Splat(st.ActionCount)), T.Splat(st.ActionCount - 1));
        return T.Splat(st.ActionLow) + T.Splat(st.ActionHigh - st.ActionLow) * unit;
    }

    /// <summary>The random action of step <paramref name="step"/> (one block per call; loops should keep the block).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T RandomAction<T>(T envIndex, uint step, in StepSettings st) where T : struct, ILane<T>
    {
        RandomActionBlock(envIndex, step, st, out T w0, out T w1, out T w2, out T w3);
        return ActionFromBlock(step, w0, w1, w2, w3, st);
    }
}
