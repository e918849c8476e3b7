using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using RlKernels.Kernels.Gpu;
using RlKernels.Kernels.Nn;
using Xunit;

namespace RlKernels.Tests.Nn;

/// <summary>GPU MLP training on a real CUDA device; skipped without one.</summary>
public class GpuMlpCudaTests
{
    /// <summary>
    /// 1500 Adam steps of ~17 launches each: seconds on a GPU, minutes on ILGPU's CPU accelerator, so this
    /// runs only where CUDA is present (the CPU accelerator checks one train step against the reference).
    /// </summary>
    [Fact]
    public void GpuMlpFitsSinWithAdam()
    {
        using var context = Context.Create(b => b.Cuda().EnableAlgorithms());
        if (context.GetCudaDevices().Count == 0) Assert.Skip("No CUDA device.");
        using var accelerator = context.CreateCudaAccelerator(0);
        const int B = 128;
        var net = new Mlp([1, 32, 32, 1], Activation.Tanh, Activation.Identity);
        net.Initialize(7);
        using var gpu = new GpuMlp(accelerator, net, B);
        float[] x = Enumerable.Range(0, B).Select(b => -MathF.PI + 2 * MathF.PI * b / (B - 1)).ToArray();
        using var target = accelerator.Allocate1D(Array.ConvertAll(x, MathF.Sin));
        using var dY = accelerator.Allocate1D<float>(B);
        gpu.Input.CopyFromCPU(x);
        var adam = new Adam(net.Layout);
        adam.LearningRate[0] = 3e-3f;
        for (int step = 0; step < 1500; step++)
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
        double mse = y.Select((v, i) => (v - MathF.Sin(x[i])) * (double)(v - MathF.Sin(x[i]))).Average();
        Assert.True(mse <= 1e-3, $"MSE {mse}");
    }
}
