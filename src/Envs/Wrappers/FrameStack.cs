using System.Runtime.CompilerServices;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;

namespace RlKernels.Envs.Wrappers;

// Frame stack: the observation is the inner env's last k observations, oldest first, optionally
// followed by the last k actions, as Gymnasium's FrameStackObservation (gymnasium/wrappers/stateful_observation.py)
// with an action history added. The history is part of the env state (slots of a fixed-capacity
// IFrameHistory), so the batched runner stores, resets and auto-resets it like any state field, on
// every backend, and the final observation of an ended episode is the full stack.
//
// Observation layout (F = inner obsSize, k = stack size):
//   obs[j·F + f]  = feature f of observation t−k+1+j   (j = k−1 is the newest)
//   obs[k·F + j]  = the action that led to observation t−k+1+j (only with actions on)
// The history is a ring indexed in place: frame r holds slots [r·F, r·F + F), its action slot k·F + r, and the
// newest frame is at the ring position Head. A step writes only the new frame and action at the next position (a
// history shifted by one frame per step loaded and stored every slot); Observe reads the ring from Head back.
// Head is the same in every env: every step call steps all envs. A reset does not know it (Reset gets no state), so it
// writes no ring frame at all: it keeps the episode's first observation in F slots of its own, after the stacked ones,
// and sets Steps, the steps since the reset capped at k, to 0. Observe shows ring frames younger than Steps; the frame
// of age Steps is the first observation, and the older ones are padding: the first observation again with "reset"
// padding (Gymnasium's default), 0 with "zero". Actions older than Steps are 0 in both modes (for a discrete env, 0 is
// also a real action: a known ambiguity, as in most action-stacking wrappers). A reset so writes F + 1 fields of the
// wrapper instead of every frame of the ring (k·F, 16 for CartPole with k = 4), one env at a time (19% of a
// frame-stacked CartPole's time went to its packed resets when they wrote the ring).
// State layout: history slots first (fields [0, Capacity): the ring, the actions, the first observation), then Head,
// Steps and the inner env's fields, because Load and Store get no parameters and so can only know the history's size
// from its type.

/// <summary>Parameters of <see cref="FrameStack{TInner, T, TParams, THistory}"/>.</summary>
public readonly struct FrameStackParams<TParams> where TParams : struct
{
    /// <summary>The inner env's constants.</summary>
    public readonly TParams Inner;
    /// <summary>k: observations stacked (≥ 1).</summary>
    public readonly int StackSize;
    /// <summary>F: features per inner observation.</summary>
    public readonly int FrameSize;
    /// <summary>1: the last k actions follow the observations.</summary>
    public readonly int StackActions;
    /// <summary>1: pad with the reset observation (Gymnasium's "reset"); 0: pad with zeros.</summary>
    public readonly int ResetPadding;

    /// <summary>Stacks <paramref name="stackSize"/> observations of <paramref name="frameSize"/> features each.</summary>
    /// <param name="inner">The inner env's constants.</param>
    /// <param name="stackSize">k: observations stacked (≥ 1; checked by <c>Spec</c>).</param>
    /// <param name="frameSize">F: the inner env's observation size.</param>
    /// <param name="stackActions">Append the last k actions after the observations.</param>
    /// <param name="resetPadding">Pad with the reset observation (true) or zeros (false).</param>
    public FrameStackParams(TParams inner, int stackSize, int frameSize, bool stackActions, bool resetPadding)
    {
        Inner = inner;
        StackSize = stackSize;
        FrameSize = frameSize;
        StackActions = stackActions ? 1 : 0;
        ResetPadding = resetPadding ? 1 : 0;
    }

    /// <summary>Features of the stacked observation: the ring's frames and actions.</summary>
    public int ObsSize => StackSize * FrameSize + StackActions * StackSize;

    /// <summary>The first of the F history slots that hold the episode's first observation (after the stacked ones).</summary>
    public int FirstObsSlot => ObsSize;

    /// <summary>History slots in use: the stacked observation's and the episode's first observation.</summary>
    public int HistorySlots => ObsSize + FrameSize;
}

