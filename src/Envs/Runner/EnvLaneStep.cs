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
    /// <remarks>
    /// The state, bookkeeping and RNG are locals that no out-of-line call takes by reference: passing them
    /// to the episode-end call made the JIT keep them in stack memory for the whole step (every field stored
    /// and reloaded around each operation). The step writes everything back first; the rare episode-end
    /// work then reads what it needs from the lane value's memory again.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Step(ref TIO io, in TParams p, in StepSettings st, T action)
    {
        if (StepBody(ref io, p, st, action, observe: true, writeResults: true, out T ended, out T pending, out T counterBefore))
            EndEpisodes(io, p, st, ended, pending, counterBefore);
    }

    /// <summary>
    /// <see cref="Step"/> without its episode-end work: steps, writes the results, state and bookkeeping, and
    /// returns whether <see cref="FinishEpisodes"/> must run for this lane value (with the masks it takes), before
    /// the lane value's next step. The CPU runner defers that work to the end of a block's step, out of its hot loop.
    /// </summary>
    /// <param name="io">The lane value's memory.</param>
    /// <param name="p">Env constants.</param>
    /// <param name="st">Key, time limit, auto-reset mode.</param>
    /// <param name="action">The action of every element.</param>
    /// <param name="observe">Write the observations. The GPU kernels do; the CPU runner does not (it observes every env
    /// in a pass of its own after a call's last step, out of the hot loop), and its state reader then says so
    /// (<see cref="ILaneReader{T}.Observed"/>).</param>
    /// <param name="writeResults">Write the rewards, the terminated / truncated flags and the episode statistics. A multi-step call's outputs are
    /// those of its last step (<see cref="IVectorEnv.StepRandom"/>), so the CPU runner writes them on that step only.</param>
    /// <param name="ended">Mask: envs whose episode ended in this step.</param>
    /// <param name="pending">Mask: envs that reset in this step (next-step mode; else false).</param>
    /// <param name="counterBefore">Bits: the RNG counters before this step (next-step resets draw from them).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool StepBody(ref TIO io, in TParams p, in StepSettings st, T action, bool observe, bool writeResults, out T ended, out T pending,
        out T counterBefore)
    {
        var stateReader = new StepStateReader<T, TIO>(io, observe);
        TEnv.Load(ref stateReader, out TEnv s);
        var rng = new LaneRng<T>(io.ReadRngCounter(), io.EnvIndex(), st.Key0, st.Key1, LaneRng<T>.EnvPurpose);

        TEnv.Step(ref s, p, action, ref rng, out T reward, out T terminated);
        // The bookkeeping is read after the env's step (the counter again), so that none of it is live across a call the
        // step may make (CartPole's far-angle path): the JIT would keep it in stack memory for the whole step.
        // The pending flag matters to next-step mode only, and no step changes it (episode ends do).
        // An env whose reward never changes keeps no running return: its return is that reward × the length.
        bool constantReward = TEnv.ConstantReward(p, out double stepReward);
        io.ReadBook(out EnvBook<T> book, withPending: st.Mode == AutoResetMode.NextStep, withReturn: !constantReward);
        counterBefore = book.RngCounter;
        if (!constantReward) book.EpisodeReturn += reward;
        book.EpisodeLength += T.Splat(1);
        // Gymnasium's TimeLimit: truncated whenever the step count reaches the limit, terminated or not.
        T truncated = st.MaxEpisodeSteps > 0
            ? T.GreaterOrEqual(book.EpisodeLength, T.Splat(st.MaxEpisodeSteps))
            : T.FalseMask;
        T done = T.Or(terminated, truncated);

        // Next-step mode (Gymnasium's vector default): envs that ended in the previous step reset now and
        // their step result is discarded. In the other modes no env is pending when a step starts.
        pending = st.Mode == AutoResetMode.NextStep ? book.Pending : T.FalseMask;
        ended = T.AndNot(done, pending);
        if (writeResults)
        {
            io.WriteStep(T.Select(pending, T.Splat(0), reward), T.AndNot(terminated, pending), T.AndNot(truncated, pending));
            io.WriteEpisode(ended, constantReward ? T.Splat(stepReward) * book.EpisodeLength : book.EpisodeReturn, book.EpisodeLength);
        }
        // Same-step mode restarts the ended episodes' return and length here, in registers: the episode-end work then only
        // resets their states (and writes final observations), and the CPU runner's steps before a call's last skip it
        // for the packed resets alone. The restart there is the same, so doing it twice changes nothing.
        if (st.Mode == AutoResetMode.SameStep)
        {
            if (!constantReward) book.EpisodeReturn = T.Select(ended, T.Splat(0), book.EpisodeReturn);
            book.EpisodeLength = T.Select(ended, T.Splat(0), book.EpisodeLength);
        }
        var stateWriter = new StateWriter<T, TIO>(io);
        TEnv.Store(s, ref stateWriter);
        if (observe)
        {
            var obsWriter = new ObservationWriter<T, TIO>(io);
            TEnv.Observe(s, p, ref obsWriter);
        }
        book.RngCounter = rng.Counter;
        io.WriteBook(book, withCounter: rng.Draws != 0, withPending: false, withReturn: !constantReward);
        return T.AnyTrue(T.Or(done, pending));
    }

    /// <summary>
    /// Records the episodes that <paramref name="ended"/> and resets in the configured mode: same-step resets
    /// them now (keeping their final observations), next-step resets the <paramref name="pending"/> envs (from
    /// <paramref name="counterBefore"/>, their RNG counter before this step) and marks the ended ones pending,
    /// disabled marks them pending. Reads and writes the lane value's memory (written by the step before).
    /// Out of line: it runs for a minority of lane values, and inlining it would crowd the hot step out of
    /// the JIT's budget.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EndEpisodes(TIO io, TParams p, in StepSettings st, T ended, T pending, T counterBefore) =>
        FinishEpisodes(ref io, p, st, ended, pending, counterBefore, observe: true, observeResets: true);

    /// <summary>The episode-end work of a step whose <see cref="StepBody"/> returned true (see <see cref="EndEpisodes"/>);
    /// <paramref name="observe"/> as the step's. Without it (a step before a multi-step call's last) only the resets
    /// and the bookkeeping run: the call's outputs are those of its last step (<see cref="IVectorEnv.StepRandom"/>), so
    /// the new episodes' observations and the ended episodes' final observations would be overwritten or left unread
    /// (returns and lengths are written by <see cref="StepBody"/> with the step's results). A frame stack's final observation alone is 16 features per ended env.
    /// <paramref name="observeResets"/>: write the new episodes' observations (with <paramref name="observe"/>); false where
    /// the caller observes every env after the step anyway (the CPU runner's observation pass).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FinishEpisodes(ref TIO io, in TParams p, in StepSettings st, T ended, T pending, T counterBefore, bool observe,
        bool observeResets)
    {
        RecordEpisodeEnds(ref io, p, st, ended, pending, counterBefore, observe, out EnvBook<T> book, out T resetMask, out T resetCounter);
        if (T.AnyTrue(resetMask))
        {
            var rng = new LaneRng<T>(resetCounter, io.EnvIndex(), st.Key0, st.Key1, LaneRng<T>.EnvPurpose);
            ResetInto(ref io, p, resetMask, ref rng, observe && observeResets);
            book.Restart(resetMask, rng.Counter);
        }
        io.WriteBook(book, withCounter: true, withPending: true, withReturn: true);
    }

    /// <summary>
    /// <see cref="FinishEpisodes"/> less the resets themselves: records the episode ends, writes the bookkeeping with the envs
    /// to reset restarted (return and length 0, RNG counter <paramref name="resetCounter"/>, the counter their reset draws from),
    /// and says which envs the caller must reset (with <see cref="ResetFromCounter"/>, the counter then advanced by its
    /// draws). The CPU runner resets the envs of many lane values packed together, so that a step's few resets run the
    /// reset's Philox rounds on full lanes rather than on every lane value with one ended env.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FinishEpisodesExceptResets(ref TIO io, in TParams p, in StepSettings st, T ended, T pending, T counterBefore,
        bool observe, out T resetMask, out T resetCounter)
    {
        RecordEpisodeEnds(ref io, p, st, ended, pending, counterBefore, observe, out EnvBook<T> book, out resetMask, out resetCounter);
        book.Restart(resetMask, resetCounter);
        io.WriteBook(book, withCounter: true, withPending: true, withReturn: true);
    }

    /// <summary>
    /// A fresh episode's state for the envs <paramref name="envIndex"/> whose RNG counters are <paramref name="counter"/>
    /// (the same draws as <see cref="FinishEpisodes"/>'s reset of those envs); <paramref name="rng"/> is left after the draws.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ResetFromCounter(T counter, T envIndex, in TParams p, in StepSettings st, out TEnv fresh, out LaneRng<T> rng)
    {
        rng = new LaneRng<T>(counter, envIndex, st.Key0, st.Key1, LaneRng<T>.EnvPurpose);
        TEnv.Reset(out fresh, p, ref rng);
    }

    /// <summary>The episode-end work before the resets: final observations and the pending flags; the envs to reset and
    /// the RNG counters their resets draw from.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RecordEpisodeEnds(ref TIO io, in TParams p, in StepSettings st, T ended, T pending, T counterBefore, bool observe,
        out EnvBook<T> book, out T resetMask, out T resetCounter)
    {
        io.ReadBook(out book, withPending: true, withReturn: true);
        // One reset site for both modes that reset (the inlined reset is the bulk of this method's code): same-step resets
        // the ended envs from their counters now, next-step the pending ones from their counters before this step.
        resetMask = T.FalseMask;
        resetCounter = book.RngCounter;
        if (st.Mode == AutoResetMode.SameStep)
        {
            if (observe)
            {
                TEnv.Load(ref io, out TEnv s);
                var finalWriter = new FinalObservationWriter<T, TIO>(io, ended);
                TEnv.Observe(s, p, ref finalWriter);
            }
            resetMask = ended;
        }
        else if (st.Mode == AutoResetMode.NextStep)
        {
            (resetMask, resetCounter) = (pending, counterBefore);
            book.Pending = ended;
        }
        else
        {
            book.Pending = T.Or(book.Pending, ended);
        }
    }

    /// <summary>Starts new episodes where <paramref name="mask"/> is true; the others are left as they are.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reset(ref TIO io, in TParams p, in StepSettings st, T mask)
    {
        io.ReadBook(out EnvBook<T> book, withPending: true, withReturn: true);
        var rng = new LaneRng<T>(book.RngCounter, io.EnvIndex(), st.Key0, st.Key1, LaneRng<T>.EnvPurpose);
        ResetInto(ref io, p, mask, ref rng, observe: true);
        book.Restart(mask, rng.Counter);
        book.Pending = T.AndNot(book.Pending, mask);
        io.WriteBook(book, withCounter: true, withPending: true, withReturn: true);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ResetInto(ref TIO io, in TParams p, T mask, ref LaneRng<T> rng, bool observe)
    {
        TEnv.Reset(out TEnv fresh, p, ref rng);
        var stateWriter = new MaskedStateWriter<T, TIO>(io, mask);
        TEnv.Store(fresh, ref stateWriter);
        if (observe)
        {
            var obsWriter = new MaskedObservationWriter<T, TIO>(io, mask);
            TEnv.Observe(fresh, p, ref obsWriter);
        }
    }
}
