using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Gpu;

namespace RlKernels.Tests.Gpu;

/// <summary>
/// An env count whose buffers exceed the device's memory is refused with one line before anything is allocated on
/// the device. ILGPU's CPU accelerator reports effectively unlimited memory, so the tests set the device size the
/// check assumes (a thread-local hook) to a small one.
/// </summary>
public sealed class GpuDeviceMemoryTests
{
    private static IVectorEnv MakeWithDeviceMemory(long deviceBytes, int envCount)
    {
        GpuDevice.t_memoryForTests = deviceBytes;
        try
        {
            return EnvRegistry.Make("CartPole-v1", envCount, new VectorEnvOptions { Backend = Backend.GpuCpuAccelerator });
        }
        finally
        {
            GpuDevice.t_memoryForTests = null;
        }
    }

    [Fact]
    public void An_env_count_beyond_device_memory_is_refused_with_the_numbers()
    {
        long perEnv = GpuVectorEnv<RlKernels.Envs.CartPole<RlKernels.Kernels.Lanes.F1>, RlKernels.Envs.CartPoleParams>.DeviceBytesPerEnv(
            EnvRegistry.Get("CartPole-v1").Spec(EnvArgs.Empty));
        Assert.True(perEnv > 4 * 4 * 2, $"{perEnv} bytes per env cannot hold state, observations and final observations");
        const long device = 1 << 20;
        int fits = (int)(device / 10 * 9 / perEnv);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => MakeWithDeviceMemory(device, fits + 1));
        Assert.Contains($"{fits + 1} copies of CartPole-v1 need about", e.Message);
        Assert.Contains($"of device memory; at most {fits} fit in 90% of", e.Message);
        using IVectorEnv env = MakeWithDeviceMemory(device, fits);
        env.StepRandom(3);
        Assert.Equal(fits * 4, env.Observations.Length);
    }
}
