using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RlKernels.Kernels.Threading;

namespace RlKernels.Algorithms.Tabular;

// Single-γ synchronous Q-iteration for Q* over a SlicedMdp, float32 (layout in SlicedMdp.cs).
// One sweep:   Q'(s,a) = R(s,a) + γ Σ_k Weight_k · V(Next_k),   V'(s) = max_a Q'(s,a),
//              residual = max_(s,a) |Q'(s,a) − Q(s,a)|,
// then Q ← Q', V ← V'. Q and V start at 0. Two kernels over the same arrays:
//   Sweep        — all cores (WorkerPool over slices), per slice two 8-lane reads of V(Next) per (a, k)
//                  row, fused multiply-adds, vertical max over actions; falls back to the scalar body per
//                  slice where AVX2/FMA are missing. The 8-lane read is either the AVX2 gather instruction
//                  (.NET 10 has no 512-bit gather intrinsic) or eight scalar loads packed into a vector:
//                  the faster of the two is measured on the model at the first sweep (both read the same
//                  values, so the choice never changes a result). On Zen 3 the loads win by 30–50% where V
//                  is in cache (S = 10^4); at S = 10^6 the two are within noise of each other.
//   SweepScalar  — one thread, a plain loop state by state: the baseline of `rlk bench qiter`.
// Both compute the same float32 sums in the same k order, so they agree to rounding of the FMA.

/// <summary>
/// Fast float32 Q-iteration for Q* on one <see cref="SlicedMdp"/> and one γ: state of the iteration
/// (Q, V and their next buffers) plus the sweep kernels. Dispose stops the worker threads.
/// </summary>
public sealed unsafe class SlicedQIteration : IDisposable
{
    private readonly SlicedMdp _model;
    private readonly float _gamma;
    private readonly WorkerPool _pool;
    private readonly SweepJob _job;
    private float[] _q, _qNext;   // [Blocks, A, 16] sliced Q
    private float[] _v, _vNext;   // [Sp]
    private GatherChoice _gather;

    /// <summary>Worker threads of <see cref="Sweep"/>, the caller's included.</summary>
    public int ThreadCount => _pool.ThreadCount;

    /// <summary>True when <see cref="Sweep"/> runs the 8-lane AVX2/FMA body (otherwise its per-slice scalar fallback).</summary>
    public static bool IsVectorized => Avx2.IsSupported && Fma.IsSupported;

    /// <summary>Q = 0, V = 0 for <paramref name="model"/> at discount <paramref name="gamma"/>.</summary>
    /// <param name="model">The compiled MDP (kept, not copied).</param>
    /// <param name="gamma">The discount γ in [0, 1].</param>
    /// <param name="threads">Worker threads for <see cref="Sweep"/>; 0 = all cores.</param>
    /// <exception cref="ArgumentException">γ outside [0, 1] or a negative thread count.</exception>
    public SlicedQIteration(SlicedMdp model, double gamma, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        Bellman.CheckGamma(gamma);
        if (threads < 0) throw new ArgumentException($"Threads must be ≥ 0, got {threads}.", nameof(threads));
        _model = model;
        _gamma = (float)gamma;
        int pairs = model.PaddedStateCount * model.ActionCount;
        _q = GC.AllocateArray<float>(pairs, pinned: true);
        _qNext = GC.AllocateArray<float>(pairs, pinned: true);
        _v = GC.AllocateArray<float>(model.PaddedStateCount, pinned: true);
        _vNext = GC.AllocateArray<float>(model.PaddedStateCount, pinned: true);
        int count = threads > 0 ? threads : Environment.ProcessorCount;
        // At least a few slices per worker, else the hand-off costs more than it saves.
        count = Math.Max(1, Math.Min(count, model.BlockCount / 4));
        _pool = new WorkerPool(count);
        _job = new SweepJob(this, count);
    }

    /// <summary>How <see cref="Sweep"/> reads the 8 values V(Next) of a lane row; chosen by timing at the first sweep.</summary>
    public enum GatherChoice
    {
        /// <summary>Not chosen yet (no vectorized sweep has run).</summary>
        Unmeasured,
        /// <summary>No AVX2/FMA: the scalar body.</summary>
        Scalar,
        /// <summary>The AVX2 gather instruction.</summary>
        Hardware,
        /// <summary>Eight scalar loads packed into a vector.</summary>
        Loads,
    }

    /// <summary>How the sweeps read V(Next): measured at the first <see cref="Sweep"/>.</summary>
    public GatherChoice Gather => _gather;

    /// <summary>Tests: sweep with <paramref name="choice"/> (Hardware or Loads need AVX2/FMA) instead of the measured one.</summary>
    internal void UseGather(GatherChoice choice)
    {
        if (choice is GatherChoice.Hardware or GatherChoice.Loads && !IsVectorized)
            throw new PlatformNotSupportedException("The vectorized sweep needs AVX2 and FMA.");
        _gather = choice;
    }

