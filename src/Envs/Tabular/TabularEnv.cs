using System.Runtime.CompilerServices;
using RlKernels.Kernels.Gpu;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;

namespace RlKernels.Envs.Tabular;

// Batched stepping of any TabularMdp, on every lane. Source of the sampling rule: Gymnasium's
// toy_text/utils.py categorical_sample, argmax(cumsum(p) > u): the outcome taken is the number of
// outcomes whose cumulative probability is ≤ u. Reset draws from the initial distribution the same way.
// Deviations: u is the counter RNG's 24-bit uniform, not NumPy's; cumulative probabilities, rewards and
// next states are held as float32 (exact for the toy-text tables: their rewards are small integers,
// and a probability rounds by at most 2^-25, below u's 2^-24 resolution).
//
// THE DENSE TABLE. The model is flattened into one float table (ILane.Gather reads it on the CPU; a
// GPU kernel reads the same layout from an ArrayView through ViewLaneTable):
//   [0, S·A·Kmax·4): for (s, a) and outcome slot k < Kmax, 4 floats at ((s·A + a)·Kmax + k)·4:
//       cdf (cumulative probability through k), next state, reward, terminated (0/1).
//       The last outcome with positive probability gets cdf 2 (never ≤ u), so neither rounding nor the
//       padding slots after it (copies of it) can ever be sampled.
//   [InitialOffset, +2·P): the initial distribution's support, P = a power of two: (cdf, state) pairs,
//       last positive entry and padding with cdf 2; a branch-free binary search finds the first
//       entry with cdf > u in log2(P) gathers (Taxi: 300 starts, 9 gathers).
// Indices are float lane values: the table must stay below 2^24 floats (checked).
// GPU: TParams is passed by value to ILGPU kernels, so the GPU instantiation is
// TabularEnv<F1, ViewLaneTable> with TabularParams<ViewLaneTable>: TabularVectorEnv uploads
// TabularTable.Build's float[] to device memory once per vector env (GpuParamsMemory, freed with the
// env) and wraps its view in ViewLaneTable; TabularLayout is unmanaged. The EnvSpec (strings) is not in
// the params at all: the runners take it next to them (see IEnv).

/// <summary>Sizes and offsets of a dense tabular table; unmanaged, so it can go to a GPU kernel.</summary>
/// <param name="stateCount">S.</param>
/// <param name="actionCount">A.</param>
/// <param name="maxOutcomes">Kmax, the outcome slots per (s, a).</param>
/// <param name="initialOffset">The float index where the initial distribution's (cdf, state) pairs start.</param>
/// <param name="initialSearchSize">P, their count (a power of two, the binary search's range).</param>
public readonly struct TabularLayout(int stateCount, int actionCount, int maxOutcomes, int initialOffset, int initialSearchSize)
{
    /// <summary>
    /// S and A; Kmax, the outcome slots per (s, a); the float index where the initial distribution's
    /// (cdf, state) pairs start; and P, their count (a power of two, the binary search's range).
    /// </summary>
    public readonly int StateCount = stateCount, ActionCount = actionCount, MaxOutcomes = maxOutcomes,
        InitialOffset = initialOffset, InitialSearchSize = initialSearchSize;
}

/// <summary>A tabular env's parameters: its dense table (CPU array or GPU view) and layout.</summary>
/// <param name="table">The dense table.</param>
/// <param name="layout">Its sizes and offsets.</param>
public readonly struct TabularParams<TTable>(TTable table, TabularLayout layout) where TTable : struct
{
    /// <summary>The dense table (layout described in TabularEnv.cs).</summary>
    public readonly TTable Table = table;
    /// <summary>Sizes and offsets within <see cref="Table"/>.</summary>
    public readonly TabularLayout Layout = layout;
}

/// <summary>Builds the dense table of a <see cref="TabularMdp"/> (layout in TabularEnv.cs).</summary>
public static class TabularTable
{
    /// <summary>Floats per outcome slot: cdf, next state, reward, terminated.</summary>
    public const int Fields = 4;
    /// <summary>Largest table whose indices are exact as float lane values.</summary>
    public const int MaxFloats = 1 << 24;
    private const float Never = 2f;

