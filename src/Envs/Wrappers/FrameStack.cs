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
// Head is the same in every env: every step call steps all envs, and a reset writes every frame of the ring (the
// reset observation in each), so it does not need the position and leaves it as it is (Store writes no Head then).
// Padding after a reset: "reset" (Gymnasium's default) repeats the reset observation in every older frame, which
// the reset's ring already holds; "zero" shows 0 for the frames older than the episode (Filled counts the
// episode's frames). Actions before the first step are 0 in both modes (for a discrete env, 0 is also a real
// action: a known ambiguity, as in most action-stacking wrappers).
// State layout: history slots first (fields [0, Capacity)), then Head, Filled and the inner env's fields, because
// Load and Store get no parameters and so can only know the history's size from its type.

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
    /// <summary>⌈2¹⁶ / F⌉: i / F = (i · FrameReciprocal) &gt;&gt; 16 for the slot indices i &lt; 64 (no division per slot).</summary>
    public readonly int FrameReciprocal;

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
        FrameReciprocal = frameSize > 0 ? (65536 + frameSize - 1) / frameSize : 0;
    }

    /// <summary>Features of the stacked observation (history slots in use).</summary>
    public int ObsSize => StackSize * FrameSize + StackActions * StackSize;
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
    /// <summary>The history, a ring: k observations of F features, then (with actions on) k actions.</summary>
    public THistory Frames;
    /// <summary>The ring position of the newest frame, in [0, k): the same in every element and every env.</summary>
    public T Head;
    /// <summary>Frames of the current episode in the ring, 1 to k (zero padding shows the older ones as 0).</summary>
    public T Filled;

    // What Store writes; set by Reset, Load and Step, never stored. Store gets no parameters, so they say it.
    /// <summary>After Reset: slots [0, count) (the whole ring), Head left as stored; else 0.</summary>
    private int _storeSlots;
    /// <summary>After Step: the first slot and the size of the frame it wrote, and its action slot (−1: none).</summary>
    private int _newFrameSlot, _newFrameSize, _newActionSlot;

    /// <summary>Field of Head in the state (Filled follows it, then the inner env's fields).</summary>
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
        if (obsSize > THistory.Capacity)
            throw new ArgumentOutOfRangeException(nameof(p), obsSize,
                $"{inner.Id}: a stack of {obsSize} features exceeds this history's {THistory.Capacity} slots.");
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
        names[HeadField] = "stack_head";
        names[HeadField + 1] = "stack_filled";
        Array.Copy(inner.StateNames, 0, names, HeadField + 2, inner.StateSize);
        return inner with { ObsSize = obsSize, ObsLow = low, ObsHigh = high, StateNames = names };
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reset(out FrameStack<TInner, T, TParams, THistory> s, in FrameStackParams<TParams> p, ref LaneRng<T> rng)
    {
        TInner.Reset(out TInner inner, p.Inner, ref rng);
        s.Inner = inner;
        // Every frame of the ring holds the reset observation, so the ring is right at any Head: the one in memory stays.
        // Observed into each frame (no copy from slot to slot), and only the slots in use written.
        THistory.Unread(out s.Frames);
        for (int j = 0; j < p.StackSize; j++)
        {
            s.Frames.WriteBase = j * p.FrameSize;
            TInner.Observe(inner, p.Inner, ref s.Frames);
        }
        for (int i = p.StackSize * p.FrameSize; i < p.ObsSize; i++) s.Frames.Set(i, T.Splat(0)); // actions before the first step
        s.Head = T.Splat(0);
        s.Filled = T.Splat(1);
        s._storeSlots = p.ObsSize;
        s._newFrameSlot = 0;
        s._newFrameSize = 0;
        s._newActionSlot = -1;
    }

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
        s.Filled = T.Min(s.Filled + T.Splat(1), T.Splat(p.StackSize));
        int slot = head * p.FrameSize;
        s.Frames.WriteBase = slot;
        TInner.Observe(inner, p.Inner, ref s.Frames); // the newest frame: slots [slot, slot + F)
        s._storeSlots = 0;
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
        // Every slot in use, in slot order (no switch per slot); the writer puts each at its place.
        var stacked = new RingObservationWriter<T, TWriter>(obs, p.FrameSize, p.StackSize, p.FrameReciprocal, RingHead(s.Head, p),
            zeroPadding: p.ResetPadding == 0, s.Filled);
        THistory.WriteSlots(s.Frames, ref stacked, 0, p.ObsSize);
        obs = stacked.Inner;
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
        s.Filled = src.Read(HeadField + 1);
        s._storeSlots = 0;
        s._newFrameSlot = 0;
        s._newFrameSize = 0;
        s._newActionSlot = -1;
        var inner = new OffsetReader<T, TReader>(src, HeadField + 2);
        TInner.Load(ref inner, out s.Inner);
    }

    /// <inheritdoc/>
    /// <remarks>Only what changed since Load: the frame and action a step wrote and Head, or a reset's whole ring (not Head).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TWriter>(in FrameStack<TInner, T, TParams, THistory> s, ref TWriter dst) where TWriter : struct, ILaneWriter<T>
    {
        if (s._storeSlots > 0)
        {
            THistory.WriteSlots(s.Frames, ref dst, 0, s._storeSlots);
        }
        else
        {
            for (int i = s._newFrameSlot; i < s._newFrameSlot + s._newFrameSize; i++) dst.Write(i, THistory.Get(s.Frames, i));
            if (s._newActionSlot >= 0) dst.Write(s._newActionSlot, THistory.Get(s.Frames, s._newActionSlot));
            dst.Write(HeadField, s.Head);
        }
        dst.Write(HeadField + 1, s.Filled);
        var inner = new OffsetWriter<T, TWriter>(dst, HeadField + 2);
        TInner.Store(s.Inner, ref inner);
        dst = inner.Inner;
    }
}
