using RlKernels.Cli;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;

namespace RlKernels.Tests.Cli;

/// <summary>
/// Every count of the bench, check and info commands has a lower and an upper bound (memory, cores, sane
/// time): out of range → exit 2, one line naming the flag and the range, before anything is allocated.
/// </summary>
public class CountLimitTests
{
    [Theory]
    [InlineData("bench --env CartPole-v1 --envs 2000000000", "--envs must be between 1 and")]
    [InlineData("bench --env CartPole-v1 --envs 0", "--envs must be between 1 and")]
    [InlineData("bench --env CartPole-v1 --seconds 0", "--seconds must be greater than 0 and at most 3600")]
    [InlineData("bench --env CartPole-v1 --seconds 1e300", "--seconds must be greater than 0 and at most 3600")]
    [InlineData("bench --env CartPole-v1 --repeats 0", "--repeats must be between 1 and 1000")]
    [InlineData("bench --env CartPole-v1 --repeats 2000000000", "--repeats must be between 1 and 1000")]
    [InlineData("bench mlp --population 100000x100000", "P·B·width")]
    [InlineData("bench mlp --sizes 4,60000,60000,2 --population 4000x1", "needs about")]
    [InlineData("bench mlp --batch 0", "--batch must be at least 1")]
    [InlineData("bench mlp --seconds -1", "--seconds must be greater than 0")]
    [InlineData("bench mlp --repeats 5000", "--repeats must be between 1 and 1000")]
    [InlineData("bench qiter --states 2000000000", "S·A·K")]
    [InlineData("bench qiter --states 0", "--states must be at least 1")]
    [InlineData("bench qiter --frozenlake 2000000000", "--frozenlake must be between 0 and")]
    [InlineData("bench qiter --repeats 0", "--repeats must be between 1 and 1000")]
    [InlineData("check --backend cpu --envs 2000000000", "--envs must be between 1 and")]
    [InlineData("check --backend cpu --envs -3", "--envs must be between 1 and")]
    [InlineData("check --backend cpu --steps 0", "--steps must be between 1 and")]
    [InlineData("check --backend cpu --steps 2000000000", "--steps must be between 1 and")]
    [InlineData("info --bogus", "--bogus")]
    public void ACountOutOfRangeIsBadInputInOneLine(string commandLine, string expected) =>
        CliRun.AssertOneLineError(ExitCodes.BadInput, CliRun.InProcess(commandLine.Split(' ')), expected);

    [Fact]
    public void TheRegistryRefusesMoreEnvsThanMemoryHoldsBeforeAllocating()
    {
        int max = EnvRegistry.MaxEnvCount("CartPole-v1");
        Assert.InRange(max, 1 << 14, int.MaxValue);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => EnvRegistry.Make("CartPole-v1", int.MaxValue));
        Assert.Contains("at most", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => EnvRegistry.Make("CartPole-v1", 0));
    }

    [Fact]
    public void VectorEnvOptionsRefuseAThreadCountBeyondFourPerCore()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => EnvRegistry.Make("CartPole-v1", 4, new VectorEnvOptions { Threads = 1_000_000 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => EnvRegistry.Make("CartPole-v1", 4, new VectorEnvOptions { Threads = -1 }));
        using var env = EnvRegistry.Make("CartPole-v1", 4, new VectorEnvOptions { Threads = VectorEnvOptions.MaxThreads });
        Assert.Equal(4, env.EnvCount);
    }

    [Fact]
    public void RunSettingsRefuseCountsOutOfRange()
    {
        Assert.Throws<ArgumentException>(() => new RlKernels.Algorithms.Deep.RunSettings { Threads = 1_000_000 }.Validate());
        Assert.Throws<ArgumentException>(() => new RlKernels.Algorithms.Deep.RunSettings { EnvCount = int.MaxValue }.Validate());
        Assert.Throws<ArgumentException>(() => new RlKernels.Algorithms.Deep.RunSettings { TotalSteps = long.MaxValue }.Validate());
        new RlKernels.Algorithms.Deep.RunSettings { Threads = VectorEnvOptions.MaxThreads, EnvCount = 8, TotalSteps = 100 }.Validate();
    }
}
