using RlKernels.Envs.Tabular;
using RlKernels.Kernels.Random;

namespace RlKernels.Algorithms.Tabular;

// A single-γ Q-iteration model compiled for speed: float32, struct-of-arrays, "sliced ELLPACK" with
// slices of W = 16 states (SELL-16). S = states, A = actions, K = outcome slots per (s, a) (the longest
// outcome list; shorter lists are padded with weight 0), Sp = S rounded up to a multiple of 16,
// Blocks = Sp / 16.
//   Next   [Blocks, A, K, 16] int32    next state of slot k of (16·block + lane, a)
//   Weight [Blocks, A, K, 16] float32  p_k if the outcome is not terminated, else 0
//   Reward [Blocks, A, 16]    float32  R(s,a) = Σ_k p_k r_k (summed in float64, then rounded)
// Why this layout: a sweep computes Q'(s,a) = R(s,a) + γ Σ_k Weight·V(Next) and V'(s) = max_a Q'(s,a);
// with lanes over 16 consecutive states, each (block, a, k) row of Next and Weight is one 64-byte cache
// line read as a contiguous vector, the 16 V(Next) values are one gather, the sum over k is a vertical
// multiply-add and the max over actions is a vertical max — no horizontal reductions, no shuffles.
// Folding rewards into R and terminations into Weight (a terminated outcome has continuation value 0)
// leaves 8 bytes per transition to stream (index + weight) instead of 4 + 4 + 4 + 1, the same arithmetic
// as the float64 reference up to rounding. Padding states (s ≥ S) have weight 0 and reward 0, next 0.

/// <summary>
/// A tabular MDP compiled for fast float32 Q-iteration sweeps (<see cref="SlicedQIteration"/>): rewards
/// folded into R(s, a), terminations into zero weights, slices of 16 states as SIMD lanes.
/// </summary>
public sealed class SlicedMdp
{
    /// <summary>States per slice: the SIMD lanes of one block (one 64-byte line of int32 or float32).</summary>
    public const int Lanes = 16;

    /// <summary>Fraction of the random model's outcomes that terminate (continuation value 0).</summary>
    public const double RandomTerminationRate = 1.0 / 16;

    /// <summary>Counter word that separates the random-MDP stream from every other Philox stream.</summary>
    private const uint RandomStream = 0x51ED_3D9u;

    /// <summary>States S of the source MDP (without padding).</summary>
    public int StateCount { get; }
    /// <summary>Actions A.</summary>
    public int ActionCount { get; }
    /// <summary>K: outcome slots per (s, a).</summary>
    public int OutcomeSlots { get; }
    /// <summary>Sp / 16.</summary>
    public int BlockCount { get; }
    /// <summary>Sp: states rounded up to whole slices.</summary>
    public int PaddedStateCount => BlockCount * Lanes;

    /// <summary>[Blocks, A, K, 16] next states.</summary>
    internal int[] Next { get; }
    /// <summary>[Blocks, A, K, 16] p_k of non-terminated outcomes, 0 for terminated outcomes and padding.</summary>
    internal float[] Weight { get; }
    /// <summary>[Blocks, A, 16] expected rewards R(s, a).</summary>
    internal float[] Reward { get; }

    /// <summary>S·A·K: the transitions one sweep backs up (padding slots of shorter lists included).</summary>
    public long TransitionCount => (long)StateCount * ActionCount * OutcomeSlots;

    /// <summary>
    /// Bytes one sweep must move, as counted by the benchmark: Next and Weight (4 + 4 per padded slot),
    /// R (4 per padded (s, a)), the old Q read for the residual and the new Q written (4 + 4 per padded
    /// (s, a)), V read once and V' written (4 + 4 per padded state). The gathers re-read V from cache and
    /// are counted once (the whole V); write-allocate traffic of the stores is not counted.
    /// </summary>
    public long BytesPerSweep
    {
        get
        {
            long pairs = (long)PaddedStateCount * ActionCount;
            return pairs * OutcomeSlots * 8 + pairs * 12 + (long)PaddedStateCount * 8;
        }
    }

    private SlicedMdp(int stateCount, int actionCount, int slots)
    {
        StateCount = stateCount;
        ActionCount = actionCount;
        OutcomeSlots = slots;
        BlockCount = (int)(((long)stateCount + Lanes - 1) / Lanes);
        long rows = (long)BlockCount * actionCount * Lanes;
        if (rows * slots > Array.MaxLength)
            throw new ArgumentException($"S·A·K = {(long)stateCount * actionCount * slots} is too large for one model.");
        // Pinned: the sweep kernels hold raw pointers for their gathers.
        Next = GC.AllocateArray<int>((int)(rows * slots), pinned: true);
        Weight = GC.AllocateArray<float>((int)(rows * slots), pinned: true);
        Reward = GC.AllocateArray<float>((int)rows, pinned: true);
    }

    /// <summary>Index of slot <paramref name="k"/> of (state, action) in <see cref="Next"/> and <see cref="Weight"/>.</summary>
    internal int SlotIndex(int state, int action, int k) =>
        (((state / Lanes) * ActionCount + action) * OutcomeSlots + k) * Lanes + state % Lanes;

    /// <summary>Index of (state, action) in <see cref="Reward"/> and in the sliced Q.</summary>
    internal int PairIndex(int state, int action) => ((state / Lanes) * ActionCount + action) * Lanes + state % Lanes;

