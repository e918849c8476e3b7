using RlKernels.Cli;

namespace RlKernels.Tests.Cli;

/// <summary>The entry point's contract: parse errors are bad input in one line; valid commands keep their codes.</summary>
public class ProgramTests
{
    [Theory]
    [InlineData("train")]
    [InlineData("train CartPole-v1 --envs many")]
    [InlineData("nosuchcommand")]
    [InlineData("train CartPole-v1 --threads")]
    public void AParseErrorIsOneLineAndExitTwo(string commandLine) =>
        CliRun.AssertOneLineError(ExitCodes.BadInput, CliRun.InProcess(commandLine.Split(' ')), "rlk:");

    [Fact]
    public void InfoJsonIsStrictJson()
    {
        var (code, output, error) = CliRun.InProcess("info", "--json");
        Assert.True(code == ExitCodes.Ok, error);
        System.Text.Json.JsonDocument.Parse(output).Dispose();
    }
}
