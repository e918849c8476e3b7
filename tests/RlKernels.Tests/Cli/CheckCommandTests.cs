using RlKernels.Cli;
using RlKernels.Cli.Commands;
using RlKernels.Kernels.Gpu;

namespace RlKernels.Tests.Cli;

public class CheckCommandTests
{
    [Theory]
    [InlineData("gpu-cpu")]
    [InlineData("cpu")]
    public void BackendAgreesWithScalar(string backend)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CheckCommand.Run(backend, ["CartPole-v1", "FrozenLake-v1", "Pendulum-v1"], 37, 15, output, error);
        Assert.True(code == 0, error.ToString() + output);
        Assert.Contains("PASS", output.ToString());
        Assert.DoesNotContain("FAIL", output.ToString());
    }

    [Theory]
    [InlineData("gpu-cpu", "NoSuchEnv-v0", 10, 5, "Known ids")]
    [InlineData("gpu-cpu", "CartPole-v1", 0, 5, "--envs")]
    [InlineData("gpu-cpu", "CartPole-v1", 10, 0, "--steps")]
    [InlineData("tpu", "CartPole-v1", 10, 5, "tpu")]
    public void BadInputExitsWithTwo(string backend, string env, int envs, int steps, string expected)
    {
        var error = new StringWriter();
        Assert.Equal(ExitCodes.BadInput, CheckCommand.Run(backend, [env], envs, steps, new StringWriter(), error));
        Assert.Contains(expected, error.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void GpuWithoutCudaExitsWithTwo()
    {
        Assert.SkipWhen(GpuDevice.CudaAvailable(), "A CUDA device is present.");
        var error = new StringWriter();
        Assert.Equal(ExitCodes.BadInput, CheckCommand.Run("gpu", ["CartPole-v1"], 10, 5, new StringWriter(), error));
        Assert.Contains("no CUDA GPU", error.ToString());
    }
}
