using ILGPU;
using ILGPU.Runtime;
using RlKernels.Kernels.Gpu;

namespace RlKernels.Algorithms.Tabular;

// The single-γ Q-iteration sweep of SlicedQIteration as an ILGPU kernel over the same SlicedMdp layout:
// one thread per padded state s (block = s / 16, lane = s % 16). For every action it sums slot rows
// Next/Weight[block, a, k, lane]: the 16 threads of a slice read one 64-byte line per row, so a warp's
// loads coalesce into two lines, and the V(Next) loads are the gathers. Each thread writes Q'(s, ·),
// V'(s) and its own residual max_a |Q'(s,a) − Q(s,a)| into Residual[s]; the host reduces that [Sp]
// array only when it asks for the residual (a per-thread atomic on one word would serialize a million
// threads; a per-state write costs 4 bytes against the 8·A·K bytes the state streams).
// Kernel rules: no Span, classes, exceptions or delegates; float32 only.

/// <summary>
/// Single-γ float32 Q-iteration for Q* on a GPU (or ILGPU's CPU accelerator): the model, Q, V and the
/// per-state residuals live on the device. Dispose frees the buffers (not the device).
/// </summary>
public sealed class GpuSlicedQIteration : IDisposable
{
    private readonly SlicedMdp _model;
    private readonly GpuDevice _device;
    private readonly float _gamma;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _next;       // [Blocks, A, K, 16]
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _weight;   // [Blocks, A, K, 16]
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _reward;   // [Blocks, A, 16]
    private MemoryBuffer1D<float, Stride1D.Dense> _q, _qNext;         // [Blocks, A, 16]
    private MemoryBuffer1D<float, Stride1D.Dense> _v, _vNext;         // [Sp]
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _residual; // [Sp] per-state max_a |Q' − Q|
    private readonly float[] _residualHost;                            // [Sp]
    private readonly Action<Index1D, SweepViews, SweepShape> _sweep;