    /// <summary>One synchronous sweep on all cores (SIMD gathers); returns max |Q' − Q|.</summary>
    public float Sweep()
    {
        if (_gather == GatherChoice.Unmeasured) _gather = ChooseGather();
        _pool.Run(_job, _job.Chunks);
        float residual = 0;
        foreach (float r in _job.ChunkResidual) residual = float.IsNaN(r) ? float.NaN : MathF.Max(residual, r);
        Swap();
        return residual;
    }

    /// <summary>One synchronous sweep, one thread, a plain scalar loop; returns max |Q' − Q|.</summary>
    public float SweepScalar()
    {
        float residual;
        fixed (float* q = _q, qNext = _qNext, v = _v, vNext = _vNext)
            residual = ScalarBlocks(0, _model.BlockCount, q, qNext, v, vNext);
        Swap();
        return residual;
    }

    private void Swap()
    {
        (_q, _qNext) = (_qNext, _q);
        (_v, _vNext) = (_vNext, _v);
    }

    /// <summary>Q [S, A] row-major, in float64.</summary>
    public double[] Q()
    {
        int actions = _model.ActionCount;
        var q = new double[_model.StateCount * actions];
        for (int s = 0; s < _model.StateCount; s++)
            for (int a = 0; a < actions; a++) q[s * actions + a] = _q[_model.PairIndex(s, a)];
        return q;
    }

    /// <summary>
    /// Sweeps until the residual is at most max(<paramref name="tolerance"/>, 4·ε_float·(1 + max|Q|))
    /// (float32 cannot settle closer) or <paramref name="maxIterations"/>; returns Q [S, A] in float64,
    /// the sweeps done, the last residual and whether it converged.
    /// </summary>
    public static (double[] Q, int Iterations, double Residual, bool Converged) Solve(SlicedMdp model, double gamma,
        double tolerance = 1e-6, int maxIterations = 100_000, int threads = 0)
    {
        if (!(tolerance >= 0)) throw new ArgumentException($"Tolerance must be ≥ 0, got {tolerance}.", nameof(tolerance));
        if (maxIterations < 1) throw new ArgumentException($"MaxIterations must be ≥ 1, got {maxIterations}.", nameof(maxIterations));
        using var solver = new SlicedQIteration(model, gamma, threads);
        double residual = double.PositiveInfinity;
        for (int i = 1; i <= maxIterations; i++)
        {
            residual = solver.Sweep();
            double magnitude = 0;
            foreach (float v in solver._v) magnitude = Math.Max(magnitude, Math.Abs(v));
            // |Q| ≤ max|V| + max|R| is a cheap bound for the rounding floor; max|V| alone is close enough.
            if (!double.IsFinite(residual)) return (solver.Q(), i, residual, false);
            if (residual <= Math.Max(tolerance, 4 * 1.1920929e-7 * (1 + magnitude))) return (solver.Q(), i, residual, true);
        }
        return (solver.Q(), maxIterations, residual, false);
    }

    /// <summary>The plain loop over slices [from, to): state by state, action by action, slot by slot.</summary>
    private float ScalarBlocks(int from, int to, float* q, float* qNext, float* v, float* vNext)
    {
        int actions = _model.ActionCount, slots = _model.OutcomeSlots;
        int[] next = _model.Next;
        float[] weight = _model.Weight, reward = _model.Reward;
        float gamma = _gamma, residual = 0;
        for (int block = from; block < to; block++)
            for (int lane = 0; lane < SlicedMdp.Lanes; lane++)
            {
                float best = float.NegativeInfinity;
                for (int a = 0; a < actions; a++)
                {
                    int row = block * actions + a;
                    float sum = 0;
                    for (int k = 0; k < slots; k++)
                    {
                        int e = (row * slots + k) * SlicedMdp.Lanes + lane;
                        sum = MathF.FusedMultiplyAdd(weight[e], v[next[e]], sum);
                    }
                    int i = row * SlicedMdp.Lanes + lane;
                    float updated = MathF.FusedMultiplyAdd(gamma, sum, reward[i]);
                    residual = MathF.Max(residual, MathF.Abs(updated - q[i]));
                    qNext[i] = updated;
                    best = MathF.Max(best, updated);
                }
                vNext[block * SlicedMdp.Lanes + lane] = best;
            }
        return residual;
    }

    /// <summary>
    /// Times both ways of reading V(Next) as the sweeps run them, on all the sweep's threads, over the model's first
    /// slices (up to 8,192: a few milliseconds a pass). One untimed pass each (it takes the first touches of the
    /// arrays' pages), then three alternating passes each; the faster fastest pass wins. Timed on all threads because
    /// one thread alone, with the caches to itself, times differently from the sweep. Where the two are close the
    /// choice may differ from run to run, at no cost to the result. The passes write Q' and V', which the sweep that
    /// follows overwrites entirely.
    /// </summary>
    private GatherChoice ChooseGather()
    {
        if (!IsVectorized) return GatherChoice.Scalar;
        double hardware = double.MaxValue, loads = double.MaxValue;
        _job.Blocks = Math.Min(_model.BlockCount, 8192);
        try
        {
            for (int run = -1; run < 3; run++)
            {
                double h = TimePass(GatherChoice.Hardware), l = TimePass(GatherChoice.Loads);
                if (run < 0) continue;
                hardware = Math.Min(hardware, h);
                loads = Math.Min(loads, l);
            }
        }
        finally
        {
            _job.Blocks = _model.BlockCount;
        }
        return loads < hardware ? GatherChoice.Loads : GatherChoice.Hardware;
    }