    /// <summary>Compiles a validated <see cref="TabularMdp"/> (K = its longest outcome list).</summary>
    public static SlicedMdp FromModel(TabularMdp model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var sliced = new SlicedMdp(model.StateCount, model.ActionCount, model.MaxOutcomes);
        var offsets = model.Offsets;
        for (int s = 0; s < model.StateCount; s++)
            for (int a = 0; a < model.ActionCount; a++)
            {
                int sa = s * model.ActionCount + a;
                double reward = 0;
                for (int j = offsets[sa]; j < offsets[sa + 1]; j++)
                {
                    double p = model.Probability[j];
                    reward += p * model.Reward[j];
                    int slot = sliced.SlotIndex(s, a, j - offsets[sa]);
                    sliced.Next[slot] = model.NextState[j];
                    sliced.Weight[slot] = model.Terminated[j] ? 0f : (float)p;
                }
                sliced.Reward[sliced.PairIndex(s, a)] = (float)reward;
            }
        return sliced;
    }

    /// <summary>
    /// A random sparse MDP straight into the sliced layout (no float64 model in between, so S = 10^6 fits
    /// easily): every (s, a) has K outcomes with uniform next states, probabilities u_k / Σ u (u uniform
    /// in (0, 1)), rewards uniform in [−1, 1) and termination with probability 1/16. Outcome
    /// i = (s·A + a)·K + k is Philox block (i, 0, stream, 0) under the seed's key, so the same model
    /// comes out on any thread count and <see cref="RandomModel"/> builds it as a <see cref="TabularMdp"/>.
    /// </summary>
    /// <exception cref="ArgumentException">S, A or K below 1, or S·A·K too large.</exception>
    public static SlicedMdp Random(int stateCount, int actionCount, int outcomes, ulong seed)
    {
        CheckShape(stateCount, actionCount, outcomes);
        var sliced = new SlicedMdp(stateCount, actionCount, outcomes);
        Parallel.For(0, sliced.BlockCount, block =>
        {
            Span<int> next = stackalloc int[outcomes];
            Span<double> p = stackalloc double[outcomes];
            Span<double> r = stackalloc double[outcomes];
            Span<bool> t = stackalloc bool[outcomes];
            int end = Math.Min(stateCount, (block + 1) * Lanes);
            for (int s = block * Lanes; s < end; s++)
                for (int a = 0; a < actionCount; a++)
                {
                    double reward = Draw(stateCount, actionCount, outcomes, seed, s, a, next, p, r, t);
                    for (int k = 0; k < outcomes; k++)
                    {
                        int slot = sliced.SlotIndex(s, a, k);
                        sliced.Next[slot] = next[k];
                        sliced.Weight[slot] = t[k] ? 0f : (float)p[k];
                    }
                    sliced.Reward[sliced.PairIndex(s, a)] = (float)reward;
                }
        });
        return sliced;
    }

    /// <summary>The same random MDP as <see cref="Random"/>, as a float64 <see cref="TabularMdp"/> (for references; small S).</summary>
    public static TabularMdp RandomModel(int stateCount, int actionCount, int outcomes, ulong seed)
    {
        CheckShape(stateCount, actionCount, outcomes);
        long count = (long)stateCount * actionCount * outcomes;
        var offsets = new int[stateCount * actionCount + 1];
        var next = new int[count];
        var prob = new double[count];
        var reward = new double[count];
        var terminated = new bool[count];
        for (int s = 0; s < stateCount; s++)
            for (int a = 0; a < actionCount; a++)
            {
                int sa = s * actionCount + a, at = sa * outcomes;
                offsets[sa + 1] = at + outcomes;
                Draw(stateCount, actionCount, outcomes, seed, s, a, next.AsSpan(at, outcomes), prob.AsSpan(at, outcomes),
                    reward.AsSpan(at, outcomes), terminated.AsSpan(at, outcomes));
            }
        return new TabularMdp(stateCount, actionCount, offsets, next, prob, reward, terminated, TabularMdp.OneHot(stateCount, 0));
    }

    /// <summary>The K outcomes of (s, a) of the random model; returns R(s, a) = Σ p_k r_k in float64.</summary>
    private static double Draw(int stateCount, int actionCount, int outcomes, ulong seed, int s, int a,
        Span<int> next, Span<double> p, Span<double> r, Span<bool> t)
    {
        Philox4x32.KeyFromSeed(seed, out uint k0, out uint k1);
        double total = 0;
        for (int k = 0; k < outcomes; k++)
        {
            ulong i = ((ulong)s * (ulong)actionCount + (ulong)a) * (ulong)outcomes + (ulong)k;
            Philox4x32.Block((uint)i, (uint)(i >> 32), RandomStream, 0, k0, k1, out uint r0, out uint r1, out uint r2, out uint r3);
            next[k] = (int)(((ulong)r0 * (ulong)stateCount) >> 32);
            p[k] = Philox4x32.ToOpenUnit(r1);
            r[k] = 2.0 * Philox4x32.ToUnit(r2) - 1.0;
            t[k] = r3 < (uint)(RandomTerminationRate * 4294967296.0);
            total += p[k];
        }
        double reward = 0;
        for (int k = 0; k < outcomes; k++)
        {
            p[k] /= total;
            reward += p[k] * r[k];
        }
        return reward;
    }

    private static void CheckShape(int stateCount, int actionCount, int outcomes)
    {
        if (stateCount < 1) throw new ArgumentException($"The state count must be at least 1, got {stateCount}.", nameof(stateCount));
        if (actionCount < 1) throw new ArgumentException($"The action count must be at least 1, got {actionCount}.", nameof(actionCount));
        if (outcomes < 1) throw new ArgumentException($"The outcomes per (s, a) must be at least 1, got {outcomes}.", nameof(outcomes));
        if ((long)stateCount * actionCount * outcomes > Array.MaxLength / 2)
            throw new ArgumentException($"S·A·K = {(long)stateCount * actionCount * outcomes} is too large for one model.");
    }
}
