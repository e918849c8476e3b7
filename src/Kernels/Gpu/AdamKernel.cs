using ILGPU;
using ILGPU.Runtime;

namespace RlKernels.Kernels.Gpu;

/// <summary>
/// One Adam(W) update per parameter on the device, with per-member hyperparameters. The host folds the
/// bias corrections into per-member step sizes once per step (as the CPU <see cref="Nn.Adam"/> does),
/// so the kernel needs no pow.
/// </summary>
public static class AdamKernel
{
    /// <summary>One thread per parameter; the member is found from the tensor layout.</summary>
    /// <remarks>Effectively computes m = β₁m + (1−β₁)g, v = β₂v + (1−β₂)g², θ = decay·θ − stepSize·m/(√v + ε̂), per member.</remarks>
    public static void Kernel(
        Index1D index,
        ArrayView<float> parameters, // [layout.TotalCount]
        ArrayView<float> gradients,  // [layout.TotalCount]
        ArrayView<float> m,          // [layout.TotalCount]
        ArrayView<float> v,          // [layout.TotalCount]
        ArrayView<int> layout,       // [2T]: tensor offsets, then member sizes
        int tensorCount,
        ArrayView<float> memberSettings) // [5, P]: β₁, β₂, step size, ε̂, decay
    {
        int i = index;
        int member = MemberOf(i, layout, tensorCount);
        int population = (int)(memberSettings.Length / 5);
        float b1 = memberSettings[member], b2 = memberSettings[population + member];
        float stepSize = memberSettings[2 * population + member], epsHat = memberSettings[3 * population + member];
        float decay = memberSettings[4 * population + member];
        float g = gradients[i];
        float mi = b1 * m[i] + (1f - b1) * g;
        float vi = b2 * v[i] + (1f - b2) * g * g;
        m[i] = mi;
        v[i] = vi;
        parameters[i] = decay * parameters[i] - stepSize * mi / (ILGPU.Algorithms.XMath.Sqrt(vi) + epsHat);
    }

    /// <summary>
    /// The member that flat parameter <paramref name="i"/> belongs to, in a device layout ([2T]: each tensor's
    /// offset, then its per-member size; member p's slice of tensor t starts at offset + p·size).
    /// </summary>
    public static int MemberOf(int i, ArrayView<int> layout, int tensorCount)
    {
        int t = 0;
        while (t + 1 < tensorCount && i >= layout[t + 1]) t++;
        return (i - layout[t]) / layout[tensorCount + t];
    }
}