    /// <summary>The dense float table of <paramref name="model"/>; <paramref name="layout"/> describes it.</summary>
    public static float[] Build(TabularMdp model, out TabularLayout layout)
    {
        int stateCount = model.StateCount, actionCount = model.ActionCount, kmax = model.MaxOutcomes;
        long outcomeFloats = (long)stateCount * actionCount * kmax * Fields;
        ReadOnlySpan<double> initial = model.InitialDistribution;
        int support = 0;
        for (int s = 0; s < stateCount; s++) if (initial[s] > 0) support++;
        int searchSize = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)support);
        long total = outcomeFloats + 2L * searchSize;
        if (total > MaxFloats)
            throw new ArgumentException($"The model's dense table needs {total} floats (S={stateCount}, A={actionCount}, " +
                $"Kmax={kmax}); lane indices are exact only below {MaxFloats}.", nameof(model));
        var table = new float[total];

        ReadOnlySpan<int> offsets = model.Offsets;
        ReadOnlySpan<double> prob = model.Probability, reward = model.Reward;
        ReadOnlySpan<int> next = model.NextState;
        ReadOnlySpan<bool> terminated = model.Terminated;
        for (int sa = 0; sa < stateCount * actionCount; sa++)
        {
            int start = offsets[sa], count = offsets[sa + 1] - start;
            int lastPositive = count - 1;
            while (lastPositive > 0 && prob[start + lastPositive] <= 0) lastPositive--;
            double cumulative = 0;
            for (int k = 0; k < kmax; k++)
            {
                // Slots after the last positive outcome (zero-probability outcomes, padding) copy it.
                int j = start + Math.Min(k, lastPositive);
                if (k < count) cumulative += prob[start + k];
                int at = (sa * kmax + k) * Fields;
                table[at] = k >= lastPositive ? Never : (float)cumulative;
                table[at + 1] = next[j];
                table[at + 2] = (float)reward[j];
                table[at + 3] = terminated[j] ? 1f : 0f;
            }
        }

        int initialOffset = (int)outcomeFloats, i = 0, lastState = 0;
        double sum = 0;
        for (int s = 0; s < stateCount; s++)
        {
            if (initial[s] <= 0) continue;
            sum += initial[s];
            table[initialOffset + 2 * i] = i == support - 1 ? Never : (float)sum;
            table[initialOffset + 2 * i + 1] = s;
            lastState = s;
            i++;
        }
        for (; i < searchSize; i++)
        {
            table[initialOffset + 2 * i] = Never;
            table[initialOffset + 2 * i + 1] = lastState;
        }
        layout = new TabularLayout(stateCount, actionCount, kmax, initialOffset, searchSize);
        return table;
    }

    /// <summary>CPU parameters of <paramref name="model"/> for lane <typeparamref name="T"/>.</summary>
    public static TabularParams<ArrayLaneTable<T>> CpuParams<T>(TabularMdp model) where T : struct, ILane<T>
    {
        float[] table = Build(model, out var layout);
        return new TabularParams<ArrayLaneTable<T>>(new ArrayLaneTable<T>(table), layout);
    }

    /// <summary>
    /// GPU parameters of <paramref name="model"/>: its table uploaded to <paramref name="memory"/>
    /// (one copy per vector env, read by every thread; freed with <paramref name="memory"/>).
    /// </summary>
    public static TabularParams<ViewLaneTable> GpuParams(TabularMdp model, GpuParamsMemory memory)
    {
        ArgumentNullException.ThrowIfNull(memory);
        float[] table = Build(model, out var layout); // [layout: see TabularEnv.cs]
        return new TabularParams<ViewLaneTable>(new ViewLaneTable(memory.Upload<float>(table)), layout);
    }

    /// <summary>The spec of a tabular env: one observation (the state index), Discrete(A).</summary>
    public static EnvSpec MakeSpec(string id, TabularMdp model, int maxEpisodeSteps, string source) =>
        new(id, 1, ["state"], ActionSpace.Discrete(model.ActionCount), maxEpisodeSteps, [0f], [model.StateCount - 1], source);
}

