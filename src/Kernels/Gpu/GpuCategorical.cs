using System.Runtime.CompilerServices;
using ILGPU;
using RlKernels.Kernels.Nn;
using RlKernels.Kernels.Random;

namespace RlKernels.Kernels.Gpu;

/// <summary>
/// <see cref="Categorical"/>'s per-row math for one GPU thread: logits in a view (a thread's local buffer
/// or a row of device memory), plain scalar arithmetic in the same order as the CPU code, so that on ILGPU's
/// CPU accelerator the sampled class is the CPU's whenever the logits are.
/// </summary>
public static class GpuCategorical
{
    /// <summary>
    /// The class drawn by row <paramref name="row"/> at counter <paramref name="step"/> under key (k0, k1):
    /// u from Philox(row, step, <see cref="Categorical.SamplePurpose"/>, 0), then the CDF inverted against
    /// u·Σexp without a division, the last class catching rounding, as <see cref="Categorical.Sample"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Sample(
        ArrayView<float> z, // logits at [offset, offset + classCount)
        int offset, int classCount, uint row, uint step, uint k0, uint k1)
    {
        Philox4x32.Block(row, step, Categorical.SamplePurpose, 0, k0, k1, out uint bits, out _, out _, out _);
        float max = Max(z, offset, classCount);
        float total = 0f;
        for (int c = 0; c < classCount; c++) total += MathF.Exp(z[offset + c] - max);
        float threshold = Philox4x32.ToUnit(bits) * total;
        float cumulative = 0f;
        for (int c = 0; c < classCount - 1; c++)
        {
            cumulative += MathF.Exp(z[offset + c] - max);
            if (cumulative > threshold) return c;
        }
        return classCount - 1;
    }

    /// <summary>log Σ_c exp z_c, shifted by the maximum (as the CPU's LogSoftmax).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LogSumExp(
        ArrayView<float> z, // logits at [offset, offset + classCount)
        int offset, int classCount)
    {
        float max = Max(z, offset, classCount);
        float sum = 0f;
        for (int c = 0; c < classCount; c++) sum += MathF.Exp(z[offset + c] - max);
        return max + MathF.Log(sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Max(ArrayView<float> z, int offset, int classCount)
    {
        float max = z[offset];
        for (int c = 1; c < classCount; c++)
        {
            float v = z[offset + c];
            if (v > max) max = v;
        }
        return max;
    }
}
