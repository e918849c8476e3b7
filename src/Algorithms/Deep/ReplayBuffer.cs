using RlKernels.Envs;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Random;

namespace RlKernels.Algorithms.Deep;

// An experience replay ring per population member, struct-of-arrays: one column per field so a minibatch
// gather copies contiguous rows and the kernels read plain [P, B, ...] blocks. All members step together, so
// they share the write head and the fill count; each samples its own rows from its own seed.
// P = population, C = capacity (transitions per member), O = obs size, A = action width (1 for discrete), B = batch.

/// <summary>
/// Replay memory of the off-policy algorithms (DQN, SAC): per member a ring of C transitions (obs, action,
/// reward, next obs, terminated, truncated) in separate columns [P, C, ...], filled N transitions per vector step
/// and sampled uniformly with Philox keyed by the member's seed and a counter. Columns are [P, C, ...].
/// </summary>
public sealed class ReplayBuffer : TransitionColumns
{
    /// <summary>Purpose word of the Philox counter for replay sampling.</summary>
    public const uint SamplePurpose = 0x52504C42; // "RPLB"

    /// <summary>Population size P.</summary>
    public int Population { get; }
    /// <summary>Transitions kept per member C.</summary>
    public int Capacity { get; }
    /// <summary>Observation size O.</summary>
    public int ObsSize { get; }
    /// <summary>Floats per continuous action A (1 for discrete actions).</summary>
    public int ActionWidth { get; }
    /// <summary>True when actions are discrete (stored in <see cref="TransitionColumns.DiscreteActions"/>).</summary>
    public bool IsDiscrete { get; }
    /// <summary>Transitions held per member (at most <see cref="Capacity"/>).</summary>
    public int Count { get; private set; }
    /// <summary>Slot the next transition of each member is written to.</summary>
    public int Head { get; private set; }

    /// <summary>Bytes the buffer allocates: two observation columns, actions, reward and two flags per transition.</summary>
    public static long EstimateBytes(int population, long capacity, int obsSize, int actionWidth, bool discrete)
        => (long)population * capacity * (8L * obsSize + 4L * (discrete ? 1 : actionWidth) + 4 + 2);

    /// <summary>The largest capacity <see cref="CheckSize"/> accepts: what fits in <see cref="MemoryBudget.UsableBytes"/> and in one .NET array per column.</summary>
    public static long MaxCapacity(int population, int obsSize, int actionWidth, bool discrete) =>
        Math.Min(MemoryBudget.UsableBytes / EstimateBytes(population, 1, obsSize, actionWidth, discrete),
            Array.MaxLength / ((long)population * Math.Max(obsSize, actionWidth)));

    /// <summary>
    /// Throws <see cref="ArgumentException"/> when a buffer of this size cannot be allocated: a count below 1, more
    /// bytes than <see cref="MemoryBudget.UsableBytes"/>, or a column longer than .NET's array limit. Checked
    /// before anything is allocated.
    /// </summary>
    public static void CheckSize(int population, long capacity, int obsSize, int actionWidth, bool discrete)
    {
        if (population < 1 || obsSize < 1 || actionWidth < 1)
            throw new ArgumentException($"A replay buffer needs population, obs size and action width ≥ 1 (got {population}, {obsSize}, {actionWidth}).");
        if (capacity < 1) throw new ArgumentException($"The replay buffer needs a capacity of at least 1 transition, got {capacity}.");
        long bytes = EstimateBytes(population, capacity, obsSize, actionWidth, discrete), usable = MemoryBudget.UsableBytes;
        if (bytes > usable)
            throw new ArgumentException($"A replay buffer of {capacity} transitions × {population} member(s) needs {MemoryBudget.Format(bytes)}; this machine allows {MemoryBudget.Format(usable)}. Use a smaller buffer.");
        long widest = (long)population * capacity * Math.Max(obsSize, actionWidth);
        if (widest > Array.MaxLength)
            throw new ArgumentException($"A replay buffer of {capacity} transitions × {population} member(s) × {Math.Max(obsSize, actionWidth)} floats exceeds the largest array ({Array.MaxLength} elements). Use a smaller buffer.");
    }