/// <summary>
/// Any <see cref="TabularMdp"/> as an env: the state is the state index (a lane float), observed as
/// one feature; Step samples an outcome of (state, action) by inverse CDF, Reset a state from the
/// initial distribution. Branch-free; one RNG block per call.
/// </summary>
/// <typeparam name="T">The lane.</typeparam>
/// <typeparam name="TTable">Where the dense table lives: <see cref="ArrayLaneTable{T}"/> (CPU) or <see cref="ViewLaneTable"/> (GPU, T = F1).</typeparam>
public struct TabularEnv<T, TTable> : IEnv<TabularEnv<T, TTable>, T, TabularParams<TTable>>
    where T : struct, ILane<T>
    where TTable : struct, ILaneTable<T>
{
    /// <summary>The state index, as a lane float (exact below 2^24).</summary>
    public T State;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reset(out TabularEnv<T, TTable> s, in TabularParams<TTable> p, ref LaneRng<T> rng)
    {
        rng.NextBits(out T bits, out _, out _, out _);
        T u = T.BitsToUnit(bits);
        T two = T.Splat(2);
        T pos = T.Splat(0);
        // Binary search for the number of support entries with cdf ≤ u (the cdfs are sorted).
        for (int step = p.Layout.InitialSearchSize / 2; step >= 1; step /= 2)
        {
            T cdf = p.Table.Gather(T.Splat(p.Layout.InitialOffset + 2 * (step - 1)) + pos * two);
            pos = T.Select(T.GreaterOrEqual(u, cdf), pos + T.Splat(step), pos);
        }
        s.State = p.Table.Gather(T.Splat(p.Layout.InitialOffset + 1) + pos * two);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Step(ref TabularEnv<T, TTable> s, in TabularParams<TTable> p, T action, ref LaneRng<T> rng, out T reward, out T terminated)
    {
        rng.NextBits(out T bits, out _, out _, out _);
        T u = T.BitsToUnit(bits);
        int kmax = p.Layout.MaxOutcomes;
        T row = (s.State * T.Splat(p.Layout.ActionCount) + action) * T.Splat(kmax * TabularTable.Fields);
        T next = p.Table.Gather(row + T.Splat(1));
        T r = p.Table.Gather(row + T.Splat(2));
        T term = p.Table.Gather(row + T.Splat(3));
        // Outcome k is taken when u ≥ cdf of outcome k−1; the cdfs are sorted, so the last k taken wins.
        for (int k = 1; k < kmax; k++)
        {
            T take = T.GreaterOrEqual(u, p.Table.Gather(row + T.Splat((k - 1) * TabularTable.Fields)));
            T slot = row + T.Splat(k * TabularTable.Fields);
            next = T.Select(take, p.Table.Gather(slot + T.Splat(1)), next);
            r = T.Select(take, p.Table.Gather(slot + T.Splat(2)), r);
            term = T.Select(take, p.Table.Gather(slot + T.Splat(3)), term);
        }
        s.State = next;
        reward = r;
        terminated = T.NonZero(term);
    }

    /// <inheritdoc/>
    public static void Observe<TWriter>(in TabularEnv<T, TTable> s, in TabularParams<TTable> p, ref TWriter obs) where TWriter : struct, ILaneWriter<T> =>
        obs.Write(0, s.State);

    /// <inheritdoc/>
    public static void Load<TReader>(ref TReader src, out TabularEnv<T, TTable> s) where TReader : struct, ILaneReader<T> =>
        s.State = src.Read(0);

    /// <inheritdoc/>
    public static void Store<TWriter>(in TabularEnv<T, TTable> s, ref TWriter dst) where TWriter : struct, ILaneWriter<T> =>
        dst.Write(0, s.State);
}
