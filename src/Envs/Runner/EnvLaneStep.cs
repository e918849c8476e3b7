using System.Runtime.CompilerServices;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;

namespace RlKernels.Envs.Runner;

/// <summary>
/// The batched step written once for every backend: step the env, count the episode, apply the time
/// limit, write results and auto-reset in the configured mode. The CPU runner calls it per lane value,
/// the GPU kernels per thread (T = F1), through an <see cref="IEnvLaneIO{T}"/>.
/// </summary>
public static class EnvLaneStep<TEnv, T, TParams, TIO>
    where TEnv : struct, IEnv<TEnv, T, TParams>
    where T : struct, ILane<T>
    where TParams : struct
    where TIO : struct, IEnvLaneIO<T>
{
    /// <summary>One step of one lane value with the given <paramref name="action"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Step(ref TIO io, in TParams p, in StepSettings st, T action)
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
            StepNextStepMode(ref io, p, st, ref s, ref book, envIndex, counterBefore, ref rng, reward, terminated, truncated, done);
            return;
        }

        io.WriteStep(reward, terminated, truncated);
        var stateWriter = new StateWriter<T, TIO>(io);
        TEnv.Store(s, ref stateWriter);
        var obsWriter = new ObservationWriter<T, TIO>(io);
        TEnv.Observe(s, p, ref obsWriter);
        book.RngCounter = rng.Counter;
        if (T.AnyTrue(done))
            EndEpisodes(ref io, p, st, s, done, ref rng, ref book);
        io.WriteBook(book);
    }

    /// <summary>
    /// Next-step auto-reset (Gymnasium's vector default): envs that ended in the previous step reset now
    /// and their step result is discarded. Out of line to keep the default path small.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StepNextStepMode(ref TIO io, in TParams p, in StepSettings st, ref TEnv s,
        ref EnvBook<T> book, T envIndex, T counterBefore, ref LaneRng<T> rng, T reward, T terminated, T truncated, T done)
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
            ResetInto(ref io, p, pending, ref resetRng);
            book.Restart(pending, resetRng.Counter);
        }
        book.Pending = ended;
        io.WriteBook(book);
    }

    /// <summary>
    /// Records and (same-step mode) resets the episodes that ended. Out of line: it runs for a minority
    /// of lane values, and inlining it would crowd the hot step out of the JIT's budget.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EndEpisodes(ref TIO io, in TParams p, in StepSettings st, in TEnv s, T done,
        ref LaneRng<T> rng, ref EnvBook<T> book)
    {
        io.WriteEpisode(done, book.EpisodeReturn, book.EpisodeLength);
        if (st.Mode == AutoResetMode.SameStep)
        {
            var finalWriter = new FinalObservationWriter<T, TIO>(io, done);
            TEnv.Observe(s, p, ref finalWriter);
            ResetInto(ref io, p, done, ref rng);
            book.Restart(done, rng.Counter);
        }
        else
        {
            book.Pending = T.Or(book.Pending, done);
        }
    }

    /// <summary>Starts new episodes where <paramref name="mask"/> is true; the others are left as they are.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reset(ref TIO io, in TParams p, in StepSettings st, T mask)
    {
        io.ReadBook(out EnvBook<T> book);
        var rng = new LaneRng<T>(book.RngCounter, io.EnvIndex(), st.Key0, st.Key1, LaneRng<T>.EnvPurpose);
        ResetInto(ref io, p, mask, ref rng);
        book.Restart(mask, rng.Counter);
        book.Pending = T.AndNot(book.Pending, mask);
        io.WriteBook(book);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ResetInto(ref TIO io, in TParams p, T mask, ref LaneRng<T> rng)
    {
        TEnv.Reset(out TEnv fresh, p, ref rng);
        var stateWriter = new MaskedStateWriter<T, TIO>(io, mask);
        TEnv.Store(fresh, ref stateWriter);
        var obsWriter = new MaskedObservationWriter<T, TIO>(io, mask);
        TEnv.Observe(fresh, p, ref obsWriter);
    }
}
