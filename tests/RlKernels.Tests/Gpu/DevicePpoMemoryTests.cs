using RlKernels.Algorithms.Deep;
using RlKernels.Algorithms.Device;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Gpu;
using RlKernels.Tests.Cli;

namespace RlKernels.Tests.Gpu;

/// <summary>
/// Device PPO refuses, with the numbers and before its rollout and update buffers are allocated, a configuration
/// whose buffers would not fit in the device's memory. The CPU accelerator reports effectively unlimited memory, so
/// the test sets the size the check assumes (a thread-local hook).
/// </summary>
public sealed class DevicePpoMemoryTests() : TempDirectoryTests("rlk-device-memory-")
{
    [Fact]
    public void A_run_beyond_device_memory_is_refused_before_its_buffers_are_allocated()
    {
        var run = new RunSettings
        {
            EnvId = "CartPole-v1", EnvCount = 8, TotalSteps = 256, Seed = 3, Backend = Backend.GpuCpuAccelerator,
            TargetReturn = DeepAlgorithms.TargetReturn("CartPole-v1"),
        };
        PpoConfig config = Ppo.DefaultConfig(run, null);
        GpuDevice.t_memoryForTests = 64 * 1024;
        try
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => DevicePpo.Train(config));
            Assert.Contains("Device PPO with 1 member(s) × 8 envs", e.Message);
            Assert.Contains("of device memory; 90% of", e.Message);
            Assert.Contains("Use fewer envs, members or rollout steps.", e.Message);
        }
        finally
        {
            GpuDevice.t_memoryForTests = null;
        }
        // With the accelerator's own size the same run trains.
        Assert.Equal(256, DevicePpo.Train(config).EnvSteps);
    }

    [Theory]
    [InlineData("ppo")]
    [InlineData("a2c")]
    [InlineData("reinforce")]
    [InlineData("reinforce-baseline")]
    public void Rlk_train_refuses_it_with_one_line_and_writes_nothing(string algo)
    {
        GpuDevice.t_memoryForTests = 64 * 1024;
        try
        {
            CliRun.AssertRefusedLeavingUnchanged(Temp.Path, "of device memory; 90% of",
                "train", "CartPole-v1", "--algo", algo, "--backend", "gpu-cpu", "--envs", "8", "--steps", "256", "--out", Temp.File("run"));
        }
        finally
        {
            GpuDevice.t_memoryForTests = null;
        }
    }

    [Fact]
    public void The_estimate_grows_with_every_dimension_and_counts_the_networks()
    {
        var run = new RunSettings { EnvId = "CartPole-v1", EnvCount = 8, TotalSteps = 256, Backend = Backend.GpuCpuAccelerator };
        var spec = RlKernels.Envs.Registry.EnvRegistry.Get("CartPole-v1").Spec(RlKernels.Envs.Registry.EnvArgs.Empty);
        PpoConfig small = Ppo.DefaultConfig(run, null);
        long bytes = DevicePpo.DeviceBytes(small, spec);
        // At least the actor's and critic's weights with their gradients and Adam moments: 4 floats per parameter.
        long actorCritic = (4 * 64 + 64 + 64 * 64 + 64 + 64 * 2 + 2) + (4 * 64 + 64 + 64 * 64 + 64 + 64 + 1);
        Assert.True(bytes >= 16 * actorCritic, $"{bytes} bytes");
        Assert.True(DevicePpo.DeviceBytes(small with { Run = run with { EnvCount = 16 } }, spec) > bytes);
        Assert.True(DevicePpo.DeviceBytes(small with { RolloutSteps = small.RolloutSteps * 2 }, spec) > bytes);
        Assert.True(DevicePpo.DeviceBytes(small with { Run = run with { Seeds = [1, 2] } }, spec) > bytes);
    }
}