    /// <summary>
    /// The problem of a buffer of <paramref name="capacity"/> transitions per member for the run's env and
    /// population (<see cref="CheckSize"/>), or null when it fits; reads the env's spec only, makes no env.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown env or bad env arguments.</exception>
    public static string? SizeProblem(RunSettings run, int capacity)
    {
        EnvSpec spec = EnvRegistry.Get(run.EnvId).Spec(run.EnvArgs is null ? EnvArgs.Empty : new EnvArgs(run.EnvArgs));
        try
        {
            CheckSize(run.Population, capacity, spec.ObsSize, spec.Action.IsDiscrete ? 1 : spec.Action.Count, spec.Action.IsDiscrete);
            return null;
        }
        catch (ArgumentException e) { return e.Message; }
    }

    /// <summary>An empty ring of <paramref name="capacity"/> transitions per member; the size is checked first (<see cref="CheckSize"/>).</summary>
    /// <exception cref="ArgumentException">The buffer does not fit in memory or a count is below 1.</exception>
    public ReplayBuffer(int population, int capacity, int obsSize, int actionWidth, bool discrete)
        : base(CheckedRows(population, capacity, obsSize, actionWidth, discrete), obsSize, actionWidth, discrete)
    {
        Population = population;
        Capacity = capacity;
        ObsSize = obsSize;
        ActionWidth = discrete ? 1 : actionWidth;
        IsDiscrete = discrete;
    }

    private static long CheckedRows(int population, int capacity, int obsSize, int actionWidth, bool discrete)
    {
        CheckSize(population, capacity, obsSize, actionWidth, discrete);
        return (long)population * capacity;
    }

    /// <summary>
    /// Appends one vector step of N envs per member: s from <paramref name="observations"/> (as they were before the
    /// step), a, and from <paramref name="env"/> after its step r, the flags and s′ (the final observation where an
    /// episode ended, the runner's same-step autoreset having already put the next episode's first one in its place).
    /// </summary>
    public void Add(ReadOnlySpan<float> observations, ReadOnlySpan<int> discreteActions, ReadOnlySpan<float> actions, IVectorEnv env, int n)
    {
        ReadOnlySpan<bool> term = env.Terminated, trunc = env.Truncated;
        ReadOnlySpan<float> next = env.Observations, final = env.FinalObservations;
        Add(observations, discreteActions, actions, env.Rewards, term, trunc, next, final, n);
    }

    /// <summary>Appends N transitions per member; rows of ended episodes take s′ from <paramref name="finalObservations"/>.</summary>
    public void Add(
        ReadOnlySpan<float> observations,      // [P, N, O]
        ReadOnlySpan<int> discreteActions,     // [P, N] (discrete) or empty
        ReadOnlySpan<float> actions,           // [P, N, A] (continuous) or empty
        ReadOnlySpan<float> rewards,           // [P, N]
        ReadOnlySpan<bool> terminated,         // [P, N]
        ReadOnlySpan<bool> truncated,          // [P, N]
        ReadOnlySpan<float> nextObservations,  // [P, N, O] after autoreset
        ReadOnlySpan<float> finalObservations, // [P, N, O] where ended
        int n)
    {
        int o = ObsSize, a = ActionWidth;
        if (n < 1 || rewards.Length != Population * n || observations.Length != Population * n * o)
            throw new ArgumentException($"Add needs [P = {Population}, N = {n}] rows (obs {observations.Length}, rewards {rewards.Length}).");
        for (int p = 0; p < Population; p++)
            for (int i = 0; i < n; i++)
            {
                int e = p * n + i;
                long slot = (long)p * Capacity + (Head + i) % Capacity;
                observations.Slice(e * o, o).CopyTo(Observations.AsSpan((int)(slot * o), o));
                bool ended = terminated[e] || truncated[e];
                (ended ? finalObservations : nextObservations).Slice(e * o, o).CopyTo(NextObservations.AsSpan((int)(slot * o), o));
                if (IsDiscrete) DiscreteActions[slot] = discreteActions[e];
                else actions.Slice(e * a, a).CopyTo(Actions.AsSpan((int)(slot * a), a));
                Rewards[slot] = rewards[e];
                Terminated[slot] = terminated[e];
                Truncated[slot] = truncated[e];
            }
        Head = (int)((Head + (long)n) % Capacity);
        Count = (int)Math.Min(Capacity, (long)Count + n);
    }

