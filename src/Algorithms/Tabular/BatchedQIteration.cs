using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RlKernels.Envs.Tabular;
using RlKernels.Kernels.Threading;

namespace RlKernels.Algorithms.Tabular;

// Batched Q-iteration for Q*: one call solves B problems of the same shape (S states, A actions) at
// once, in float32 or float64, with SIMD lanes (Vector<T>, W = Vector<T>.Count) over the batch and
// all cores over the states. Two batches:
//   - one MDP under B discounts γ_b (SolveGammas): the transition structure is shared, so the next
//     state's values of W members are one contiguous vector load;
//   - B MDPs of the same shape, each with its own γ (SolveModels): next states differ per member and
//     are gathered lane by lane — unless the members share their next-state structure (FrozenLake maps,
//     …): then the lane engine of BatchedQIteration.Lanes.cs runs (at the lane width in use, no gather, lanes refilled
//     with the next member as members converge).
// Layout: member b of a value lives at [row · Bp + b], Bp = B rounded up to a multiple of W (padding
// members solve a zero problem). Each (s, a) is compiled to R(s,a) = Σ_k p_k r_k and a list of
// (next state, weight) with weight = Σ p_k over its non-terminated outcomes into that next state
// (terminated outcomes have continuation value 0; merging by next state is exact once rewards are
// folded into R). Lists are padded to the longest one, K, with weight 0.
// One sweep (synchronous):  Q'(s,a) = R(s,a) + γ Σ_k w_k V(s'_k),  V'(s) = max_a Q'(s,a),
// residual_b = max |Q' − Q| over (s, a). A member is converged at the first sweep whose residual is
// at most max(Tolerance, 4·ε·(1 + max|Q|)) — ε the precision's epsilon, so float32 stops at its
// rounding level instead of cycling between neighbouring floats. The sweeps go on until every member
// has converged or stopped being finite, or MaxIterations.

/// <summary>Settings of <see cref="BatchedQIteration"/>.</summary>
public sealed record BatchedQIterationConfig
{
    /// <summary>Stop a member when its max-norm change is at most this (or at its precision's rounding
    /// level, whichever is larger). Default 1e-10.</summary>
    public double Tolerance { get; init; } = 1e-10;
    /// <summary>Sweep cap; members not done by then are reported as not converged. Default 100,000.</summary>
    public int MaxIterations { get; init; } = 100_000;
    /// <summary>Worker threads; 0 = all cores. Default 0.</summary>
    public int Threads { get; init; }
    /// <summary>Float64 (default) or float32 arithmetic and storage.</summary>
    public TabularPrecision Precision { get; init; } = TabularPrecision.Double;
}

/// <summary>Arithmetic of the batched tabular kernels.</summary>
public enum TabularPrecision
{
    /// <summary>float64 tables and arithmetic.</summary>
    Double,
    /// <summary>float32 tables and arithmetic (twice the SIMD lanes; results widened to double).</summary>
    Float,
}

/// <summary>B solutions of the same shape.</summary>
/// <param name="BatchSize">Members B.</param>
/// <param name="StateCount">States S.</param>
/// <param name="ActionCount">Actions A.</param>
/// <param name="Gammas">[B] each member's discount.</param>
/// <param name="Q">[B, S, A]</param>
/// <param name="V">[B, S]</param>
/// <param name="Policy">[B, S] greedy, ties broken toward termination.</param>
/// <param name="Iterations">[B] sweeps until the member converged (the sweep count when it did not).</param>
/// <param name="Residual">[B] the member's max-norm change at that sweep.</param>
/// <param name="Converged">[B]</param>
public sealed record TabularBatchSolution(int BatchSize, int StateCount, int ActionCount, double[] Gammas,
    double[] Q, double[] V, int[] Policy, int[] Iterations, double[] Residual, bool[] Converged)
{
    /// <summary>Member <paramref name="b"/> as a single solution.</summary>
    public TabularSolution Member(int b, string algorithm = "q-iteration")
    {
        int sa = StateCount * ActionCount;
        return new TabularSolution(algorithm, Gammas[b], StateCount, ActionCount, Q.AsSpan(b * sa, sa).ToArray(),
            V.AsSpan(b * StateCount, StateCount).ToArray(), Policy.AsSpan(b * StateCount, StateCount).ToArray(),
            Iterations[b], Residual[b], Converged[b]);
    }
}

