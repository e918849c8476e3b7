using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using RlKernels.Kernels.Threading;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;

namespace RlKernels.Envs.Runner;

/// <summary>
/// The CPU batched runner: struct-of-arrays lane state, split over cores in whole lane values. The
/// last lane value may be partly padding when envCount is not a multiple of the lane width; padding
/// elements are stepped but never exported.
/// </summary>
public sealed class CpuVectorEnv<TEnv, T, TParams> : IVectorEnv, IPinnedOutputs, IRangeJob
    where TEnv : struct, IEnv<TEnv, T, TParams>
    where T : struct, ILane<T>
    where TParams : struct
{
    /// <summary>Below this many lane values per thread, splitting costs more than it saves.</summary>
    private const int MinVecsPerThread = 64;

    /// <summary>Lane values stepped together (their caller actions staged at once): small enough to stay in L1/L2.</summary>
    private const int StepBlockVecs = 64;

    private readonly CpuEnvBuffers<T> _b;
    private readonly WorkerPool _pool;
    private readonly TParams _params;
    private StepSettings _settings;
    private uint _stepCount;
    private Job _job;
    private int _jobSteps;
    private bool _randomActions;
    private bool[]? _resetMask;
    // The caller's actions during a Step call (pinned by it), else null.
    private unsafe int* _callerInts;
    private unsafe float* _callerFloats;
    private readonly SingleCallerGuard _caller;

    private enum Job { Step, Reset, ResetMasked }

    /// <inheritdoc/>
    public EnvSpec Spec { get; }
    /// <inheritdoc/>
    public int EnvCount => _b.EnvCount;
    /// <inheritdoc/>
    public Backend Backend { get; }
    /// <inheritdoc/>
    public AutoResetMode AutoReset { get; }
    /// <inheritdoc/>
    public int ThreadCount => _pool.ThreadCount;
    /// <inheritdoc/>
    public int LaneWidth => T.Count;
    /// <inheritdoc/>
    public long BytesPerEnv => _b.BytesPerEnv;

    /// <param name="spec">The env's spec for <paramref name="parameters"/> (sizes, spaces, time limit).</param>
    /// <param name="parameters">Env constants.</param>
    /// <param name="envCount">Number of env copies.</param>
    /// <param name="options">Seed, auto-reset, time limit and threads.</param>
    /// <param name="backend">The CPU backend this runner reports (one thread unless <see cref="Backend.Cpu"/>).</param>
    public CpuVectorEnv(EnvSpec spec, TParams parameters, int envCount, VectorEnvOptions options, Backend backend)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (envCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(envCount), envCount, "envCount must be at least 1.");
        if (options.Threads < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.Threads, "Threads must be 0 (all cores) or positive.");
        if (options.MaxEpisodeSteps < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxEpisodeSteps, "MaxEpisodeSteps must be 0 (no limit) or positive.");
        _caller = new SingleCallerGuard(this);
        _params = parameters;
        Spec = spec;
        Backend = backend;
        AutoReset = options.AutoReset;
        _b = new CpuEnvBuffers<T>(envCount, Spec.StateSize, Spec.ObsSize);
        int threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        threads = Math.Max(1, Math.Min(threads, _b.VecCount / MinVecsPerThread));
        if (backend != Backend.Cpu) threads = 1;
        _pool = new WorkerPool(threads);
        _settings = StepSettings.For(Spec, options);
        Reset(options.Seed);
    }

    /// <inheritdoc/>
    public void Reset(ulong seed)
    {
        using var call = _caller.Enter("Reset");
        Philox4x32.KeyFromSeed(seed, out _settings.Key0, out _settings.Key1);
        Array.Clear(_b.RngCounter);
        RestartAll();
    }

    /// <inheritdoc/>
    public void Reset(ReadOnlySpan<ulong> seeds)
    {
        using var call = _caller.Enter("Reset(seeds)");
        PerEnvSeeds.CheckLength(seeds, EnvCount);
        (_settings.Key0, _settings.Key1) = PerEnvSeeds.Key();
        Span<float> oneHot = stackalloc float[T.Count];
        for (int v = 0; v < _b.VecCount; v++)
        {
            T counters = T.BitsSplat(0);
            int first = v * T.Count, count = Math.Min(T.Count, EnvCount - first);
            for (int j = 0; j < count; j++)
            {
                oneHot.Clear();
                oneHot[j] = 1f;
                counters = T.Select(T.NonZero(T.Load(oneHot, 0, T.Count)), T.BitsSplat(PerEnvSeeds.Counter(seeds[first + j])), counters);
            }
            _b.RngCounter[v] = counters;
        }
        RestartAll();
    }

    /// <summary>Every env's episode bookkeeping and outputs cleared and a reset run, with the key and counters as set.</summary>
    private void RestartAll()
    {
        Array.Clear(_b.EpisodeReturn);
        Array.Clear(_b.EpisodeLength);
        Array.Clear(_b.Pending);
        ClearStepOutputs();
        _stepCount = 0;
        Run(Job.Reset, 1);
    }

    /// <inheritdoc/>
    public void Reset(ReadOnlySpan<bool> mask)
    {
        using var call = _caller.Enter("Reset(mask)");
        if (mask.Length != EnvCount)
            throw new ArgumentException($"Expected a reset mask of {EnvCount} flags, got {mask.Length}.", nameof(mask));
        _resetMask ??= new bool[EnvCount];
        mask.CopyTo(_resetMask);
        Run(Job.ResetMasked, 1);
    }

    /// <inheritdoc/>
    public unsafe void Step(ReadOnlySpan<int> actions)
    {
        using var call = _caller.Enter("Step");
        ActionValidation.CheckDiscrete(Spec, actions, EnvCount);
        // The workers convert the caller's actions block by block just before stepping them (StageActions):
        // a separate conversion pass over all envs first cost a read and a write of every action through memory.
        fixed (int* p = actions) StepFromCaller(ref _callerInts, p);
    }

    /// <inheritdoc/>
    public unsafe void Step(ReadOnlySpan<float> actions)
    {
        using var call = _caller.Enter("Step");
        ActionValidation.CheckContinuous(Spec, actions, EnvCount);
        fixed (float* p = actions) StepFromCaller(ref _callerFloats, p);
    }

    /// <summary>One step whose workers read the caller's pinned <paramref name="actions"/> through <paramref name="caller"/> (cleared after).</summary>
    private unsafe void StepFromCaller<TAction>(ref TAction* caller, TAction* actions) where TAction : unmanaged
    {
        caller = actions;
        try { StepCore(1, random: false); }
        finally { caller = null; }
    }

    /// <inheritdoc/>
    public void StepRandom(int stepCount)
    {
        using var call = _caller.Enter("StepRandom");
        ActionValidation.CheckStepCount(stepCount, AutoReset);
        StepCore(stepCount, random: true);
    }

    /// <summary>Nothing to wait for: every call returns when its work is done.</summary>
    public void Synchronize() { }

    private void StepCore(int stepCount, bool random)
    {
        if (stepCount == 0) return;
        if (AutoReset == AutoResetMode.Disabled) ThrowIfAnyPending();
        _randomActions = random;
        Run(Job.Step, stepCount);
        _stepCount += (uint)stepCount;
    }

    private void ThrowIfAnyPending()
    {
        for (int v = 0; v < _b.VecCount; v++)
        {
            ulong bits = T.MaskBits(_b.Pending[v]);
            int count = Math.Min(T.Count, EnvCount - v * T.Count);
            if (count < 64) bits &= (1ul << count) - 1;
            if (bits != 0)
            {
                int env = v * T.Count + System.Numerics.BitOperations.TrailingZeroCount(bits);
                throw new InvalidOperationException(
                    $"Env {env} ended its episode and auto-reset is disabled: call Reset(mask) for it before stepping.");
            }
        }
    }

    private void ClearStepOutputs()
    {
        Array.Clear(_b.Rewards);
        Array.Clear(_b.Terminated);
        Array.Clear(_b.Truncated);
        Array.Clear(_b.FinalObs);
    }

    private void Run(Job job, int steps)
    {
        _job = job;
        _jobSteps = steps;
        _pool.Run(this, _b.VecCount);
    }

    /// <summary>Worker entry: lane values [start, end).</summary>
    void IRangeJob.Run(int start, int end)
    {
        switch (_job)
        {
            case Job.Step: RunSteps(start, end); break;
            case Job.Reset: RunReset(start, end); break;
            default: RunResetMasked(start, end); break;
        }
    }

    /// <summary>A worker's observations of the block of lane values it steps ([StepBlockVecs, ObsSize], see
    /// <see cref="CpuLaneIO{T}"/>); allocated once per thread, cleared before each block.</summary>
    [ThreadStatic] private static T[]? t_obs;
    /// <summary>A worker's block of caller actions as floats ([StepBlockVecs · lane width]), converted just
    /// before the block is stepped; allocated once per thread.</summary>
    [ThreadStatic] private static float[]? t_actions;
    /// <summary>A worker's random-action Philox words of the block ([StepBlockVecs, 4]): one draw serves the steps its
    /// bits hold (<see cref="RandomActions"/>).</summary>
    [ThreadStatic] private static T[]? t_actionWords;
    /// <summary>A worker's episode ends of a block's step ([StepBlockVecs, 3]: ended, pending, RNG counter before;
    /// see <see cref="EnvLaneStep{TEnv, T, TParams, TIO}.StepBody"/>) and the block slots they belong to ([StepBlockVecs]).</summary>
    [ThreadStatic] private static T[]? t_ends;
    [ThreadStatic] private static int[]? t_endSlots;
    /// <summary>A worker's envs to reset after a block's step and the RNG counters their resets draw from ([StepBlockVecs ·
    /// lane width + lane width] each, as float bits for lane loads; the tail pads the last packed lane value).</summary>
    [ThreadStatic] private static uint[]? t_resetEnvs, t_resetCounters;

    /// <summary>Resets are packed across lane values (<see cref="ResetPacked"/>) on float lanes of 4 or more; a one-element or
    /// double lane resets in place.</summary>
    private static readonly bool PacksResets = T.Count >= 4 && !T.IsDouble;

    /// <summary>The episode-end work of the <paramref name="count"/> lane values of a block whose step ended or reset
    /// episodes, one after another.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private void FinishEpisodes(int block, int[] slots, T[] ends, int count, T[] obs, float[] staged, int blockFirstEnv, bool observe)
    {
        var st = _settings;
        int obsSize = Spec.ObsSize;
        if (st.Mode == AutoResetMode.SameStep && observe) PrefetchFinalRows(block, slots, ends, count);
        uint[] resetEnvs = PacksResets ? t_resetEnvs ??= new uint[(StepBlockVecs + 1) * T.Count] : [];
        uint[] resetCounters = PacksResets ? t_resetCounters ??= new uint[(StepBlockVecs + 1) * T.Count] : [];
        int resets = 0;
        for (int i = 0; i < count; i++)
        {
            int slot = slots[i];
            var io = new CpuLaneIO<T>(_b, block + slot, obs, slot * obsSize, staged, blockFirstEnv);
            ref T end = ref ends[i * 3];
            if (!PacksResets)
            {
                // Reset observations are not written: ObserveBlock observes every env after the call's last step.
                EnvLaneStep<TEnv, T, TParams, CpuLaneIO<T>>.FinishEpisodes(ref io, _params, st, end, Unsafe.Add(ref end, 1), Unsafe.Add(ref end, 2),
                    observe, observeResets: false);
                continue;
            }
            T resetMask;
            if (st.Mode == AutoResetMode.SameStep && !observe)
            {
                // A step before a call's last, same-step mode: the step restarted the ended episodes' return and length
                // (EnvLaneStep.StepBody) and writes no final observations, so only their resets are left, drawn from
                // the counters after the step, which the step stored.
                resetMask = end;
            }
            else
            {
                EnvLaneStep<TEnv, T, TParams, CpuLaneIO<T>>.FinishEpisodesExceptResets(ref io, _params, st, end, Unsafe.Add(ref end, 1),
                    Unsafe.Add(ref end, 2), observe, out resetMask, out _);
            }
            // Every lane the mask names, padding lanes past the last env included (as a reset in place would). Their reset
            // counters are in the counter column: the step stored them, or FinishEpisodesExceptResets restarted them there.
            ulong bits = T.MaskBits(resetMask);
            uint firstEnv = (uint)((block + slot) * T.Count);
            ref uint counters = ref Unsafe.As<T, uint>(ref _b.RngCounter[block + slot]);
            if (ResetPacking.TryPack(resetMask, bits, firstEnv, ref counters, resetEnvs, resetCounters, ref resets)) continue;
            while (bits != 0)
            {
                int j = System.Numerics.BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                resetEnvs[resets] = firstEnv + (uint)j;
                resetCounters[resets] = Unsafe.Add(ref counters, j);
                resets++;
            }
        }
        if (resets > 0) ResetPacked(resetEnvs, resetCounters, resets);
    }

    /// <summary>
    /// New episodes for the <paramref name="count"/> envs <paramref name="envs"/>, T.Count at a time: their RNG counters
    /// (<paramref name="counters"/>) and env indices packed into lane values, reset, and the fresh states and advanced counters
    /// written element by element to each env's lane. A CartPole step ends about one episode in 22, so one lane value in
    /// three has an ended env: reset in place, each ran the reset's Philox rounds and masked stores across all its lanes.
    /// The draws of an env depend only on its index and counter, so the states are those of a reset in place.
    /// AggressiveOptimization as the step loop: a benchmark can end before tiered compilation promotes it.
    /// </summary>
    /// <param name="envs">The envs, as many as <paramref name="count"/> and a lane value of padding past them.</param>
    /// <param name="counters">Their RNG counters, laid out as <paramref name="envs"/>.</param>
    /// <param name="count">How many envs.</param>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private void ResetPacked(uint[] envs, uint[] counters, int count)
    {
        var st = _settings;
        var envBits = System.Runtime.InteropServices.MemoryMarshal.Cast<uint, float>(envs.AsSpan());
        var counterBits = System.Runtime.InteropServices.MemoryMarshal.Cast<uint, float>(counters.AsSpan());
        // Env e's counter is uint e of the counter column (as in PackedStateWriter).
        ref uint counterColumn = ref Unsafe.As<T, uint>(ref _b.RngCounter[0]);
        for (int first = 0; first < count; first += T.Count)
        {
            // Whole lane values: lanes past count hold stale entries, computed but not written.
            T envIndex = T.Load(envBits, first, T.Count), counter = T.Load(counterBits, first, T.Count);
            EnvLaneStep<TEnv, T, TParams, CpuLaneIO<T>>.ResetFromCounter(counter, envIndex, _params, st, out TEnv fresh, out var rng);
            int written = Math.Min(T.Count, count - first);
            var writer = new PackedStateWriter<T>(_b.State, _b.Stride, envs, first, written);
            TEnv.Store(fresh, ref writer);
            T advanced = rng.Counter;
            ref uint advancedBits = ref Unsafe.As<T, uint>(ref advanced);
            ReadOnlySpan<uint> group = envs.AsSpan(first, written);
            for (int j = 0; j < group.Length; j++) Unsafe.Add(ref counterColumn, (int)group[j]) = Unsafe.Add(ref advancedBits, j);
        }
    }

    /// <summary>
    /// Starts loading the final-observation rows the ended envs of these lane values are about to be written to: the rows
    /// of a large batch lie in memory, not cache, and the scalar stores of one feature after another stalled on each
    /// row's first miss (14% of a frame-stacked CartPole step's time in a profile). Loaded here, the misses overlap each other and the
    /// loads and resets that come before the stores.
    /// </summary>
    private unsafe void PrefetchFinalRows(int block, int[] slots, T[] ends, int count)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported) return;
        int obsSize = Spec.ObsSize;
        fixed (float* rows = _b.FinalObs)
        {
            for (int i = 0; i < count; i++)
            {
                ulong bits = T.MaskBits(ends[i * 3]);
                int firstEnv = (block + slots[i]) * T.Count;
                while (bits != 0)
                {
                    int env = firstEnv + System.Numerics.BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    if (env >= EnvCount) break;
                    float* row = rows + (long)env * obsSize;
                    System.Runtime.Intrinsics.X86.Sse.Prefetch0(row);
                    System.Runtime.Intrinsics.X86.Sse.Prefetch0(row + obsSize - 1);
                }
            }
        }
    }

    /// <summary>The worker's observation buffer, [StepBlockVecs, ObsSize] for every job (a reset uses its first slot):
    /// one size, so steps and resets in turn do not reallocate it.</summary>
    private T[] WorkerObservations()
    {
        var obs = t_obs;
        if (obs is null || obs.Length != StepBlockVecs * Spec.ObsSize) t_obs = obs = new T[StepBlockVecs * Spec.ObsSize];
        return obs;
    }

    /// <remarks>
    /// Loop order: blocks of <see cref="StepBlockVecs"/> lane values, steps inside a block, lane values inside a
    /// step (<see cref="StepBlock{TKind}"/>). Consecutive lane values are independent, so the core overlaps their
    /// dependency chains (sin/cos, divisions); stepping one lane value K times in a row was bound by the latency of
    /// its own chain. A block's state, bookkeeping and outputs stay in L1/L2 across its K steps, and it is observed
    /// and exported to the caller's rows once, after its last step.
    /// AggressiveOptimization: a call can last seconds, too few calls for tiered compilation
    /// to promote it before a benchmark ends.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunSteps(int start, int end)
    {
        bool random = _randomActions;
        int stepCount = _jobSteps;
        uint firstStep = _stepCount;
        var buffers = new WorkerBuffers(
            WorkerObservations(),
            // Caller actions are converted a block at a time into this small buffer just before the block is stepped:
            // converting them all first cost a write and a read of every action through memory.
            random ? [] : (t_actions ??= new float[StepBlockVecs * T.Count]),
            random ? (t_actionWords ??= new T[StepBlockVecs * 4]) : [],
            t_ends ??= new T[StepBlockVecs * 3],
            t_endSlots ??= new int[StepBlockVecs]);
        // One-element lanes step one lane value at a time through a call's steps: a scalar step has little to overlap
        // across lane values, and the block loop's bookkeeping per step slowed the cpu-scalar baseline.
        int blockVecs = T.Count == 1 && stepCount > 1 ? 1 : StepBlockVecs;
        for (int block = start; block < end; block += blockVecs)
        {
            int blockEnd = Math.Min(end, block + blockVecs);
            if (!random) StageActions(block * T.Count, Math.Min(blockEnd * T.Count, EnvCount), buffers.Staged);
            if (stepCount > 1) StepBlock<InnerStep>(block, blockEnd, firstStep, stepCount - 1, buffers);
            StepBlock<LastStep>(block, blockEnd, firstStep + (uint)(stepCount - 1), 1, buffers);
            // The observation buffer is not cleared: ObserveBlock writes every feature of every lane value of the block
            // (Observe's contract) before anything is exported.
            ObserveBlock(block, blockEnd, buffers.Obs, buffers.Staged, block * T.Count);
        }
    }

    /// <summary>A worker's buffers for the blocks it steps (see the thread-static fields).</summary>
    private readonly record struct WorkerBuffers(T[] Obs, float[] Staged, T[] Words, T[] Ends, int[] EndSlots);

    /// <summary>A step of a call before its last: it writes state and bookkeeping only.</summary>
    private readonly struct InnerStep;

    /// <summary>A call's last step: it also writes the call's outputs (rewards, flags, final observations, episode
    /// statistics), which are that step's (<see cref="IVectorEnv.StepRandom"/>).</summary>
    private readonly struct LastStep;

    /// <summary>
    /// <paramref name="steps"/> steps of lane values [block, blockEnd), each followed by its episode ends. Out of line, one
    /// body per step kind (<see cref="InnerStep"/>, <see cref="LastStep"/>): the JIT compiles each with the kind a constant
    /// (a typeof test, folded even where the inlining budget is spent), so the steps before the last hold no output code,
    /// and each body's inlined step has the JIT's inlining budget and registers to itself. Pendulum ran 14% faster than
    /// with one inlined step under a run-time flag.
    /// </summary>
    /// <param name="block">The block's first lane value.</param>
    /// <param name="blockEnd">One past its last.</param>
    /// <param name="firstStep">The env step count of the first step (random actions are drawn from it).</param>
    /// <param name="steps">How many steps.</param>
    /// <param name="buffers">The worker's buffers.</param>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private void StepBlock<TKind>(int block, int blockEnd, uint firstStep, int steps, in WorkerBuffers buffers) where TKind : struct
    {
        bool last = typeof(TKind) == typeof(LastStep);
        var st = _settings;
        // A local copy for the inlined step (measured no slower than the field). The JIT still converts each float64
        // constant on every step: bench/README.md, stop 26.
        TParams prm = _params;
        bool random = _randomActions;
        int obsSize = Spec.ObsSize;
        int blockFirstEnv = block * T.Count;
        T[] obs = buffers.Obs, words = buffers.Words, ends = buffers.Ends;
        int[] endSlots = buffers.EndSlots;
        float[] staged = buffers.Staged;
        for (int k = 0; k < steps; k++)
        {
            uint step = firstStep + (uint)k;
            // A call's first step draws whatever its step count: the words of the call before are not kept.
            bool draw = step == _stepCount || RandomActions.StartsBlock(step, st);
            int actionWord = RandomActions.WordOf(step, st), actionShift = RandomActions.ShiftOf(step, st);
            int endCount = 0;
            for (int v = block; v < blockEnd; v++)
            {
                int slot = v - block;
                var io = new CpuLaneIO<T>(_b, v, obs, slot * obsSize, staged, blockFirstEnv);
                T action;
                if (random)
                {
                    // One Philox block serves several consecutive steps (RandomActions).
                    ref T w = ref words[slot * 4];
                    if (draw) DrawActionBlock(io.EnvIndex(), step, st, ref w);
                    action = RandomActions.FromWord(Unsafe.Add(ref w, actionWord), actionShift, st);
                }
                else
                {
                    action = io.ReadAction();
                }
                bool anyEnd = EnvLaneStep<TEnv, T, TParams, CpuLaneIO<T>>.StepBody(ref io, prm, st, action, observe: false,
                    writeResults: last, out T ended, out T pending, out T counterBefore);
                // Written whether or not an episode ended, and kept only if one did: about one lane value in three ends
                // an episode in a CartPole step, at random, and a branch on it mispredicted often (5% of the step's time
                // sat on its first instruction).
                ref T record = ref ends[endCount * 3];
                record = ended;
                Unsafe.Add(ref record, 1) = pending;
                Unsafe.Add(ref record, 2) = counterBefore;
                endSlots[endCount] = slot;
                endCount += anyEnd ? 1 : 0;
            }
            // The episode ends of this step, after the block's step loop: the hot loop holds no call.
            if (endCount > 0) FinishEpisodes(block, endSlots, ends, endCount, obs, staged, blockFirstEnv, last);
        }
    }

    /// <summary>
    /// <see cref="RandomActions.Block"/> into <c>w[0..4)</c>, out of line: it runs once per Philox block of actions (every 4th to 128th step), and its Philox rounds
    /// inlined into the step loop took a large share of the JIT's inlining budget there (Acrobot's step went past it).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void DrawActionBlock(T envIndex, uint step, in StepSettings st, ref T w) =>
        RandomActions.Block(envIndex, step, st, out w, out Unsafe.Add(ref w, 1), out Unsafe.Add(ref w, 2), out Unsafe.Add(ref w, 3));

    /// <summary>
    /// The observations of lane values [block, blockEnd) after a call's last step, episode ends included, from the stored
    /// state, each exported to the row-major rows while it is in L1. Out of the step, which observes nothing: inlined there,
    /// Observe (Pendulum's and Acrobot's sin/cos, a frame stack's ring) pushed the step past the JIT's inlining budget, and
    /// small lane operations in its hot path became calls. Observing in the step measured no faster for CartPole either:
    /// the packed resets then had to scatter their observations into the block's buffer.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private void ObserveBlock(int block, int blockEnd, T[] obs, float[] staged, int blockFirstEnv)
    {
        TParams prm = _params;
        int obsSize = Spec.ObsSize;
        for (int v = block; v < blockEnd; v++)
        {
            var io = new CpuLaneIO<T>(_b, v, obs, (v - block) * obsSize, staged, blockFirstEnv);
            TEnv.Load(ref io, out TEnv s);
            var writer = new ObservationWriter<T, CpuLaneIO<T>>(io);
            TEnv.Observe(s, prm, ref writer);
            io.ExportObservations();
        }
    }

    /// <summary>The caller's actions of envs [first, min(end, first + staged.Length)) into <paramref name="staged"/> as floats.</summary>
    private unsafe void StageActions(int first, int end, float[] staged)
    {
        int count = Math.Min(end - first, staged.Length);
        var dst = staged.AsSpan(0, count);
        if (_callerInts != null)
            TensorPrimitives.ConvertTruncating<int, float>(new ReadOnlySpan<int>(_callerInts + first, count), dst);
        else
            new ReadOnlySpan<float>(_callerFloats + first, count).CopyTo(dst);
    }

    private void RunReset(int start, int end)
    {
        T[] obs = WorkerObservations();
        for (int v = start; v < end; v++)
        {
            obs.AsSpan(0, Spec.ObsSize).Clear();
            var io = new CpuLaneIO<T>(_b, v, obs, 0, [], 0);
            EnvLaneStep<TEnv, T, TParams, CpuLaneIO<T>>.Reset(ref io, _params, _settings, T.TrueMask);
            io.ExportObservations();
        }
    }

    private void RunResetMasked(int start, int end)
    {
        Span<float> flags = stackalloc float[T.Count];
        T[] obs = WorkerObservations();
        for (int v = start; v < end; v++)
        {
            int first = v * T.Count, count = Math.Min(T.Count, EnvCount - first);
            flags.Clear();
            bool any = false;
            for (int j = 0; j < count; j++)
            {
                flags[j] = _resetMask![first + j] ? 1f : 0f;
                any |= _resetMask[first + j];
            }
            if (!any) continue;
            var io = new CpuLaneIO<T>(_b, v, obs, 0, [], 0);
            io.LoadObservations();
            EnvLaneStep<TEnv, T, TParams, CpuLaneIO<T>>.Reset(ref io, _params, _settings, T.NonZero(T.Load(flags, 0, T.Count)));
            io.ExportObservations();
        }
    }

    /// <inheritdoc/>
    public ReadOnlySpan<float> Observations => _b.Obs;
    /// <inheritdoc/>
    public ReadOnlySpan<float> FinalObservations => _b.FinalObs;
    /// <inheritdoc/>
    public ReadOnlySpan<float> Rewards => _b.Rewards;
    /// <inheritdoc/>
    public ReadOnlySpan<bool> Terminated => _b.Terminated;
    /// <inheritdoc/>
    public ReadOnlySpan<bool> Truncated => _b.Truncated;
    /// <inheritdoc/>
    public ReadOnlySpan<float> EpisodeReturns => _b.CompletedReturn;
    /// <inheritdoc/>
    public ReadOnlySpan<int> EpisodeLengths => _b.CompletedLength;

    /// <summary>Test access: state field <paramref name="field"/> of env <paramref name="env"/>.</summary>
    internal double StateOf(int env, int field) =>
        T.Element(_b.State[field * _b.Stride + env / T.Count], env % T.Count);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_caller.TryBeginDispose()) _pool.Dispose();
    }
}