    /// <summary>
    /// Draws B slots per member uniformly from the <see cref="Count"/> held, with replacement: row j of member p
    /// from Philox(counter = (j / 2, round, purpose, 0), key = seed_p), a 64-bit draw scaled to [0, Count).
    /// </summary>
    /// <param name="batch">Rows per member B.</param>
    /// <param name="seeds">Seed of each member [P].</param>
    /// <param name="round">Counter of this draw (one per gradient step).</param>
    /// <param name="slots">[P, B] absolute slots p·C + i.</param>
    /// <exception cref="ArgumentException">The batch is larger than the transitions held, or below 1.</exception>
    public void SampleSlots(int batch, Func<int, ulong> seeds, uint round, Span<int> slots)
    {
        if (batch < 1) throw new ArgumentException($"A replay batch needs at least 1 row, got {batch}.");
        if (batch > Count)
            throw new ArgumentException($"A replay batch of {batch} is larger than the {Count} transitions the buffer holds (capacity {Capacity}).");
        if (slots.Length != Population * batch) throw new ArgumentException($"slots must have [P, B] = {Population * batch} entries, got {slots.Length}.");
        for (int p = 0; p < Population; p++)
        {
            Philox4x32.KeyFromSeed(seeds(p), out uint k0, out uint k1);
            for (int j = 0; j < batch; j += 2)
            {
                Philox4x32.Block((uint)(j >> 1), round, SamplePurpose, 0, k0, k1, out uint b0, out uint b1, out uint b2, out uint b3);
                slots[p * batch + j] = p * Capacity + Scale(b0, b1, Count);
                if (j + 1 < batch) slots[p * batch + j + 1] = p * Capacity + Scale(b2, b3, Count);
            }
        }
    }

    // ⌊u · count / 2⁶⁴⌋ of a 64-bit draw u: uniform on [0, count) up to a bias of count / 2⁶⁴.
    private static int Scale(uint hi, uint lo, int count) => (int)Math.BigMul(((ulong)hi << 32) | lo, (ulong)count, out _);

    /// <summary>Samples <paramref name="batch"/>.Rows transitions per member (<see cref="SampleSlots"/>) and gathers them into the batch's columns.</summary>
    public void Sample(ReplayBatch batch, Func<int, ulong> seeds, uint round)
    {
        SampleSlots(batch.Rows, seeds, round, batch.Slots);
        int o = ObsSize, a = ActionWidth;
        for (int r = 0; r < batch.Slots.Length; r++)
        {
            int s = batch.Slots[r];
            Observations.AsSpan(s * o, o).CopyTo(batch.Observations.AsSpan(r * o, o));
            NextObservations.AsSpan(s * o, o).CopyTo(batch.NextObservations.AsSpan(r * o, o));
            if (IsDiscrete) batch.DiscreteActions[r] = DiscreteActions[s];
            else Actions.AsSpan(s * a, a).CopyTo(batch.Actions.AsSpan(r * a, a));
            batch.Rewards[r] = Rewards[s];
            batch.Terminated[r] = Terminated[s];
            batch.Truncated[r] = Truncated[s];
        }
    }
}
