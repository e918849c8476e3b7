using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Gpu;

namespace RlKernels.Tests.Gpu;

/// <summary>Device selection: listing, the CPU accelerator, and a clear error where CUDA is missing.</summary>
public class GpuDeviceTests
{
    [Fact]
    public void ListsIlgpuCpuAccelerator()
    {
        var devices = GpuDevice.ListDevices();
        Assert.Contains(devices, d => d.Type == "CPU");
        Assert.All(devices, d => Assert.True(d.WarpSize > 0));
    }

    [Fact]
    public void GpuBackendWithoutCudaThrowsClearError()
    {
        if (GpuDevice.CudaAvailable()) Assert.Skip("A CUDA device is present.");
        var e = Assert.Throws<InvalidOperationException>(() =>
            EnvRegistry.Make("CartPole-v1", 4, new VectorEnvOptions { Backend = Backend.Gpu }));
        Assert.StartsWith("--backend gpu: no CUDA GPU found; ILGPU saw: ", e.Message);
        Assert.Contains("CPU", e.Message);
    }

    [Fact]
    public void CpuAcceleratorOpensAndDisposes()
    {
        using var device = GpuDevice.Open(GpuDeviceKind.CpuAccelerator);
        Assert.Equal(GpuDeviceKind.CpuAccelerator, device.Kind);
        device.Synchronize();
    }
}
