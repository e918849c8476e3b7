using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

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
        double mse = GpuSinFit.Mse(accelerator, hidden: 32, batch: 128, learningRate: 3e-3f, steps: 1500);
        Assert.True(mse <= 1e-3, $"MSE {mse}");
    }
}
