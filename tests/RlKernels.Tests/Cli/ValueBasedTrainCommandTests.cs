using RlKernels.Cli;
using RlKernels.Cli.Commands;

namespace RlKernels.Tests.Cli;

/// <summary><c>rlk train</c> with the value-based algorithms: the wrong action space is bad input, named with the algorithms that fit, and nothing is written.</summary>
public class ValueBasedTrainCommandTests() : TempDirectoryTests("rlk-value-")
{
    [Theory]
    [InlineData("Pendulum-v1", "dqn", "reparam-ac")]
    [InlineData("Pendulum-v1", "double-dqn", "ppo")]
    [InlineData("MountainCarContinuous-v0", "pqn", "reparam-ac")]
    [InlineData("CartPole-v1", "reparam-ac", "dqn, double-dqn, pqn")]
    [InlineData("CartPole-v1", "sac", "dqn, double-dqn, pqn")]
    [InlineData("Acrobot-v1", "sac", "deep-sarsa")]
    [InlineData("Pendulum-v1", "pqn", "reparam-ac, sac")]
    public void TheWrongActionSpaceExitsWithTwoNamingTheAlgorithmsThatFit(string env, string algo, string fitting)
    {
        var result = CliRun.Train(new DeepTrainSettings { Env = env, Algo = algo, OutDir = Temp.File("run"), Json = true });
        CliRun.AssertOneLineError(ExitCodes.BadInput, result, fitting);
        Assert.Equal("", result.Out);
        Assert.Empty(CliRun.Snapshot(Temp.Path));
    }

    [Theory]
    [InlineData("CartPole-v1", "dqn", "--buffer-size", "0", "--buffer-size must be between 1 and")]
    [InlineData("CartPole-v1", "double-dqn", "--buffer-size", "-5", "--buffer-size must be between 1 and")]
    [InlineData("Pendulum-v1", "sac", "--buffer-size", "2147483647", "(what fits in this machine's memory), got 2147483647")]
    [InlineData("CartPole-v1", "dqn", "--batch-size", "0", "--batch-size must be at least 1")]
    [InlineData("Pendulum-v1", "sac", "--batch-size", "-1", "--batch-size must be at least 1")]
    public void AReplayCountOutOfRangeExitsWithTwoAndWritesNothing(string env, string algo, string flag, string value, string expected) =>
        AssertRefusedWritingNothing(["train", env, "--algo", algo, flag, value], expected);

    [Theory]
    [InlineData("CartPole-v1", "dqn", 0, 10_001, 10_000)]
    [InlineData("CartPole-v1", "double-dqn", 100, 101, 100)]
    [InlineData("CartPole-v1", "dqn", 64, 0, 128)]
    [InlineData("Pendulum-v1", "sac", 255, 0, 256)]
    public void ABatchLargerThanTheBufferExitsWithTwoAndWritesNothing(string env, string algo, int buffer, int batch, int defaultOther)
    {
        // 0: the algorithm's default, which the message then names (defaultOther).
        string[] args = ["train", env, "--algo", algo];
        if (buffer > 0) args = [.. args, "--buffer-size", $"{buffer}"];
        if (batch > 0) args = [.. args, "--batch-size", $"{batch}"];
        AssertRefusedWritingNothing(args, $"The batch ({(batch > 0 ? batch : defaultOther)}) is larger than the replay buffer ({(buffer > 0 ? buffer : defaultOther)} transitions)");
    }

    [Theory]
    [InlineData("--buffer-size", "ppo")]
    [InlineData("--batch-size", "pqn")]
    [InlineData("--batch-size", "q-learning")]
    public void TheReplayFlagsAreRefusedForAlgorithmsWithoutReplay(string flag, string algo) =>
        AssertRefusedWritingNothing(["train", algo == "q-learning" ? "FrozenLake-v1" : "CartPole-v1", "--algo", algo, flag, "64"],
            $"{flag} does not apply to {algo}; it is used by dqn, double-dqn, sac");

    // Exit 2, one line on stderr holding expected, nothing on stdout or disk (--out under a fresh folder for deep algorithms).
    private static void AssertRefusedWritingNothing(string[] args, string expected)
    {
        using var temp = new TempDirectory("rlk-replay-input-");
        if (!args.Contains("q-learning")) args = [.. args, "--json", "--out", Path.Combine(temp.Path, "run")];
        string line = CliRun.AssertBadInputLine(CliRun.InProcess(args), "rlk train: ");
        Assert.Contains(expected, line);
        Assert.Empty(CliRun.Snapshot(temp.Path));
    }

    [Theory]
    [InlineData("CartPole-v1", "dqn")]
    [InlineData("MountainCar-v0", "double-dqn")]
    [InlineData("Pendulum-v1", "sac")]
    public void AReplayBufferJustBeyondTheMemoryEstimateIsRefusedNamingItsSize(string env, string algo)
    {
        // The largest buffer the library's estimate (ReplayBuffer.EstimateBytes against MemoryBudget) allows, plus one.
        long max = DeepLimits.MaxReplay(env, null);
        Assert.True(max < int.MaxValue, $"this machine's memory allows {max} transitions; the test needs a bound below int.MaxValue");
        AssertRefusedWritingNothing(["train", env, "--algo", algo, "--buffer-size", $"{max + 1}", "--batch-size", "1"],
            $"--buffer-size must be between 1 and {max} transitions for {env}");
        // The bound is the library's own: a buffer of max + 1 transitions fails its memory check, max passes it.
        var run = new RlKernels.Algorithms.Deep.RunSettings { EnvId = env };
        Assert.NotNull(RlKernels.Algorithms.Deep.ReplayBuffer.SizeProblem(run, (int)max + 1));
        Assert.Null(RlKernels.Algorithms.Deep.ReplayBuffer.SizeProblem(run, (int)max));
    }

    [Fact]
    public void TheReplayOverridesReachTheConfigsAndTheLibraryRefusesTheSameBadSizes()
    {
        var run = new RlKernels.Algorithms.Deep.RunSettings { EnvId = "CartPole-v1" };
        var overrides = new RlKernels.Algorithms.Deep.DeepOverrides { ReplayCapacity = 500, BatchSize = 32, LearningRate = 1e-3f };
        var dqn = RlKernels.Algorithms.Deep.Dqn.DefaultConfig(run, overrides, @double: true);
        Assert.Equal((500, 32, 1e-3f, true), (dqn.ReplayCapacity, dqn.BatchSize, dqn.LearningRate, dqn.Double));
        var sac = RlKernels.Algorithms.Deep.Sac.DefaultConfig(run with { EnvId = "Pendulum-v1" }, overrides);
        Assert.Equal((500, 32, 1e-3f), (sac.ReplayCapacity, sac.BatchSize, sac.ActorLearningRate));
        var tooBig = new RlKernels.Algorithms.Deep.DeepOverrides { ReplayCapacity = 100, BatchSize = 101 };
        var e = Assert.Throws<ArgumentException>(() => RlKernels.Algorithms.Deep.DeepAlgorithms.Train("dqn", run, tooBig));
        Assert.Contains("larger than the replay buffer", e.Message);
        e = Assert.Throws<ArgumentException>(() => RlKernels.Algorithms.Deep.DeepAlgorithms.Train("sac", run with { EnvId = "Pendulum-v1" }, tooBig));
        Assert.Contains("larger than the replay buffer", e.Message);
    }
}
