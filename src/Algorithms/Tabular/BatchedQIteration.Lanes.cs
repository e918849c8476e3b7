using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using RlKernels.Envs.Tabular;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Algorithms.Tabular;

// The lane engine of SolveModels for B MDPs that share their next-state structure (FrozenLake maps of one
// size, CliffWalking with and without slip, …): same semantics as the tiled path (synchronous sweeps of
// each member from Q = 0, the same per-member stopping rule), a different schedule and layout.
//
// SHARED NEXT STATES. Per (s, a) the union over all members of the next states of non-terminated outcomes
// (p > 0) is taken: slot j of (s, a) has one next state s'_j for every member and a per-member weight
// γ_b · Σ p (0 where member b does not reach s'_j from (s, a), or only through terminated outcomes). On a
// grid the union is the member's own list (the moves are the same on every map; holes and goals only make
// outcomes terminated), so it is no longer than a single model's list. One (s, a, j) update of L members is
// then a broadcast next-state offset, one contiguous load of V[s'_j, lanes] and one of the weights — no
// gather. The engine is used only when the union is at most twice the longest outcome list; otherwise
// the tiled gather path runs.
//
// LANES, REFILLED. A worker holds L = TV.Count members in its lanes — TV the vector of the lane width in use
// (LaneSelection: Vector512 with AVX-512, 8 doubles or 16 floats; Vector256 with AVX2; Vector128 on NEON or SSE,
// 2 doubles or 4 floats; RLK_LANES or --lanes narrows it; 1 runs the tiled path instead) — and
// sweeps them together. When a lane's member stops (converged, not finite, or at the cap), its Q is written
// out and the next unsolved member of the batch (a shared counter: workers balance themselves) is loaded into
// that lane with Q = 0, while the other lanes go on. So the batch costs Σ_b sweeps_b / L vector sweeps,
// not Σ over tiles of the slowest member's sweeps. A member's sweeps depend only on its own values, so the
// results do not depend on which members share its lanes or when it started.
//
// LAYOUT (per worker): weights [S·A, Ku, L], R [S·A, L], Q [S·A, L] (updated in place: a backup reads V
// only, and the old Q(s, a) is read just before it is overwritten, for the residual), V and V' [S, L].

public static partial class BatchedQIteration
{
    /// <summary>Per (s, a) the union of non-terminated next states over all members, padded to Ku; null when
    /// the union is longer than twice the longest outcome list (a gather is then cheaper than the padding).</summary>
    private static (int[] Next, int Ku)? SharedNextStates(IReadOnlyList<TabularMdp> models)
    {
        var first = models[0];
        int sa = first.StateCount * first.ActionCount;
        int longest = 1;
        foreach (var model in models)
        {
            var offsets = model.Offsets;
            for (int i = 0; i < sa; i++) longest = Math.Max(longest, offsets[i + 1] - offsets[i]);
        }
        int limit = 2 * longest;
        var union = new int[sa * limit];
        var count = new int[sa];
        foreach (var model in models)
        {
            var offsets = model.Offsets;
            var next = model.NextState;
            var prob = model.Probability;
            var terminated = model.Terminated;
            for (int i = 0; i < sa; i++)
                for (int k = offsets[i]; k < offsets[i + 1]; k++)
                {
                    if (terminated[k] || prob[k] == 0) continue;
                    int n = next[k], c = count[i];
                    if (union.AsSpan(i * limit, c).Contains(n)) continue;
                    if (c == limit) return null;
                    union[i * limit + c] = n;
                    count[i] = c + 1;
                }
        }
        int ku = Math.Max(1, count.Max());
        var packed = new int[sa * ku];  // padding slots: state 0 with weight 0
        for (int i = 0; i < sa; i++) union.AsSpan(i * limit, count[i]).CopyTo(packed.AsSpan(i * ku));
        return (packed, ku);
    }

    /// <summary>SolveModels on the lane engine at the lane width in use; null when it does not apply (scalar lanes, or no shared structure).</summary>
    private static TabularBatchSolution? TryRunLanes<T>(IReadOnlyList<TabularMdp> models, double[] gammas, BatchedQIterationConfig config)
        where T : unmanaged, IFloatingPointIeee754<T> => LaneSelection.BestWidth switch
        {
            16 => TryRunLanes<T, Vector512<T>, VectorOps512<T>>(models, gammas, config),
            8 => TryRunLanes<T, Vector256<T>, VectorOps256<T>>(models, gammas, config),
            4 => TryRunLanes<T, Vector128<T>, VectorOps128<T>>(models, gammas, config),
            _ => null,
        };

