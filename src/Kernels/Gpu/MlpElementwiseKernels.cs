using ILGPU;
using ILGPU.Runtime;

namespace RlKernels.Kernels.Gpu;

/// <summary>The small elementwise and reduction passes between the GPU matrix products.</summary>
public static class MlpElementwiseKernels
{
    /// <summary>One thread per element.</summary>
    /// <remarks>Effectively computes d[i] *= f′(h[i]) (activation gradient from the output h).</remarks>
    public static void ActivationGrad(
        Index1D index,
        ArrayView<float> h, // [n]
        int activation,
        ArrayView<float> d) // [n]
    {
        d[index] *= GpuActivation.Derivative(activation, h[index]);
    }

    /// <summary>One thread per (member, column): the bias gradient.</summary>
    /// <remarks>Effectively computes dBias[p, n] += Σ_b dY[p, b, n].</remarks>
    public static void ColumnSums(
        Index1D index,
        ArrayView<float> dY,    // [P, B, N]
        int batch, int columns,
        ArrayView<float> dBias) // [P, N]
    {
        int p = index / columns, n = index % columns;
        float s = 0f;
        for (int r = 0; r < batch; r++) s += dY[((long)p * batch + r) * columns + n];
        dBias[index] += s;
    }

    /// <summary>One thread per element: the MSE gradient for a unit loss weight.</summary>
    /// <remarks>Effectively computes dY[i] = scale · (y[i] − target[i]), scale = 2 / count.</remarks>
    public static void MseGrad(
        Index1D index,
        ArrayView<float> y,      // [n]
        ArrayView<float> target, // [n]
        float scale,
        ArrayView<float> dY)     // [n]
    {
        dY[index] = scale * (y[index] - target[index]);
    }
}
