using System.Numerics;
using System.Numerics.Tensors;

namespace RlKernels.Envs.Runner;

/// <summary>Checks caller actions before anything changes, and converts them to the runner's float buffer.</summary>
internal static class ActionValidation
{
    /// <summary>
    /// Checks discrete actions and copies them as floats. Throws <see cref="InvalidOperationException"/> for a
    /// continuous env, <see cref="ArgumentException"/> on a length mismatch and <see cref="ArgumentOutOfRangeException"/>
    /// on an action outside [0, n).
    /// </summary>
    /// <param name="spec">The env's spec (action space and id for messages).</param>
    /// <param name="actions">[envCount] discrete actions.</param>
    /// <param name="dst">[envCount] the runner's action buffer (scratch: may be partly written on failure).</param>
    public static void CopyDiscrete(EnvSpec spec, ReadOnlySpan<int> actions, Span<float> dst)
    {
        CheckDiscrete(spec, actions, dst.Length);
        TensorPrimitives.ConvertTruncating<int, float>(actions, dst[..actions.Length]);
    }

    /// <summary>The checks of <see cref="CopyDiscrete"/> without the copy, for a runner that converts the actions itself.</summary>
    /// <param name="spec">The env's spec (action space and id for messages).</param>
    /// <param name="actions">[envCount] discrete actions.</param>
    /// <param name="envCount">The runner's env count.</param>
    public static void CheckDiscrete(EnvSpec spec, ReadOnlySpan<int> actions, int envCount)
    {
        if (!spec.Action.IsDiscrete)
            throw new InvalidOperationException($"{spec.Id} has a continuous action space {spec.Action}; pass float actions.");
        CheckLength(spec, actions.Length, envCount);
        int n = spec.Action.Count;
        // One vectorized pass (the scalar loop, then a min pass and a max pass, were a visible share of a
        // caller-actions step at 65,536 envs).
        int i = actions.IndexOfAnyExceptInRange(0, n - 1);
        if (i >= 0)
            throw new ArgumentOutOfRangeException(nameof(actions), actions[i], $"Action of env {i} is {actions[i]}; {spec.Id} takes actions in [0, {n}).");
    }

    /// <summary>
    /// Checks continuous actions and copies them. Throws <see cref="InvalidOperationException"/> for a
    /// discrete env and <see cref="ArgumentException"/> on a length mismatch or a non-finite action.
    /// </summary>
    /// <param name="spec">The env's spec (action space and id for messages).</param>
    /// <param name="actions">[envCount] continuous actions.</param>
    /// <param name="dst">[envCount] the runner's action buffer.</param>
    public static void CopyContinuous(EnvSpec spec, ReadOnlySpan<float> actions, Span<float> dst)
    {
        CheckContinuous(spec, actions, dst.Length);
        actions.CopyTo(dst);
    }

    /// <summary>The checks of <see cref="CopyContinuous"/> without the copy, for a runner that reads the actions itself.</summary>
    /// <param name="spec">The env's spec (action space and id for messages).</param>
    /// <param name="actions">[envCount] continuous actions.</param>
    /// <param name="envCount">The runner's env count.</param>
    public static void CheckContinuous(EnvSpec spec, ReadOnlySpan<float> actions, int envCount)
    {
        if (spec.Action.IsDiscrete)
            throw new InvalidOperationException($"{spec.Id} has a discrete action space {spec.Action}; pass int actions.");
        CheckLength(spec, actions.Length, envCount);
        int bad = FirstNonFinite(actions);
        if (bad >= 0)
            throw new ArgumentException($"Action of env {bad} is {actions[bad]}; actions must be finite numbers.", nameof(actions));
    }

    /// <summary>The step count of <c>StepRandom</c>: not negative, and one at a time when ended envs must be reset by hand.</summary>
    public static void CheckStepCount(int stepCount, AutoResetMode mode)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        if (stepCount > 1 && mode == AutoResetMode.Disabled)
            throw new ArgumentOutOfRangeException(nameof(stepCount), stepCount,
                "With auto-reset disabled, ended envs must be reset between steps: step one at a time.");
    }

    /// <summary>Index of the first NaN or infinity in <paramref name="x"/>, or -1: x - x is 0 exactly for finite x.</summary>
    private static int FirstNonFinite(ReadOnlySpan<float> x)
    {
        int i = 0;
        for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var v = new Vector<float>(x[i..]);
            if (!Vector.EqualsAll(v - v, Vector<float>.Zero)) break;
        }
        for (; i < x.Length; i++)
            if (!float.IsFinite(x[i])) return i;
        return -1;
    }

    private static void CheckLength(EnvSpec spec, int length, int envCount)
    {
        if (length != envCount)
            throw new ArgumentException($"Expected {envCount} actions (one per env of {spec.Id}), got {length}.", "actions");
    }
}
