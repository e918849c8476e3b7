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
// Layout (F = inner obsSize, k = stack size):
//   obs[j·F + f]  = feature f of observation t−k+1+j   (j = k−1 is the newest)
//   obs[k·F + j]  = the action that led to observation t−k+1+j (only with actions on)
// The history keeps them newest first (slot j·F + f = feature f of observation t−j, slot k·F + j =
// the action that led to it), so the inner env observes straight into slots [0, F) with constant
// indices; Observe reorders while it writes.
// Padding after a reset: "reset" (Gymnasium's default) repeats the reset observation in every older
// frame; "zero" fills them with 0. Actions before the first step are 0 in both modes (for a discrete
// env, 0 is also a real action: a known ambiguity, as in most action-stacking wrappers).
// State layout: history slots first (fields [0, Capacity)), then the inner env's fields, because Load
// and Store get no parameters and so can only know the history's size from its type.

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
    /// <summary>The history, newest first: k observations of F features, then (with actions on) k actions.</summary>
    public THistory Frames;

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
        var names = new string[THistory.Capacity + inner.StateSize];
        for (int i = 0; i < THistory.Capacity; i++) names[i] = $"stack_slot{i}";
        Array.Copy(inner.StateNames, 0, names, THistory.Capacity, inner.StateSize);
        return inner with { ObsSize = obsSize, ObsLow = low, ObsHigh = high, StateNames = names };
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reset(out FrameStack<TInner, T, TParams, THistory> s, in FrameStackParams<TParams> p, ref LaneRng<T> rng)
    {
        TInner.Reset(out s.Inner, p.Inner, ref rng);
        s.Frames = default;
        TInner.Observe(s.Inner, p.Inner, ref s.Frames); // the newest frame: slots [0, F)
        if (p.ResetPadding != 0)
        {
            int frames = p.StackSize * p.FrameSize;
            for (int i = p.FrameSize; i < frames; i++) s.Frames.Set(i, s.Frames.Get(i - p.FrameSize));
        }
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Step(ref FrameStack<TInner, T, TParams, THistory> s, in FrameStackParams<TParams> p, T action, ref LaneRng<T> rng,
        out T reward, out T terminated)
    {
        TInner.Step(ref s.Inner, p.Inner, action, ref rng, out reward, out terminated);
        Age(ref s.Frames, p, action);
        TInner.Observe(s.Inner, p.Inner, ref s.Frames); // the newest frame: slots [0, F)
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Observe<TWriter>(in FrameStack<TInner, T, TParams, THistory> s, in FrameStackParams<TParams> p, ref TWriter obs)
        where TWriter : struct, ILaneWriter<T>
    {
        // Every slot in use, in slot order (no switch per slot); the writer puts each at its place.
        var stacked = new StackedObservationWriter<T, TWriter>(obs, p.FrameSize, p.StackSize, p.FrameReciprocal);
        THistory.WriteSlots(s.Frames, ref stacked, 0, p.ObsSize);
        obs = stacked.Inner;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load<TReader>(ref TReader src, out FrameStack<TInner, T, TParams, THistory> s) where TReader : struct, ILaneReader<T>
    {
        THistory.Load(ref src, 0, out s.Frames);
        var inner = new OffsetReader<T, TReader>(src, THistory.Capacity);
        TInner.Load(ref inner, out s.Inner);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TWriter>(in FrameStack<TInner, T, TParams, THistory> s, ref TWriter dst) where TWriter : struct, ILaneWriter<T>
    {
        THistory.WriteSlots(s.Frames, ref dst, 0, THistory.Capacity);
        var inner = new OffsetWriter<T, TWriter>(dst, THistory.Capacity);
        TInner.Store(s.Inner, ref inner);
        dst = inner.Inner;
    }

    /// <summary>Ages every frame and action by one step (the oldest drop out) and records <paramref name="action"/>.</summary>
    /// <remarks>Out of line: a loop of switches (slots by run-time index) that need not crowd the step's inlining budget.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Age(ref THistory frames, in FrameStackParams<TParams> p, T action)
    {
        int f = p.FrameSize;
        for (int i = (p.StackSize - 1) * f - 1; i >= 0; i--) frames.Set(i + f, frames.Get(i));
        if (p.StackActions != 0)
        {
            int first = p.StackSize * f;
            for (int i = first + p.StackSize - 1; i > first; i--) frames.Set(i, frames.Get(i - 1));
            frames.Set(first, action);
        }
    }
}
