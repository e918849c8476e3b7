using RlKernels.Cli;
using RlKernels.Cli.Commands;
using Xunit;

namespace RlKernels.Tests.Cli;

/// <summary><c>rlk train</c> with the value-based algorithms: the wrong action space is bad input, named with the algorithms that fit, and nothing is written.</summary>
public class ValueBasedTrainCommandTests
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
        string dir = Path.Combine(Path.GetTempPath(), $"rlk-value-never-written-{Guid.NewGuid():N}");
        var output = new StringWriter();
        var error = new StringWriter();
        int code = DeepTrainCommand.Run(new DeepTrainSettings { Env = env, Algo = algo, OutDir = dir, Json = true }, output, error);
        Assert.Equal(ExitCodes.BadInput, code);
        string message = error.ToString();
        Assert.Single(message.TrimEnd('\n', '\r').Split('\n'));
        Assert.Contains(fitting, message);
        Assert.Equal("", output.ToString());
        Assert.False(Directory.Exists(dir));
    }
}
