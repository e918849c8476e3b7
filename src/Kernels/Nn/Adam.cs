using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using RlKernels.Kernels.Threading;

namespace RlKernels.Kernels.Nn;

/// <summary>
/// Adam (Kingma and Ba 2015) with decoupled weight decay (AdamW, Loshchilov and Hutter 2019), one set of
/// hyperparameters per population member. Set the [P] arrays before stepping; defaults are
/// lr 1e-3, β₁ 0.9, β₂ 0.999, ε 1e-8, no weight decay.
/// </summary>
public sealed unsafe partial class Adam
{
    private readonly float[] _m;
    private readonly float[] _v;
    private readonly WorkerPool _pool;
    private readonly StepJob _job;

    /// <summary>The layout this optimizer's moment buffers follow.</summary>
    public ParameterLayout Layout { get; }
    /// <summary>Learning rate per member. [P]</summary>
    public float[] LearningRate { get; }
    /// <summary>First-moment decay per member. [P]</summary>
    public float[] Beta1 { get; }
    /// <summary>Second-moment decay per member. [P]</summary>
    public float[] Beta2 { get; }
    /// <summary>Denominator guard per member. [P]</summary>
    public float[] Epsilon { get; }
    /// <summary>Decoupled weight decay per member (0 for plain Adam). [P]</summary>
    public float[] WeightDecay { get; }
    /// <summary>Steps taken (bias correction uses it).</summary>
    public int StepCount { get; private set; }

    /// <summary>Adam with zeroed moments and PyTorch defaults for every member (lr 1e-3, β 0.9/0.999, ε 1e-8, no weight decay).</summary>
    /// <param name="layout">Parameter layout of the network to optimize.</param>
    /// <param name="pool">Threads the step is split over; null runs it on the caller's thread.</param>
    public Adam(ParameterLayout layout, WorkerPool? pool = null)
    {
        Layout = layout;
        int population = layout.Population;
        _m = GC.AllocateArray<float>(layout.TotalCount, pinned: true);
        _v = GC.AllocateArray<float>(layout.TotalCount, pinned: true);
        LearningRate = Filled(population, 1e-3f);
        Beta1 = Filled(population, 0.9f);
        Beta2 = Filled(population, 0.999f);
        Epsilon = Filled(population, 1e-8f);
        WeightDecay = Filled(population, 0f);
        _pool = pool ?? Mlp.Inline;
        _job = new StepJob(this);
    }

    private static float[] Filled(int n, float value)
    {
        var a = new float[n];
        Array.Fill(a, value);
        return a;
    }

    /// <summary>Clears the moments and the step count.</summary>
    public void Reset()
    {
        Array.Clear(_m);
        Array.Clear(_v);
        StepCount = 0;
    }

    /// <summary>One update of every member, split over the pool by member.</summary>
    /// <remarks>Effectively computes m = β₁m + (1−β₁)g, v = β₂v + (1−β₂)g², θ −= lr·(m̂/(√v̂ + ε) + wd·θ), with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).</remarks>
    public void Step(
        Span<float> parameters,          // [layout.TotalCount]
        ReadOnlySpan<float> gradients)   // [layout.TotalCount]
    {
        Layout.RequireStep(parameters.Length, gradients.Length, (LearningRate, nameof(LearningRate)), (Beta1, nameof(Beta1)),
            (Beta2, nameof(Beta2)), (Epsilon, nameof(Epsilon)), (WeightDecay, nameof(WeightDecay)));
        StepCount++;
        fixed (float* p = parameters, g = gradients)
        {
            _job.Set(p, g);
            _pool.Run(_job, Layout.Population);
        }
    }

    private sealed class StepJob(Adam adam) : IRangeJob
    {
        private float* _params, _grads;
        public void Set(float* parameters, float* gradients) { _params = parameters; _grads = gradients; }

        public void Run(int start, int end)
        {
            ParameterLayout layout = adam.Layout;
            float* m = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(adam._m));
            float* v = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(adam._v));
            for (int p = start; p < end; p++)
            {
                float b1 = adam.Beta1[p], b2 = adam.Beta2[p], lr = adam.LearningRate[p], eps = adam.Epsilon[p], wd = adam.WeightDecay[p];
                // Bias corrections folded into the step size and epsilon, in double: 1 − β₂ᵗ is tiny at first.
                double c1 = 1.0 - Math.Pow(b1, adam.StepCount), c2 = 1.0 - Math.Pow(b2, adam.StepCount);
                float stepSize = (float)(lr * Math.Sqrt(c2) / c1);
                float epsHat = (float)(eps * Math.Sqrt(c2));
                float decay = 1f - lr * wd;
                for (int t = 0; t < layout.TensorCount; t++)
                {
                    int o = layout.MemberOffset(t, p), n = layout.MemberSize(t);
                    Update(_params + o, _grads + o, m + o, v + o, n, b1, b2, stepSize, epsHat, decay);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* theta, float* g, float* m, float* v, int n, float b1, float b2, float stepSize, float epsHat, float decay)
    {
        // The whole vectors at the widest accelerated width (Update512/256/128 come from Nn/NnWidth.template).
        int i = Vector512.IsHardwareAccelerated ? Update512(theta, g, m, v, n, b1, b2, stepSize, epsHat, decay)
            : Vector256.IsHardwareAccelerated ? Update256(theta, g, m, v, n, b1, b2, stepSize, epsHat, decay)
            : Vector128.IsHardwareAccelerated ? Update128(theta, g, m, v, n, b1, b2, stepSize, epsHat, decay)
            : 0;
        for (; i < n; i++)
        {
            float gi = g[i];
            float mi = m[i] = b1 * m[i] + (1f - b1) * gi;
            float vi = v[i] = b2 * v[i] + (1f - b2) * gi * gi;
            theta[i] = decay * theta[i] - stepSize * mi / (MathF.Sqrt(vi) + epsHat);
        }
    }
}
