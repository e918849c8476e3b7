using System.Runtime.CompilerServices;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;

namespace RlKernels.Envs.Runner;

/// <summary>
/// The runner's random actions (<c>StepRandom</c>): drawn from the counter RNG by env index and step, so env i
/// gets the same actions on every backend, lane width and thread count.
/// </summary>
public static class RandomActions
{
    /// <summary>
    /// The Philox block holding the random actions of steps 4b .. 4b+3 (b = step / 4) for each env:
    /// purpose "action", counter (b, env index). Env i gets the same actions on every backend.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block<T>(T envIndex, uint step, in StepSettings st, out T w0, out T w1, out T w2, out T w3)
        where T : struct, ILane<T> =>
        T.Philox(T.BitsSplat(step >> 2), envIndex, LaneRng<T>.ActionPurpose, 0, st.Key0, st.Key1, out w0, out w1, out w2, out w3);

    /// <summary>The action of step <paramref name="step"/>: word step % 4 of its block, mapped uniformly onto the action space.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T FromBlock<T>(uint step, T w0, T w1, T w2, T w3, in StepSettings st) where T : struct, ILane<T>
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
    public static T Of<T>(T envIndex, uint step, in StepSettings st) where T : struct, ILane<T>
    {
        Block(envIndex, step, st, out T w0, out T w1, out T w2, out T w3);
        return FromBlock(step, w0, w1, w2, w3, st);
    }
}
