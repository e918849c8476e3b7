using RlKernels.Cli;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;

namespace RlKernels.Tests.Cli;

/// <summary>
/// Every count of the bench, check, info and train commands has a lower and an upper bound (memory, cores, sane
/// time): out of range → exit 2, one line naming the flag and the range, before anything is allocated or written.
/// </summary>
public class CountLimitTests() : TempDirectoryTests("rlk-count-")
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
    [InlineData("train CartPole-v1 --threads 1000000", "--threads must be between 0 (all cores) and")]
    [InlineData("train CartPole-v1 --threads -1", "--threads must be between 0 (all cores) and")]
    [InlineData("train CartPole-v1 --envs 2000000000", "--envs must be between 1 and")]
    [InlineData("train CartPole-v1 --envs 0", "--envs must be between 1 and")]
    [InlineData("train CartPole-v1 --envs -5", "--envs must be between 1 and")]
    [InlineData("train CartPole-v1 --steps 0", "--steps must be between 1 and")]
    [InlineData("train CartPole-v1 --steps 9000000000000000000", "--steps must be between 1 and")]
    [InlineData("train Pendulum-v1 --algo reparam-ac --envs 2147483647", "--envs must be between 1 and")]
    [InlineData("train FrozenLake-v1 --tables -4", "--tables must be between 1 and --envs (256), got -4")]
    [InlineData("train FrozenLake-v1 --tables 0", "--tables must be between 1 and --envs")]
    [InlineData("train FrozenLake-v1 --tables 512", "--tables must be between 1 and --envs (256), got 512")]
    [InlineData("train FrozenLake-v1 --envs 2000000000", "--envs must be between 1 and")]
    [InlineData("train FrozenLake-v1 --envs -1", "--envs must be between 1 and")]
    [InlineData("train FrozenLake-v1 --steps 0", "--steps must be between 1 and 2147483647")]
    [InlineData("train FrozenLake-v1 --steps 3000000000", "--steps must be between 1 and 2147483647")]
    [InlineData("train FrozenLake-v1 --algo rmax --known 0", "--known must be at least 1")]
    public void ACountOutOfRangeIsBadInputInOneLine(string commandLine, string expected)
    {
        string[] args = commandLine.Split(' ');
        // rlk train with a deep algorithm writes a run folder: it is given one in the scratch folder, which must stay empty.
        if (args is ["train", not "FrozenLake-v1", ..]) args = [.. args, "--out", Temp.File("run")];
        CliRun.AssertRefusedLeavingUnchanged(Temp.Path, expected, args);
    }

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
