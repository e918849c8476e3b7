using System.Runtime.CompilerServices;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;

namespace RlKernels.Envs.Runner;

/// <summary>
/// The runner's random actions (<c>StepRandom</c>): drawn from the counter RNG by env index and step, so env i
/// gets the same actions on every backend, lane width and thread count.
/// </summary>
/// <remarks>
/// One Philox block (four 32-bit words) serves as many consecutive steps as its 128 bits hold actions, each action a
/// bit field of <c>2^ActionBitsLog2</c> bits (<see cref="StepSettings.ActionBitsLog2"/>, from the action space):
/// <list type="bullet">
/// <item>Discrete(n), n a power of two up to 2^16: the low log2(n) bits of a field (1, 2, 4, 8 or 16 bits wide), so
/// every action has probability exactly 1/n. CartPole's two actions take one bit: a block serves 128 steps.</item>
/// <item>Other Discrete(n), n &lt; 256: a 16-bit field u, action ⌊u·n / 2^16⌋ (exact in float; each action's probability
/// is within n / 2^16 of 1/n, relatively). Eight steps per block.</item>
/// <item>Box spaces and larger n: a whole word, its top 24 bits as u ∈ [0, 1) (low + (high − low)·u, or ⌊u·n⌋). Four steps
/// per block.</item>
/// </list>
/// The Philox block was the random policy's main cost when every step took a 32-bit word (one block per four
/// steps: 10 rounds of multiplications across the lanes for a coin flip per env).
/// </remarks>
public static class RandomActions
{
    /// <summary>
    /// log2 of the bits one action takes from a Philox word (0 to 5: 1 to 32 bits), for an action space that is
    /// Discrete(<paramref name="actionCount"/>) when <paramref name="discrete"/>, else a Box.
    /// </summary>
    public static int FieldBitsLog2(bool discrete, int actionCount)
    {
        if (!discrete || actionCount < 1) return 5;
        if ((actionCount & (actionCount - 1)) == 0)
        {
            if (actionCount <= 2) return 0;
            if (actionCount <= 4) return 1;
            if (actionCount <= 16) return 2;
            if (actionCount <= 256) return 3;
            if (actionCount <= 65536) return 4;
            return 5;
        }
        return actionCount < 256 ? 4 : 5;
    }

    /// <summary>Whether <paramref name="step"/> is the first step of its Philox block (the block must be drawn then).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool StartsBlock(uint step, in StepSettings st) => (step & ((128u >> st.ActionBitsLog2) - 1)) == 0;

    /// <summary>Which word of its block (0 to 3) holds step <paramref name="step"/>'s action.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WordOf(uint step, in StepSettings st) =>
        (int)((step & ((128u >> st.ActionBitsLog2) - 1)) >> (5 - st.ActionBitsLog2));

    /// <summary>Where in its word (bit offset) step <paramref name="step"/>'s action field starts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ShiftOf(uint step, in StepSettings st) =>
        (int)((step & ((32u >> st.ActionBitsLog2) - 1)) << st.ActionBitsLog2);

    /// <summary>
    /// The Philox block holding the random actions of step <paramref name="step"/>'s block of steps for each env:
    /// purpose "action", counter (step / steps per block, env index). Env i gets the same actions on every backend.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block<T>(T envIndex, uint step, in StepSettings st, out T w0, out T w1, out T w2, out T w3)
        where T : struct, ILane<T> =>
        T.Philox(T.BitsSplat(step >> (7 - st.ActionBitsLog2)), envIndex, LaneRng<T>.ActionPurpose, 0, st.Key0, st.Key1,
            out w0, out w1, out w2, out w3);

    /// <summary>The action in <paramref name="word"/> at bit <paramref name="shift"/> (<see cref="WordOf"/>, <see cref="ShiftOf"/>),
    /// mapped onto the action space as the class remarks say.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T FromWord<T>(T word, int shift, in StepSettings st) where T : struct, ILane<T>
    {
        if (st.ActionBitsLog2 < 5)
        {
            int n = st.ActionCount;
            if ((n & (n - 1)) == 0) return T.BitField(word, shift, (uint)(n - 1));
            return T.Floor(T.BitField(word, shift, 0xFFFF) * T.Splat(n / 65536.0));
        }
        T unit = T.BitsToUnit(word);
        if (st.ActionIsDiscrete)
            // The product rounded to float on every lane (double lanes too), so all lanes take the same action; Min guards
            // the rounding of (1 - 2^-24)·n up to n.
            return T.Min(T.Floor(T.RoundToFloat(unit * T.Splat(st.ActionCount))), T.Splat(st.ActionCount - 1));
        return T.Splat(st.ActionLow) + T.Splat(st.ActionHigh - st.ActionLow) * unit;
    }

    /// <summary>The action of step <paramref name="step"/> from its block's words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T FromBlock<T>(uint step, T w0, T w1, T w2, T w3, in StepSettings st) where T : struct, ILane<T>
    {
        T word = WordOf(step, st) switch { 0 => w0, 1 => w1, 2 => w2, _ => w3 };
        return FromWord(word, ShiftOf(step, st), st);
    }

    /// <summary>The random action of step <paramref name="step"/> (one block per call; loops should keep the block).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Of<T>(T envIndex, uint step, in StepSettings st) where T : struct, ILane<T>
    {
        Block(envIndex, step, st, out T w0, out T w1, out T w2, out T w3);
        return FromBlock(step, w0, w1, w2, w3, st);
    }
}
