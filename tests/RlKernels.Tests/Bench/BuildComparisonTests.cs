using RlKernels.AB;

namespace RlKernels.Tests.Bench;

/// <summary><c>rlk-ab</c> (bench/RlKernels.AB): two builds of the env engine compared in one process, and its bad input.</summary>
public class BuildComparisonTests
{
    /// <summary>This test run's own build (its output folder holds RlKernels.Envs.dll and RlKernels.Kernels.dll).</summary>
    private static readonly string ThisBuild = AppContext.BaseDirectory;

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = BuildComparison.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>An env's StepRandom windows and the MLP step's, this build against itself: the line names the workload and its unit.</summary>
    [Theory]
    [InlineData("CartPole-v1 envs=256 threads=1 vector=", "M steps/s", "4", "CartPole-v1", "--envs", "256")]
    [InlineData("CartPole-v1 envs=64 steps=1 threads=1 vector=", "M steps/s", "3", "CartPole-v1", "--envs", "64", "--steps", "1")]
    [InlineData("mlp 2x70 threads=1 vector=", "M samples/s", "2", "--mlp", "2x70")]
    public void ComparesABuildWithItselfInOneProcess(string start, string unit, string rounds, params string[] workload)
    {
        var (code, output, error) = Run([ThisBuild, ThisBuild, .. workload, "--threads", "1", "--seconds", "0.02", "--rounds", rounds]);
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.StartsWith(start, output);
        int bits = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? 512 : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? 256 : 128;
        Assert.StartsWith($"{start}{bits}: A ", output);
        Assert.Contains(unit, output);
        Assert.Contains("B/A per round: median ", output);
        Assert.Contains($"{rounds} rounds", output);
    }

    [Theory]
    [InlineData("expected DIR_A DIR_B ENV", "onlyone")]
    [InlineData("expected DIR_A DIR_B with --mlp", "A", "B", "CartPole-v1", "--mlp", "1x64")]
    [InlineData("--mlp must be PxB", "A", "B", "--mlp", "4096")]
    [InlineData("--mlp's B must be an integer in [1, ", "A", "B", "--mlp", "1x0")]
    [InlineData("--mlp's P must be an integer in [1, ", "A", "B", "--mlp", "-1x64")]
    [InlineData("--mlp P x B must be at most", "A", "B", "--mlp", "4096x4096")]
    [InlineData("does not exist", "/nonexistent-build", "/nonexistent-build", "CartPole-v1")]
    [InlineData("unknown option --bogus", "A", "B", "CartPole-v1", "--bogus", "1")]
    [InlineData("--envs must be an integer in [1, ", "A", "B", "CartPole-v1", "--envs", "0")]
    [InlineData("--rounds must be an integer in [2, ", "A", "B", "CartPole-v1", "--rounds", "x")]
    [InlineData("--steps must be an integer in [1, ", "A", "B", "CartPole-v1", "--steps", "0")]
    [InlineData("--seconds must be a number in (0, 60]", "A", "B", "CartPole-v1", "--seconds", "NaN")]
    [InlineData("--env-arg must be KEY=VALUE", "A", "B", "CartPole-v1", "--env-arg", "frame_stack")]
    [InlineData("--threads needs a value", "A", "B", "CartPole-v1", "--threads")]
    public void BadCommandLinesExitTwoWithTheReason(string reason, params string[] args)
    {
        // "A" and "B" stand for this run's build, so that only the named mistake is wrong.
        string[] resolved = args.Select(a => a is "A" or "B" ? ThisBuild : a).ToArray();
        var (code, output, error) = Run(resolved);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("rlk-ab: ", error);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void AnUnknownEnvExitsTwoNamingTheKnownOnes()
    {
        var (code, output, error) = Run(ThisBuild, ThisBuild, "NoSuchEnv-v0", "--rounds", "2");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("NoSuchEnv-v0", error);
        Assert.Contains("CartPole-v1", error);
    }
}
