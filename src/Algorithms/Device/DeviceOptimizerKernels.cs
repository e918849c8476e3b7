using ILGPU;
using RlKernels.Kernels.Gpu;

namespace RlKernels.Algorithms.Device;

/// <summary>
/// The optimizer's per-member bookkeeping as kernels, so a training loop needs no host round trip: global-norm
/// clipping (<c>GradientClipping.ClipGlobalNorm</c>'s math) and Adam's bias-corrected step sizes (the CPU
/// <c>Adam</c>'s folding) computed on the device. The parameter update itself is <c>AdamKernel</c>.
/// </summary>
/// <remarks>layout is <c>GpuMlp.Layout</c>: [2T], each tensor's offset, then its per-member size; member p's slice of tensor t starts at offset + p·size.</remarks>
public static class DeviceOptimizerKernels
{
    /// <summary>
    /// Thread p: n_p = ‖g_p‖₂ over all its tensors (double sums per tensor, as the CPU), and the factor
    /// min(1, maxNorm_p / (n_p + 1e-6)). A non-finite norm gives a non-finite or unit factor: the norm shows it.
    /// </summary>
    public static void GlobalNormKernel(
        Index1D index,
        ArrayView<float> gradients, // [layout total]
        ArrayView<int> layout,      // [2T]
        int tensorCount,
        ArrayView<float> maxNorms,  // [P]
        ArrayView<float> norms,     // [P]
        ArrayView<float> scales)    // [P]
    {
        int p = index.X;
        double sum = 0;
        for (int t = 0; t < tensorCount; t++)
        {
            int size = layout[tensorCount + t];
            long offset = layout[t] + (long)p * size;
            double tensorSum = 0;
            for (int j = 0; j < size; j++)
            {
                float g = gradients[offset + j];
                tensorSum += (double)g * g;
            }
            sum += tensorSum;
        }
        float norm = (float)Math.Sqrt(sum);
        norms[p] = norm;
        float scale = maxNorms[p] / (norm + 1e-6f);
        scales[p] = scale < 1f ? scale : 1f;
    }

    /// <summary>One thread per gradient: g *= scales[member of g].</summary>
    public static void ScaleKernel(
        Index1D index,
        ArrayView<float> gradients, // [layout total]
        ArrayView<int> layout,      // [2T]
        int tensorCount,
        ArrayView<float> scales)    // [P]
    {
        int i = index;
        float scale = scales[AdamKernel.MemberOf(i, layout, tensorCount)];
        if (scale < 1f) gradients[i] *= scale;
    }

    /// <summary>
    /// Thread p: advances member p's β₁ᵗ, β₂ᵗ (double, on the device) and writes the settings <c>AdamKernel</c>
    /// reads: β₁, β₂, step size lr·√(1−β₂ᵗ)/(1−β₁ᵗ), ε̂ = ε·√(1−β₂ᵗ), decay 1 − lr·wd.
    /// </summary>
    public static void AdamScheduleKernel(
        Index1D index,
        ArrayView<double> powers,        // [P, 2] β₁ᵗ, β₂ᵗ of the steps so far (1 before the first)
        ArrayView<float> hyper,          // [5, P] lr, β₁, β₂, ε, weight decay
        ArrayView<float> memberSettings) // [5, P]
    {
        int p = index.X;
        int pop = (int)(hyper.Length / 5);
        float lr = hyper[p], b1 = hyper[pop + p], b2 = hyper[2 * pop + p], eps = hyper[3 * pop + p], wd = hyper[4 * pop + p];
        double b1t = powers[2 * p] * b1, b2t = powers[2 * p + 1] * b2;
        powers[2 * p] = b1t;
        powers[2 * p + 1] = b2t;
        double c1 = 1.0 - b1t, c2 = 1.0 - b2t;
        memberSettings[p] = b1;
        memberSettings[pop + p] = b2;
        memberSettings[2 * pop + p] = (float)(lr * Math.Sqrt(c2) / c1);
        memberSettings[3 * pop + p] = (float)(eps * Math.Sqrt(c2));
        memberSettings[4 * pop + p] = 1f - lr * wd;
    }
}