    private double TimePass(GatherChoice choice)
    {
        _gather = choice;
        long t = Stopwatch.GetTimestamp();
        _pool.Run(_job, _job.Chunks);
        return Stopwatch.GetElapsedTime(t).TotalSeconds;
    }

    /// <summary>Reads the 8 floats v[index[0..7]] as one vector.</summary>
    private interface IValueGather
    {
        static abstract Vector256<float> Read(float* v, int* index);
    }

    private struct HardwareGather : IValueGather
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Read(float* v, int* index) => Avx2.GatherVector256(v, Vector256.Load(index), 4);
    }

    private struct LoadGather : IValueGather
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Read(float* v, int* index) => Vector256.Create(
            Vector128.Create(v[index[0]], v[index[1]], v[index[2]], v[index[3]]),
            Vector128.Create(v[index[4]], v[index[5]], v[index[6]], v[index[7]]));
    }

    /// <summary>The SIMD body over slices [from, to): lanes = the 16 states of a slice, as two 8-lane halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float VectorBlocks<TGather>(int from, int to, float* q, float* qNext, float* v, float* vNext) where TGather : struct, IValueGather
    {
        int actions = _model.ActionCount, slots = _model.OutcomeSlots;
        var gamma = Vector256.Create(_gamma);
        var residual = Vector256<float>.Zero;
        fixed (int* nextBase = _model.Next)
        fixed (float* weightBase = _model.Weight, rewardBase = _model.Reward)
        {
            for (int block = from; block < to; block++)
            {
                var best0 = Vector256.Create(float.NegativeInfinity);
                var best1 = best0;
                for (int a = 0; a < actions; a++)
                {
                    int row = block * actions + a;
                    int* next = nextBase + (long)row * slots * SlicedMdp.Lanes;
                    float* weight = weightBase + (long)row * slots * SlicedMdp.Lanes;
                    var sum0 = Vector256<float>.Zero;
                    var sum1 = Vector256<float>.Zero;
                    for (int k = 0; k < slots; k++, next += SlicedMdp.Lanes, weight += SlicedMdp.Lanes)
                    {
                        var v0 = TGather.Read(v, next);
                        var v1 = TGather.Read(v, next + 8);
                        sum0 = Fma.MultiplyAdd(Vector256.Load(weight), v0, sum0);
                        sum1 = Fma.MultiplyAdd(Vector256.Load(weight + 8), v1, sum1);
                    }
                    long i = (long)row * SlicedMdp.Lanes;
                    var updated0 = Fma.MultiplyAdd(gamma, sum0, Vector256.Load(rewardBase + i));
                    var updated1 = Fma.MultiplyAdd(gamma, sum1, Vector256.Load(rewardBase + i + 8));
                    residual = Vector256.Max(residual, Vector256.Abs(updated0 - Vector256.Load(q + i)));
                    residual = Vector256.Max(residual, Vector256.Abs(updated1 - Vector256.Load(q + i + 8)));
                    Vector256.Store(updated0, qNext + i);
                    Vector256.Store(updated1, qNext + i + 8);
                    best0 = Vector256.Max(best0, updated0);
                    best1 = Vector256.Max(best1, updated1);
                }
                Vector256.Store(best0, vNext + (long)block * SlicedMdp.Lanes);
                Vector256.Store(best1, vNext + (long)block * SlicedMdp.Lanes + 8);
            }
        }
        float max = 0;
        for (int lane = 0; lane < Vector256<float>.Count; lane++) max = MathF.Max(max, residual.GetElement(lane));
        return max;
    }

    /// <summary>Stops the worker threads.</summary>
    public void Dispose() => _pool.Dispose();

    /// <summary>One chunk of slices per worker, each with its own residual slot.</summary>
    private sealed class SweepJob(SlicedQIteration owner, int chunks) : IRangeJob
    {
        public readonly int Chunks = chunks;
        public readonly float[] ChunkResidual = new float[chunks]; // [Chunks]
        /// <summary>Slices the chunks cover: the model's all, or its first ones while the gather choice is timed.</summary>
        public int Blocks = owner._model.BlockCount;

        public void Run(int start, int end)
        {
            int blocks = Blocks;
            fixed (float* q = owner._q, qNext = owner._qNext, v = owner._v, vNext = owner._vNext)
                for (int chunk = start; chunk < end; chunk++)
                {
                    int from = (int)((long)blocks * chunk / Chunks), to = (int)((long)blocks * (chunk + 1) / Chunks);
                    ChunkResidual[chunk] = owner._gather switch
                    {
                        GatherChoice.Hardware => owner.VectorBlocks<HardwareGather>(from, to, q, qNext, v, vNext),
                        GatherChoice.Loads => owner.VectorBlocks<LoadGather>(from, to, q, qNext, v, vNext),
                        _ => owner.ScalarBlocks(from, to, q, qNext, v, vNext),
                    };
                }
        }
    }
}