    /// <summary>Uploads <paramref name="model"/> to <paramref name="device"/>; Q = 0, V = 0.</summary>
    /// <exception cref="ArgumentException">γ outside [0, 1].</exception>
    public GpuSlicedQIteration(SlicedMdp model, double gamma, GpuDevice device)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(device);
        Bellman.CheckGamma(gamma);
        _model = model;
        _device = device;
        _gamma = (float)gamma;
        var accelerator = device.Accelerator;
        _next = accelerator.Allocate1D(model.Next);
        _weight = accelerator.Allocate1D(model.Weight);
        _reward = accelerator.Allocate1D(model.Reward);
        int pairs = model.PaddedStateCount * model.ActionCount;
        _q = accelerator.Allocate1D<float>(pairs);
        _qNext = accelerator.Allocate1D<float>(pairs);
        _v = accelerator.Allocate1D<float>(model.PaddedStateCount);
        _vNext = accelerator.Allocate1D<float>(model.PaddedStateCount);
        _residual = accelerator.Allocate1D<float>(model.PaddedStateCount);
        _q.MemSetToZero();
        _v.MemSetToZero();
        _residualHost = new float[model.PaddedStateCount];
        _sweep = accelerator.LoadAutoGroupedStreamKernel<Index1D, SweepViews, SweepShape>(SweepKernel);
    }

    /// <summary>Launches one synchronous sweep (asynchronous: call <see cref="Synchronize"/> or <see cref="Residual"/>).</summary>
    public void Sweep()
    {
        _sweep(_model.PaddedStateCount,
            new SweepViews(_next.View, _weight.View, _reward.View, _q.View, _qNext.View, _v.View, _vNext.View, _residual.View),
            new SweepShape(_model.ActionCount, _model.OutcomeSlots, _gamma));
        (_q, _qNext) = (_qNext, _q);
        (_v, _vNext) = (_vNext, _v);
    }

    /// <summary>Waits for the launched sweeps.</summary>
    public void Synchronize() => _device.Synchronize();

    /// <summary>max |Q' − Q| of the last sweep (waits for it; copies [Sp] floats back).</summary>
    public float Residual()
    {
        _residual.CopyToCPU(_residualHost);
        float max = 0;
        foreach (float r in _residualHost) max = float.IsNaN(r) || float.IsNaN(max) ? float.NaN : MathF.Max(max, r);
        return max;
    }

    /// <summary>Q [S, A] row-major, in float64 (waits for the sweeps).</summary>
    public double[] Q()
    {
        var sliced = _q.GetAsArray1D();
        var q = new double[_model.StateCount * _model.ActionCount];
        for (int s = 0; s < _model.StateCount; s++)
            for (int a = 0; a < _model.ActionCount; a++) q[s * _model.ActionCount + a] = sliced[_model.PairIndex(s, a)];
        return q;
    }

    /// <summary>Sweeps until max |Q' − Q| ≤ max(tolerance, 4·ε_float·(1 + max|Q|)) or the cap, as <see cref="SlicedQIteration.Solve"/>.</summary>
    public (double[] Q, int Iterations, double Residual, bool Converged) Solve(double tolerance = 1e-6, int maxIterations = 100_000)
    {
        if (!(tolerance >= 0)) throw new ArgumentException($"Tolerance must be ≥ 0, got {tolerance}.", nameof(tolerance));
        if (maxIterations < 1) throw new ArgumentException($"MaxIterations must be ≥ 1, got {maxIterations}.", nameof(maxIterations));
        double residual = double.PositiveInfinity;
        for (int i = 1; i <= maxIterations; i++)
        {
            Sweep();
            residual = Residual();
            if (!double.IsFinite(residual)) return (Q(), i, residual, false);
            double magnitude = 0;
            foreach (float v in _v.GetAsArray1D()) magnitude = Math.Max(magnitude, Math.Abs(v));
            if (residual <= Math.Max(tolerance, 4 * 1.1920929e-7 * (1 + magnitude))) return (Q(), i, residual, true);
        }
        return (Q(), maxIterations, residual, false);
    }

    /// <summary>The device arrays of one sweep.</summary>
    public readonly struct SweepViews(ArrayView<int> next, ArrayView<float> weight, ArrayView<float> reward,
        ArrayView<float> q, ArrayView<float> qNext, ArrayView<float> v, ArrayView<float> vNext, ArrayView<float> residual)
    {
        /// <summary>Next state of each outcome slot [Blocks, A, K, 16] (<see cref="SlicedMdp"/> layout).</summary>
        public readonly ArrayView<int> Next = next;
        /// <summary>p_k of each non-terminated slot, 0 for terminated and padding [Blocks, A, K, 16].</summary>
        public readonly ArrayView<float> Weight = weight;
        /// <summary>Expected reward R(s, a) [Blocks, A, 16].</summary>
        public readonly ArrayView<float> Reward = reward;
        /// <summary>Q of the previous sweep [Blocks, A, 16] (read for the residual).</summary>
        public readonly ArrayView<float> Q = q;
        /// <summary>Q' written by this sweep [Blocks, A, 16].</summary>
        public readonly ArrayView<float> QNext = qNext;
        /// <summary>V = max_a Q of the previous sweep [Sp] (gathered through Next).</summary>
        public readonly ArrayView<float> V = v;
        /// <summary>V' written by this sweep [Sp].</summary>
        public readonly ArrayView<float> VNext = vNext;
        /// <summary>Per-state max_a |Q' − Q| written by this sweep [Sp].</summary>
        public readonly ArrayView<float> Residual = residual;
    }

    /// <summary>A (actions), K (slots) and γ of a sweep.</summary>
    public readonly struct SweepShape(int actions, int slots, float gamma)
    {
        /// <summary>Actions A.</summary>
        public readonly int Actions = actions;
        /// <summary>Outcome slots K per (s, a).</summary>
        public readonly int Slots = slots;
        /// <summary>Discount γ.</summary>
        public readonly float Gamma = gamma;
    }

    /// <summary>One thread per padded state: Q'(s, ·), V'(s) and the state's residual.</summary>
    public static void SweepKernel(Index1D state, SweepViews views, SweepShape shape)
    {
        int block = state / SlicedMdp.Lanes, lane = state - block * SlicedMdp.Lanes;
        float best = float.NegativeInfinity, residual = 0f;
        for (int a = 0; a < shape.Actions; a++)
        {
            int row = block * shape.Actions + a;
            int e = row * shape.Slots * SlicedMdp.Lanes + lane;
            float sum = 0f;
            for (int k = 0; k < shape.Slots; k++, e += SlicedMdp.Lanes)
                sum += views.Weight[e] * views.V[views.Next[e]];
            int i = row * SlicedMdp.Lanes + lane;
            float updated = views.Reward[i] + shape.Gamma * sum;
            float change = updated - views.Q[i];
            residual = IntrinsicMath.Max(residual, change < 0f ? -change : change);
            views.QNext[i] = updated;
            best = IntrinsicMath.Max(best, updated);
        }
        views.VNext[state] = best;
        views.Residual[state] = residual;
    }

    /// <summary>Frees the device buffers; the <see cref="GpuDevice"/> stays open.</summary>
    public void Dispose()
    {
        _next.Dispose();
        _weight.Dispose();
        _reward.Dispose();
        _q.Dispose();
        _qNext.Dispose();
        _v.Dispose();
        _vNext.Dispose();
        _residual.Dispose();
    }
}
