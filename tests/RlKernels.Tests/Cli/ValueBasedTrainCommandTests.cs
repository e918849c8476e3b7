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
}
