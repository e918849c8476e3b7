using ILGPU.Runtime;
using RlKernels.Kernels.Gpu;
using RlKernels.Kernels.Nn;

namespace RlKernels.Tests.Nn;

/// <summary>The GPU MLP training check shared by the CUDA and CPU-accelerator tests: fit sin on [-π, π] with Adam.</summary>
internal static class GpuSinFit
{
    /// <summary>
    /// Trains a 1→hidden→hidden→1 tanh net (seed 7) on <paramref name="batch"/> grid points of sin for
    /// <paramref name="steps"/> Adam steps at <paramref name="learningRate"/>, all on <paramref name="accelerator"/>,
    /// and returns the final mean squared error.
    /// </summary>
    public static double Mse(Accelerator accelerator, int hidden, int batch, float learningRate, int steps)
    {
        var net = new Mlp([1, hidden, hidden, 1], Activation.Tanh, Activation.Identity);
        net.Initialize(7);
        using var gpu = new GpuMlp(accelerator, net, batch);
        float[] x = Enumerable.Range(0, batch).Select(b => -MathF.PI + 2 * MathF.PI * b / (batch - 1)).ToArray();  // [B]
        using var target = accelerator.Allocate1D(Array.ConvertAll(x, MathF.Sin));                                  // [B]
        using var dY = accelerator.Allocate1D<float>(batch);                                                       // [B]
        gpu.Input.CopyFromCPU(x);
        var adam = new Adam(net.Layout);
        adam.LearningRate[0] = learningRate;
        for (int step = 0; step < steps; step++)
        {
            gpu.Forward();
            gpu.MseGradient(target.View, dY.View);
            gpu.ZeroGradients();
            gpu.Backward(dY.View);
            gpu.AdamStep(adam);
        }
        gpu.Forward();
        gpu.Synchronize();
        float[] y = gpu.Output.GetAsArray1D();
        return y.Select((v, i) => (v - MathF.Sin(x[i])) * (double)(v - MathF.Sin(x[i]))).Average();
    }
}