/// <summary>The inner env with its last k observations (and optionally actions) as the observation.</summary>
public struct FrameStack<TInner, T, TParams, THistory> : IEnv<FrameStack<TInner, T, TParams, THistory>, T, FrameStackParams<TParams>>, IEnvSpec<FrameStackParams<TParams>>
    where TInner : struct, IEnv<TInner, T, TParams>, IEnvSpec<TParams>
    where T : struct, ILane<T>
    where TParams : struct
    where THistory : struct, IFrameHistory<THistory, T>
{
    /// <summary>The inner env's state (state fields after the history's).</summary>
    public TInner Inner;
    /// <summary>The history: a ring of k observations of F features, then (with actions on) k actions, then the episode's
    /// first observation.</summary>
    public THistory Frames;
    /// <summary>The ring position of the newest frame, in [0, k): the same in every element and every env.</summary>
    public T Head;
    /// <summary>Steps since the episode's reset, capped at k: the ring frames of the episode (the older frames are padding).</summary>
    public T Steps;

    // What Store writes; set by Reset, Load and Step, never stored. Store gets no parameters, so they say it.
    /// <summary>After Step or Reset: the first slot and the size of the frame it wrote (a step's newest ring frame, a
    /// reset's first observation), and its action slot (−1: none); Load sets size 0.</summary>
    private int _newFrameSlot, _newFrameSize, _newActionSlot;
    /// <summary>False after Reset: Head is left as stored.</summary>
    private bool _storeHead;

    /// <summary>Field of Head in the state (Steps follows it, then the inner env's fields).</summary>
    private static int HeadField => THistory.Capacity;

    /// <inheritdoc/>
    public static EnvSpec Spec(in FrameStackParams<TParams> p)
    {
        EnvSpec inner = TInner.Spec(p.Inner);
        if (p.StackSize < 1)
            throw new ArgumentOutOfRangeException(nameof(p), p.StackSize, $"{inner.Id}: frame_stack must be at least 1.");
        if (p.FrameSize != inner.ObsSize)
            throw new ArgumentException($"{inner.Id}: frame size {p.FrameSize} differs from the env's observation size {inner.ObsSize}.", nameof(p));
        int obsSize = p.ObsSize;
        if (p.HistorySlots > THistory.Capacity)
            throw new ArgumentOutOfRangeException(nameof(p), p.HistorySlots,
                $"{inner.Id}: a stack of {obsSize} features and a first observation of {p.FrameSize} exceed this history's {THistory.Capacity} slots.");
        var low = new float[obsSize];
        var high = new float[obsSize];
        for (int j = 0; j < p.StackSize; j++)
        {
            Array.Copy(inner.ObsLow, 0, low, j * p.FrameSize, p.FrameSize);
            Array.Copy(inner.ObsHigh, 0, high, j * p.FrameSize, p.FrameSize);
        }
        for (int j = p.StackSize * p.FrameSize; j < obsSize; j++)
        {
            // Padding actions are 0, which can lie outside a continuous Box.
            low[j] = Math.Min(0f, inner.Action.Low);
            high[j] = Math.Max(0f, inner.Action.High);
        }
        var names = new string[THistory.Capacity + 2 + inner.StateSize];
        for (int i = 0; i < THistory.Capacity; i++) names[i] = $"stack_slot{i}";
        for (int f = 0; f < p.FrameSize; f++) names[p.FirstObsSlot + f] = $"stack_first_obs{f}";
        names[HeadField] = "stack_head";
        names[HeadField + 1] = "stack_steps";
        Array.Copy(inner.StateNames, 0, names, HeadField + 2, inner.StateSize);
        return inner with { ObsSize = obsSize, ObsLow = low, ObsHigh = high, StateNames = names };
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reset(out FrameStack<TInner, T, TParams, THistory> s, in FrameStackParams<TParams> p, ref LaneRng<T> rng)
    {
        TInner.Reset(out TInner inner, p.Inner, ref rng);
        s.Inner = inner;
        // Only the first observation: with Steps = 0 no ring frame or action is shown, so the ring stays as it is, and so
        // does Head (Store writes neither).
        THistory.Unread(out s.Frames);
        s.Frames.WriteBase = p.FirstObsSlot;
        TInner.Observe(inner, p.Inner, ref s.Frames);
        s.Head = T.Splat(0);
        s.Steps = T.Splat(0);
        s._newFrameSlot = p.FirstObsSlot;
        s._newFrameSize = p.FrameSize;
        s._newActionSlot = -1;
        s._storeHead = false;
    }

    /// <inheritdoc/>
    /// <remarks>The inner env's: the wrapper does not change rewards.</remarks>
    public static bool ConstantReward(in FrameStackParams<TParams> p, out double reward) => TInner.ConstantReward(p.Inner, out reward);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Step(ref FrameStack<TInner, T, TParams, THistory> s, in FrameStackParams<TParams> p, T action, ref LaneRng<T> rng,
        out T reward, out T terminated)
    {
        // The inner state as a local of its own: the history's indexed slots make the whole wrapper state live in stack
        // memory, and the inner env's arithmetic on its fields there loaded and stored every field around each operation.
        TInner inner = s.Inner;
        TInner.Step(ref inner, p.Inner, action, ref rng, out reward, out terminated);
        s.Inner = inner;
        // The next ring position.
        int head = RingHead(s.Head, p) + 1;
        if (head == p.StackSize) head = 0;
        s.Head = T.Splat(head);
        s.Steps = T.Min(s.Steps + T.Splat(1), T.Splat(p.StackSize));
        int slot = head * p.FrameSize;
        s.Frames.WriteBase = slot;
        TInner.Observe(inner, p.Inner, ref s.Frames); // the newest frame: slots [slot, slot + F)
        s._storeHead = true;
        s._newFrameSlot = slot;
        s._newFrameSize = p.FrameSize;
        s._newActionSlot = -1;
        if (p.StackActions != 0)
        {
            s._newActionSlot = p.StackSize * p.FrameSize + head;
            s.Frames.Set(s._newActionSlot, action);
        }
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Observe<TWriter>(in FrameStack<TInner, T, TParams, THistory> s, in FrameStackParams<TParams> p, ref TWriter obs)
        where TWriter : struct, ILaneWriter<T>
    {
        // Output frame j (oldest first) is the ring frame of age a = k − 1 − j if the episode has it (a < Steps), else the
        // first observation (a = Steps, or any older one with reset padding) or 0.
        int k = p.StackSize, f = p.FrameSize, head = RingHead(s.Head, p);
        T zero = T.Splat(0);
        for (int j = 0; j < k; j++)
        {
            int age = k - 1 - j, frame = head - age;
            if (frame < 0) frame += k;
            T ageLane = T.Splat(age);
            T inEpisode = T.LessThan(ageLane, s.Steps);
            T firstShown = T.Equal(ageLane, s.Steps); // zero padding: the first observation at its own age only
            for (int i = 0; i < f; i++)
            {
                T first = THistory.Get(s.Frames, p.FirstObsSlot + i);
                T padding = p.ResetPadding != 0 ? first : T.Select(firstShown, first, zero);
                obs.Write(j * f + i, T.Select(inEpisode, THistory.Get(s.Frames, frame * f + i), padding));
            }
            if (p.StackActions != 0)
                obs.Write(k * f + j, T.Select(inEpisode, THistory.Get(s.Frames, k * f + frame), zero));
        }
    }

    /// <summary>Head as an index: every element holds the same; one outside [0, k) (never stored) reads as 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int RingHead(T head, in FrameStackParams<TParams> p)
    {
        int h = (int)T.Element(head, 0);
        return (uint)h < (uint)p.StackSize ? h : 0;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load<TReader>(ref TReader src, out FrameStack<TInner, T, TParams, THistory> s) where TReader : struct, ILaneReader<T>
    {
        // A step reads no past frame and stores only the new one: the ring is loaded only for Observe.
        if (src.Observed) THistory.Load(ref src, 0, out s.Frames);
        else THistory.Unread(out s.Frames);
        s.Head = src.Read(HeadField);
        s.Steps = src.Read(HeadField + 1);
        s._storeHead = true;
        s._newFrameSlot = 0;
        s._newFrameSize = 0;
        s._newActionSlot = -1;
        var inner = new OffsetReader<T, TReader>(src, HeadField + 2);
        TInner.Load(ref inner, out s.Inner);
    }

    /// <inheritdoc/>
    /// <remarks>Only what changed since Load: the frame and action a step wrote and Head, or a reset's first observation
    /// (not Head).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TWriter>(in FrameStack<TInner, T, TParams, THistory> s, ref TWriter dst) where TWriter : struct, ILaneWriter<T>
    {
        for (int i = s._newFrameSlot; i < s._newFrameSlot + s._newFrameSize; i++) dst.Write(i, THistory.Get(s.Frames, i));
        if (s._newActionSlot >= 0) dst.Write(s._newActionSlot, THistory.Get(s.Frames, s._newActionSlot));
        if (s._storeHead) dst.Write(HeadField, s.Head);
        dst.Write(HeadField + 1, s.Steps);
        var inner = new OffsetWriter<T, TWriter>(dst, HeadField + 2);
        TInner.Store(s.Inner, ref inner);
        dst = inner.Inner;
    }
}