/// <summary>Q-iteration for Q* over a batch of discounts or of MDPs: SIMD over the batch, threads over states.</summary>
public static partial class BatchedQIteration
{
    /// <summary>Solves one MDP for every γ in <paramref name="gammas"/> ([B]).</summary>
    /// <exception cref="ArgumentException">An empty batch, γ outside [0, 1], bad settings.</exception>
    public static TabularBatchSolution SolveGammas(TabularMdp model, ReadOnlySpan<double> gammas, BatchedQIterationConfig config)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckCommon(gammas, config);
        return config.Precision == TabularPrecision.Double
            ? RunTiled<double>([model], gammas.ToArray(), config, shared: true)
            : RunTiled<float>([model], gammas.ToArray(), config, shared: true);
    }

    /// <summary>Solves B MDPs of the same shape; <paramref name="gammas"/> has one γ per model, or one for all.</summary>
    /// <exception cref="ArgumentException">An empty batch, mismatched shapes or γ count, γ outside [0, 1], bad settings.</exception>
    public static TabularBatchSolution SolveModels(IReadOnlyList<TabularMdp> models, ReadOnlySpan<double> gammas, BatchedQIterationConfig config)
    {
        ArgumentNullException.ThrowIfNull(models);
        if (models.Count == 0) throw new ArgumentException("The batch of models is empty.", nameof(models));
        for (int b = 0; b < models.Count; b++)
        {
            if (models[b] is null) throw new ArgumentException($"Model {b} is null.", nameof(models));
            if (models[b].StateCount != models[0].StateCount || models[b].ActionCount != models[0].ActionCount)
                throw new ArgumentException($"Model {b} has shape (S={models[b].StateCount}, A={models[b].ActionCount}), " +
                    $"model 0 has (S={models[0].StateCount}, A={models[0].ActionCount}): a batch needs one shape.", nameof(models));
        }
        if (gammas.Length != 1 && gammas.Length != models.Count)
            throw new ArgumentException($"Give one γ per model ({models.Count}) or one for all, got {gammas.Length}.", nameof(gammas));
        CheckCommon(gammas, config);
        double[] all = gammas.Length == 1 ? Enumerable.Repeat(gammas[0], models.Count).ToArray() : gammas.ToArray();
        return config.Precision == TabularPrecision.Double
            ? TryRunLanes<double>(models, all, config) ?? RunTiled<double>(models, all, config, shared: false)
            : TryRunLanes<float>(models, all, config) ?? RunTiled<float>(models, all, config, shared: false);
    }

    private static void CheckCommon(ReadOnlySpan<double> gammas, BatchedQIterationConfig config)
    {
        if (gammas.Length == 0) throw new ArgumentException("The batch of discounts is empty.", nameof(gammas));
        for (int b = 0; b < gammas.Length; b++) Bellman.CheckGamma(gammas[b], $"gammas[{b}]");
        if (!(config.Tolerance >= 0)) throw new ArgumentException($"Tolerance must be ≥ 0, got {config.Tolerance}.", nameof(config));
        if (config.MaxIterations < 1) throw new ArgumentException($"MaxIterations must be ≥ 1, got {config.MaxIterations}.", nameof(config));
        if (config.Threads < 0) throw new ArgumentException($"Threads must be ≥ 0, got {config.Threads}.", nameof(config));
    }

    /// <summary>
    /// Splits a batch of at least one tile (W = Vector&lt;T&gt;.Count members) per thread into tiles solved
    /// independently, one thread each; smaller batches sweep all members with the states split over threads.
    /// </summary>
    /// <remarks>
    /// Why tiles: with the whole batch in one sweep, each sweep streams [S·A, K, B] next states and weights
    /// (B = 1,000 FrozenLake-8x8 maps: 9 MB, far past L2) and every member is swept until the slowest one
    /// has converged. A tile's arrays are a few tens of KB (L1/L2-resident across its sweeps), a tile stops
    /// at its own slowest member, and the threads never meet between sweeps. Results are identical: members
    /// never interact, and a member's sweeps do not depend on which others share its tile.
    /// </remarks>
    private static TabularBatchSolution RunTiled<T>(IReadOnlyList<TabularMdp> models, double[] gammas, BatchedQIterationConfig config, bool shared)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector<T>.Count, batch = gammas.Length;
        int threads = config.Threads > 0 ? config.Threads : Environment.ProcessorCount;
        int tiles = (batch + w - 1) / w;
        if (tiles < 2 || tiles < threads) return Run<T>(models, gammas, config, shared);
        var parts = new TabularBatchSolution[tiles];
        var single = config with { Threads = 1 };
        Parallel.For(0, tiles, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            int from = t * w, count = Math.Min(w, batch - from);
            var tileModels = shared ? models : models.Skip(from).Take(count).ToList();
            parts[t] = Run<T>(tileModels, gammas.AsSpan(from, count).ToArray(), single, shared);
        });
        // Concatenate the tiles in member order.
        var first = models[0];
        int stateCount = first.StateCount, actionCount = first.ActionCount;
        return new TabularBatchSolution(batch, stateCount, actionCount, gammas,
            parts.SelectMany(p => p.Q).ToArray(), parts.SelectMany(p => p.V).ToArray(), parts.SelectMany(p => p.Policy).ToArray(),
            parts.SelectMany(p => p.Iterations).ToArray(), parts.SelectMany(p => p.Residual).ToArray(), parts.SelectMany(p => p.Converged).ToArray());
    }

    private static TabularBatchSolution Run<T>(IReadOnlyList<TabularMdp> models, double[] gammas, BatchedQIterationConfig config, bool shared)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var first = models[0];
        int batch = gammas.Length, stateCount = first.StateCount, actionCount = first.ActionCount;
        var sweep = new SweepJob<T>(models, gammas, shared);
        int threads = config.Threads > 0 ? config.Threads : Environment.ProcessorCount;
        threads = Math.Max(1, Math.Min(threads, stateCount / 64 + 1));
        sweep.Chunks = threads;
        sweep.ChunkResidual = new T[threads * sweep.Bp];
        sweep.ChunkMagnitude = new T[threads * sweep.Bp];
        using var pool = new WorkerPool(threads);

        var iterations = new int[batch];
        var residual = new double[batch];
        var done = new bool[batch];
        var converged = new bool[batch];
        double epsilon = typeof(T) == typeof(float) ? 1.1920929e-7 : 2.220446049250313e-16;  // machine ε
        int remaining = batch;
        for (int iteration = 1; iteration <= config.MaxIterations && remaining > 0; iteration++)
        {
            // UPDATE: one synchronous sweep of every member, states split over the threads.
            pool.Run(sweep, threads);
            (sweep.Q, sweep.QNext) = (sweep.QNext, sweep.Q);
            (sweep.V, sweep.VNext) = (sweep.VNext, sweep.V);
            // Per member: the largest change and magnitude over all chunks decide convergence.
            for (int b = 0; b < batch; b++)
            {
                if (done[b]) continue;
                double change = 0, magnitude = 0;
                for (int c = 0; c < threads; c++)
                {
                    double r = double.CreateTruncating(sweep.ChunkResidual[c * sweep.Bp + b]);
                    change = double.IsNaN(r) ? double.PositiveInfinity : Math.Max(change, r);
                    magnitude = Math.Max(magnitude, double.CreateTruncating(sweep.ChunkMagnitude[c * sweep.Bp + b]));
                }
                iterations[b] = iteration;
                residual[b] = change;
                bool ok = change <= Math.Max(config.Tolerance, 4 * epsilon * (1 + magnitude));
                if (ok || !double.IsFinite(change) || !double.IsFinite(magnitude))
                {
                    done[b] = true;
                    converged[b] = ok;
                    remaining--;
                }
            }
        }

        // Unpack [row, Bp] into [B, S, A] and [B, S] in float64, then the greedy policies.
        var q = new double[batch * stateCount * actionCount];
        var v = new double[batch * stateCount];
        var policy = new int[batch * stateCount];
        int sa = stateCount * actionCount;
        for (int b = 0; b < batch; b++)
        {
            for (int i = 0; i < sa; i++) q[b * sa + i] = double.CreateTruncating(sweep.Q[i * sweep.Bp + b]);
            Bellman.MaxOverActions(q.AsSpan(b * sa, sa), actionCount, v.AsSpan(b * stateCount, stateCount));
            GreedyPolicy.TowardTermination(models[shared ? 0 : b], q.AsSpan(b * sa, sa)).CopyTo(policy, b * stateCount);
        }
        return new TabularBatchSolution(batch, stateCount, actionCount, gammas, q, v, policy, iterations, residual, converged);
    }

    /// <summary>The compiled batch and one sweep over a range of states (a chunk per worker).</summary>
    private sealed class SweepJob<T> : IRangeJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        public readonly int StateCount, ActionCount, K, Bp;
        private readonly bool _shared;
        private readonly T[] _reward;   // [S·A, Bp] R(s,a) per member
        private readonly int[] _next;   // shared: [S·A, K] next state; per member: [S·A, K, Bp] offset s'·Bp + b of V(s') of member b
        private readonly T[] _weight;   // shared: [S·A, K] Σ p (not terminated); per member: [S·A, K, Bp] γ_b · weight
        private readonly T[] _gamma;    // [Bp] (shared only; per member it is folded into the weights)
        public T[] Q, QNext;            // [S·A, Bp]
        public T[] V, VNext;            // [S, Bp]
        public int Chunks;
        public T[] ChunkResidual = [];  // [Chunks, Bp]
        public T[] ChunkMagnitude = []; // [Chunks, Bp]

        public SweepJob(IReadOnlyList<TabularMdp> models, double[] gammas, bool shared)
        {
            int w = Vector<T>.Count;
            var first = models[0];
            StateCount = first.StateCount;
            ActionCount = first.ActionCount;
            _shared = shared;
            int batch = gammas.Length, sa = StateCount * ActionCount;
            Bp = (batch + w - 1) / w * w;
            var lists = new List<(int Next, double Weight)>[shared ? 1 : batch][];
            var rewards = new double[lists.Length][];
            int k = 1;
            for (int m = 0; m < lists.Length; m++)
            {
                (lists[m], rewards[m]) = Compile(models[m]);
                foreach (var list in lists[m]) k = Math.Max(k, list.Count);
            }
            K = k;
            _reward = new T[sa * Bp];
            for (int i = 0; i < sa; i++)
                for (int b = 0; b < batch; b++) _reward[i * Bp + b] = T.CreateTruncating(rewards[shared ? 0 : b][i]);
            if (shared)
            {
                _next = new int[sa * K];
                _weight = new T[sa * K];
                for (int i = 0; i < sa; i++)
                    for (int j = 0; j < lists[0][i].Count; j++)
                    {
                        _next[i * K + j] = lists[0][i][j].Next;
                        _weight[i * K + j] = T.CreateTruncating(lists[0][i][j].Weight);
                    }
                _gamma = new T[Bp];
                for (int b = 0; b < batch; b++) _gamma[b] = T.CreateTruncating(gammas[b]);
            }
            else
            {
                _next = GC.AllocateArray<int>(sa * K * Bp, pinned: true);  // pinned: Gather takes its address
                _weight = new T[sa * K * Bp];
                for (int b = 0; b < batch; b++)
                    for (int i = 0; i < sa; i++)
                        for (int j = 0; j < lists[b][i].Count; j++)
                        {
                            _next[(i * K + j) * Bp + b] = lists[b][i][j].Next * Bp + b;
                            _weight[(i * K + j) * Bp + b] = T.CreateTruncating(gammas[b] * lists[b][i][j].Weight);
                        }
                _gamma = [];
            }
            Q = new T[sa * Bp];
            QNext = new T[sa * Bp];
            V = new T[StateCount * Bp];
            VNext = new T[StateCount * Bp];
        }

        /// <summary>R(s,a) [S·A] and per (s, a) its non-terminated next states with summed probabilities.</summary>
        private static (List<(int, double)>[] Lists, double[] Reward) Compile(TabularMdp model)
        {
            int sa = model.StateCount * model.ActionCount;
            var lists = new List<(int, double)>[sa];
            var reward = new double[sa];
            var offsets = model.Offsets;
            for (int i = 0; i < sa; i++)
            {
                var list = new List<(int Next, double Weight)>(offsets[i + 1] - offsets[i]);
                for (int k = offsets[i]; k < offsets[i + 1]; k++)
                {
                    reward[i] += model.Probability[k] * model.Reward[k];
                    if (model.Terminated[k] || model.Probability[k] == 0) continue;
                    int at = list.FindIndex(e => e.Next == model.NextState[k]);
                    if (at < 0) list.Add((model.NextState[k], model.Probability[k]));
                    else list[at] = (list[at].Next, list[at].Weight + model.Probability[k]);
                }
                lists[i] = list;
            }
            return (lists, reward);
        }

        public void Run(int start, int end)
        {
            for (int chunk = start; chunk < end; chunk++)
            {
                int from = (int)((long)StateCount * chunk / Chunks), to = (int)((long)StateCount * (chunk + 1) / Chunks);
                for (int b = 0; b < Bp; b += Vector<T>.Count)
                {
                    var (residual, magnitude) = _shared ? Sweep(from, to, b, new SharedNext(this, b)) : SweepGathered(from, to, b);
                    residual.CopyTo(ChunkResidual, chunk * Bp + b);
                    magnitude.CopyTo(ChunkMagnitude, chunk * Bp + b);
                }
            }
        }

        /// <summary>States [from, to), members [b, b + W): each member's next states are gathered.</summary>
        private unsafe (Vector<T>, Vector<T>) SweepGathered(int from, int to, int b)
        {
            Span<T> gathered = stackalloc T[Vector<T>.Count];  // the scalar fallback's lanes
            fixed (T* vPinned = V) return Sweep(from, to, b, new GatheredNext(this, b, vPinned, gathered));
        }

        /// <summary>
        /// States [from, to), members [b, b + W): Q'(s,a) = R(s,a) + γ Σ_j w_j V(s'_j) and V'(s) = max_a Q'(s,a);
        /// returns the members' max |Q' − Q| and max |Q'|. <paramref name="source"/> supplies the terms w_j V(s'_j)
        /// and the discount, the only difference between the two batches; as a struct type argument it is
        /// compiled into this loop nest once per batch kind, inlined.
        /// </summary>
        private (Vector<T>, Vector<T>) Sweep<TNext>(int from, int to, int b, TNext source)
            where TNext : struct, INextValues, allows ref struct
        {
            ref T q = ref MemoryMarshal.GetArrayDataReference(Q);
            ref T qNext = ref MemoryMarshal.GetArrayDataReference(QNext);
            ref T vNext = ref MemoryMarshal.GetArrayDataReference(VNext);
            ref T reward = ref MemoryMarshal.GetArrayDataReference(_reward);
            var residual = Vector<T>.Zero;
            var magnitude = Vector<T>.Zero;
            for (int s = from; s < to; s++)
            {
                var best = new Vector<T>(T.NegativeInfinity);
                for (int a = 0; a < ActionCount; a++)
                {
                    int sa = s * ActionCount + a;
                    var acc = Vector<T>.Zero;
                    for (int j = 0; j < K; j++) acc += source.Term(sa, j);
                    var updated = Vector.LoadUnsafe(ref reward, (nuint)(sa * Bp + b)) + source.Discount(acc);
                    residual = Vector.Max(residual, Vector.Abs(updated - Vector.LoadUnsafe(ref q, (nuint)(sa * Bp + b))));
                    magnitude = Vector.Max(magnitude, Vector.Abs(updated));
                    Vector.StoreUnsafe(updated, ref qNext, (nuint)(sa * Bp + b));
                    best = Vector.Max(best, updated);
                }
                Vector.StoreUnsafe(best, ref vNext, (nuint)(s * Bp + b));
            }
            return (residual, magnitude);
        }

        /// <summary>How a sweep gets the terms of its backup for members [b, b + W): the one thing the two batches do differently.</summary>
        private interface INextValues
        {
            /// <summary>w_j · V(s'_j) of slot <paramref name="j"/> of row <paramref name="sa"/> = s·A + a.</summary>
            Vector<T> Term(int sa, int j);
            /// <summary>The discounted continuation from the summed terms.</summary>
            Vector<T> Discount(Vector<T> sum);
        }

        /// <summary>One MDP under W discounts: slot j has one next state for all members, so V(s'_j) is one contiguous
        /// vector load, times the slot's broadcast weight; γ_b multiplies the sum.</summary>
        private readonly ref struct SharedNext : INextValues
        {
            private readonly ref T _v;
            private readonly ref int _next;
            private readonly ref T _weight;
            private readonly Vector<T> _gamma;
            private readonly int _k, _bp, _b;

            public SharedNext(SweepJob<T> job, int b)
            {
                _v = ref MemoryMarshal.GetArrayDataReference(job.V);
                _next = ref MemoryMarshal.GetArrayDataReference(job._next);
                _weight = ref MemoryMarshal.GetArrayDataReference(job._weight);
                _gamma = Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(job._gamma), (nuint)b);
                (_k, _bp, _b) = (job.K, job.Bp, b);
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public Vector<T> Term(int sa, int j)
            {
                int e = sa * _k + j;
                return new Vector<T>(Unsafe.Add(ref _weight, e)) * Vector.LoadUnsafe(ref _v, (nuint)(Unsafe.Add(ref _next, e) * _bp + _b));
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public Vector<T> Discount(Vector<T> sum) => _gamma * sum;
        }

        /// <summary>True where <see cref="Gather"/> is one AVX2 instruction: Vector&lt;T&gt; is 256 bits (4 doubles or 8 floats).</summary>
        private static readonly bool CanGather = Avx2.IsSupported && Vector<T>.Count * Unsafe.SizeOf<T>() == 32
            && (typeof(T) == typeof(double) || typeof(T) == typeof(float));

        /// <summary>V at the W offsets next[e .. e + W), by one AVX2 gather (only where <see cref="CanGather"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe Vector<T> Gather(T* basePtr, ref int next, int e)
        {
            {
                int* index = (int*)Unsafe.AsPointer(ref Unsafe.Add(ref next, e));  // _next is pinned
                {
                    if (typeof(T) == typeof(double))
                        return Unsafe.BitCast<Vector256<double>, Vector<T>>(Avx2.GatherVector256((double*)basePtr, Vector128.Load(index), 8));
                    if (typeof(T) == typeof(float))
                        return Unsafe.BitCast<Vector256<float>, Vector<T>>(Avx2.GatherVector256((float*)basePtr, Vector256.Load(index), 4));
                }
            }
            throw new PlatformNotSupportedException("Gather needs AVX2 and a 256-bit Vector<T> of float or double.");
        }

        /// <summary>B MDPs: each member has its own next states, gathered lane by lane (one AVX2 gather where
        /// <see cref="CanGather"/>, else scalar loads); γ_b is folded into the per-member weights.</summary>
        private readonly unsafe ref struct GatheredNext : INextValues
        {
            private readonly T* _vPinned;
            private readonly ref T _v;
            private readonly ref int _next;
            private readonly ref T _weight;
            private readonly Span<T> _gathered;  // [W] scratch of the scalar fallback
            private readonly int _k, _bp, _b;

            public GatheredNext(SweepJob<T> job, int b, T* vPinned, Span<T> gathered)
            {
                _vPinned = vPinned;
                _v = ref MemoryMarshal.GetArrayDataReference(job.V);
                _next = ref MemoryMarshal.GetArrayDataReference(job._next);
                _weight = ref MemoryMarshal.GetArrayDataReference(job._weight);
                _gathered = gathered;
                (_k, _bp, _b) = (job.K, job.Bp, b);
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public Vector<T> Term(int sa, int j)
            {
                int e = (sa * _k + j) * _bp + _b;
                Vector<T> values;
                if (CanGather) values = Gather(_vPinned, ref _next, e);
                else
                {
                    for (int lane = 0; lane < Vector<T>.Count; lane++) _gathered[lane] = Unsafe.Add(ref _v, Unsafe.Add(ref _next, e + lane));
                    values = new Vector<T>(_gathered);
                }
                return Vector.LoadUnsafe(ref _weight, (nuint)e) * values;
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public Vector<T> Discount(Vector<T> sum) => sum;
        }
    }
}