    private static TabularBatchSolution? TryRunLanes<T, TV, TW>(IReadOnlyList<TabularMdp> models, double[] gammas, BatchedQIterationConfig config)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where TW : IVectorOps<TV, T>
    {
        if (SharedNextStates(models) is not var (next, ku)) return null;
        var first = models[0];
        int batch = models.Count, stateCount = first.StateCount, actionCount = first.ActionCount, sa = stateCount * actionCount;
        int lanes = TW.Count;
        int threads = config.Threads > 0 ? config.Threads : Environment.ProcessorCount;
        int workers = Math.Max(1, Math.Min(threads, (batch + lanes - 1) / lanes));
        var result = new LaneResult(batch, stateCount, actionCount);
        int claimed = -1;  // the last member index handed to a lane
        var shape = new LaneShape(stateCount, actionCount, ku, next);
        if (workers == 1) new LaneWorker<T, TV, TW>(shape, models, gammas, config, result).Run(ref claimed);
        else
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers },
                _ => new LaneWorker<T, TV, TW>(shape, models, gammas, config, result).Run(ref claimed));
        return new TabularBatchSolution(batch, stateCount, actionCount, gammas, result.Q, result.V, result.Policy,
            result.Iterations, result.Residual, result.Converged);
    }

    private sealed record LaneShape(int StateCount, int ActionCount, int Ku, int[] Next);

    private sealed class LaneResult(int batch, int stateCount, int actionCount)
    {
        public readonly double[] Q = new double[batch * stateCount * actionCount];
        public readonly double[] V = new double[batch * stateCount];
        public readonly int[] Policy = new int[batch * stateCount];
        public readonly int[] Iterations = new int[batch];
        public readonly double[] Residual = new double[batch];
        public readonly bool[] Converged = new bool[batch];
    }

    /// <summary>One worker's L lanes and their sweeps.</summary>
    private sealed class LaneWorker<T, TV, TW> where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where TW : IVectorOps<TV, T>
    {
        private readonly IReadOnlyList<TabularMdp> _models;
        private readonly double[] _gammas;
        private readonly BatchedQIterationConfig _config;
        private readonly LaneResult _result;
        private readonly int _stateCount, _actionCount, _ku, _lanes;
        private readonly int[] _nextOffset;  // [S·A, Ku] s'·L: the offset of V[s', lane 0]
        private readonly int[] _next;        // [S·A, Ku] s'
        private readonly T[] _weight;        // [S·A, Ku, L]
        private readonly T[] _reward;        // [S·A, L]
        private readonly T[] _q;             // [S·A, L]
        private T[] _v, _vNext;              // [S, L]
        private readonly int[] _member;      // [L] the member in each lane, −1 when idle
        private readonly int[] _sweeps;      // [L] sweeps of the lane's member so far
        private readonly T[] _residual;      // [L] the last sweep's max |ΔQ| per lane
        private readonly T[] _magnitude;     // [L] the last sweep's max |Q| per lane

        public LaneWorker(LaneShape shape, IReadOnlyList<TabularMdp> models, double[] gammas, BatchedQIterationConfig config, LaneResult result)
        {
            _models = models;
            _gammas = gammas;
            _config = config;
            _result = result;
            _stateCount = shape.StateCount;
            _actionCount = shape.ActionCount;
            _ku = shape.Ku;
            _lanes = TW.Count;
            _next = shape.Next;
            _nextOffset = shape.Next.Select(n => n * _lanes).ToArray();
            int sa = _stateCount * _actionCount;
            _weight = new T[sa * _ku * _lanes];
            _reward = new T[sa * _lanes];
            _q = new T[sa * _lanes];
            _v = new T[_stateCount * _lanes];
            _vNext = new T[_stateCount * _lanes];
            _member = new int[_lanes];
            _sweeps = new int[_lanes];
            _residual = new T[_lanes];
            _magnitude = new T[_lanes];
        }

        public void Run(ref int claimed)
        {
            int active = 0;
            for (int lane = 0; lane < _lanes; lane++)
                if (Load(lane, Interlocked.Increment(ref claimed))) active++;
            double epsilon = typeof(T) == typeof(float) ? 1.1920929e-7 : 2.220446049250313e-16;  // machine ε
            T tolerance = T.CreateTruncating(_config.Tolerance), fourEpsilon = T.CreateTruncating(4 * epsilon);
            while (active > 0)
            {
                Sweep();
                (_v, _vNext) = (_vNext, _v);
                // STOP, per lane (in T, as the sweep): converged at max(Tolerance, 4ε(1 + max|Q|)), not finite, or at the cap.
                for (int lane = 0; lane < _lanes; lane++)
                {
                    _sweeps[lane]++;
                    if (_member[lane] < 0) continue;
                    T residual = _residual[lane], magnitude = _magnitude[lane];
                    bool ok = residual <= T.Max(tolerance, fourEpsilon * (T.One + magnitude));
                    bool finite = T.IsFinite(residual) && T.IsFinite(magnitude);
                    if (!ok && finite && _sweeps[lane] < _config.MaxIterations) continue;
                    double r = double.CreateTruncating(residual);
                    Finish(lane, double.IsNaN(r) ? double.PositiveInfinity : r, ok);
                    if (!Load(lane, Interlocked.Increment(ref claimed))) active--;
                }
            }
        }

        /// <summary>Puts member <paramref name="b"/> in <paramref name="lane"/> with Q = V = 0; an idle lane (weights and R 0) when b is past the batch.</summary>
        private bool Load(int lane, int b)
        {
            int sa = _stateCount * _actionCount, l = _lanes;
            for (int i = 0; i < sa * _ku; i++) _weight[i * l + lane] = T.Zero;
            for (int i = 0; i < sa; i++)
            {
                _reward[i * l + lane] = T.Zero;
                _q[i * l + lane] = T.Zero;
            }
            for (int s = 0; s < _stateCount; s++) _v[s * l + lane] = _vNext[s * l + lane] = T.Zero;
            _sweeps[lane] = 0;
            if (b >= _models.Count)
            {
                _member[lane] = -1;
                return false;
            }
            _member[lane] = b;
            var model = _models[b];
            var offsets = model.Offsets;
            var next = model.NextState;
            var prob = model.Probability;
            var reward = model.Reward;
            var terminated = model.Terminated;
            Span<double> weight = stackalloc double[_ku];
            for (int i = 0; i < sa; i++)
            {
                // R(s,a) = Σ p r; per slot Σ p over non-terminated outcomes into its next state, then × γ.
                double r = 0;
                weight.Clear();
                for (int k = offsets[i]; k < offsets[i + 1]; k++)
                {
                    r += prob[k] * reward[k];
                    if (terminated[k] || prob[k] == 0) continue;
                    weight[_next.AsSpan(i * _ku, _ku).IndexOf(next[k])] += prob[k];
                }
                _reward[i * l + lane] = T.CreateTruncating(r);
                for (int j = 0; j < _ku; j++) _weight[(i * _ku + j) * l + lane] = T.CreateTruncating(_gammas[b] * weight[j]);
            }
            return true;
        }

        /// <summary>Writes the lane's member out: Q, V = max_a Q, the greedy policy, its sweep count and residual.</summary>
        private void Finish(int lane, double residual, bool converged)
        {
            int b = _member[lane], sa = _stateCount * _actionCount;
            var q = _result.Q.AsSpan(b * sa, sa);
            for (int i = 0; i < sa; i++) q[i] = double.CreateTruncating(_q[i * _lanes + lane]);
            Bellman.MaxOverActions(q, _actionCount, _result.V.AsSpan(b * _stateCount, _stateCount));
            GreedyPolicy.TowardTermination(_models[b], q).CopyTo(_result.Policy, b * _stateCount);
            _result.Iterations[b] = _sweeps[lane];
            _result.Residual[b] = residual;
            _result.Converged[b] = converged;
        }

        /// <summary>One synchronous sweep of all lanes: Q(s,a) = R + Σ_j w_j V(s'_j), V'(s) = max_a Q(s,a);
        /// per lane max |ΔQ| into _residual and max |Q| into _magnitude.</summary>
        private void Sweep()
        {
            ref T weight = ref MemoryMarshal.GetArrayDataReference(_weight);
            ref T reward = ref MemoryMarshal.GetArrayDataReference(_reward);
            ref T q = ref MemoryMarshal.GetArrayDataReference(_q);
            ref T v = ref MemoryMarshal.GetArrayDataReference(_v);
            ref T vNext = ref MemoryMarshal.GetArrayDataReference(_vNext);
            ref int nextOffset = ref MemoryMarshal.GetArrayDataReference(_nextOffset);
            int l = _lanes, ku = _ku, actions = _actionCount;
            TV residual = TW.Create(T.Zero), magnitude = TW.Create(T.Zero);
            int i = 0;
            for (int s = 0; s < _stateCount; s++)
            {
                TV best = TW.Create(T.NegativeInfinity);
                for (int a = 0; a < actions; a++, i++)
                {
                    TV acc = TW.Load(ref reward, (nuint)(i * l));
                    int e = i * ku;
                    for (int j = 0; j < ku; j++, e++)
                        acc = TW.MultiplyAdd(TW.Load(ref weight, (nuint)(e * l)), TW.Load(ref v, (nuint)Unsafe.Add(ref nextOffset, e)), acc);
                    residual = TW.Max(residual, TW.AbsDifference(acc, TW.Load(ref q, (nuint)(i * l))));
                    magnitude = TW.Max(magnitude, TW.Abs(acc));
                    TW.Store(acc, ref q, (nuint)(i * l));
                    best = TW.Max(best, acc);
                }
                TW.Store(best, ref vNext, (nuint)(s * l));
            }
            TW.Store(residual, ref MemoryMarshal.GetArrayDataReference(_residual), 0);
            TW.Store(magnitude, ref MemoryMarshal.GetArrayDataReference(_magnitude), 0);
        }
    }
}
