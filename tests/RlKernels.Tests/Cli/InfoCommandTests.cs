using System.Text.Json;
using RlKernels.Cli.Commands;
using RlKernels.Envs.Registry;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Tests.Cli;

public class InfoCommandTests
{
    [Fact]
    public void JsonHasCoresSimdAndEveryEnv()
    {
        var output = new StringWriter();
        Assert.Equal(0, InfoCommand.Run(json: true, output));
        using var doc = JsonDocument.Parse(output.ToString());
        var root = doc.RootElement;
        Assert.Equal(Environment.ProcessorCount, root.GetProperty("cores").GetInt32());
        Assert.Equal(LaneSelection.Current.Width, root.GetProperty("simd_width").GetInt32());
        Assert.Equal(LaneSelection.Current.Reason, root.GetProperty("simd_reason").GetString());
        Assert.Contains(root.GetProperty("simd_source").GetString(), new[] { "hardware", "RLK_LANES" });
        Assert.Equal(System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated, root.GetProperty("vector128_accelerated").GetBoolean());
        Assert.Equal(EnvRegistry.Ids, root.GetProperty("envs").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("accelerators").ValueKind);
    }

    [Fact]
    public void TextListsEnvIds()
    {
        var output = new StringWriter();
        Assert.Equal(0, InfoCommand.Run(json: false, output));
        foreach (string id in EnvRegistry.Ids) Assert.Contains(id, output.ToString());
    }

    [Fact]
    public void LanesOptionNarrowsTheWidthAndSaysSo()
    {
        var rows = CliRun.InProcess("info", "--json", "--lanes", "1");
        Assert.True(rows.Code == 0, rows.Err);
        using var doc = JsonDocument.Parse(rows.Out);
        Assert.Equal(1, doc.RootElement.GetProperty("simd_width").GetInt32());
        Assert.Equal("--lanes", doc.RootElement.GetProperty("simd_source").GetString());
        Assert.Contains("--lanes=1", doc.RootElement.GetProperty("simd_reason").GetString());
        // The scope ended with the command: this thread is back to the default choice.
        Assert.NotEqual(LaneSource.Explicit, LaneSelection.Current.Source);
    }

    [Theory]
    [InlineData("3", "rlk: --lanes must be one of 1, 4, 8, 16, not '3'.")]
    [InlineData("32", "rlk: --lanes must be one of 1, 4, 8, 16, not '32'.")]
    public void ABadLanesOptionIsBadInput(string value, string line)
    {
        Assert.Equal(line, CliRun.AssertBadInputLine(CliRun.InProcess("info", "--lanes", value), "rlk: "));
    }

    [Fact]
    public void ALanesOptionWiderThanTheHardwareIsBadInput()
    {
        Assert.SkipWhen(LaneSelection.HardwareWidth == 16, "Every width is accelerated here (the Vector128-only CI pass runs this).");
        int wider = LaneSelection.HardwareWidth == 1 ? 4 : LaneSelection.HardwareWidth * 2;
        string line = CliRun.AssertBadInputLine(CliRun.InProcess("bench", "--lanes", wider.ToString()), "rlk: ");
        Assert.Contains("does not accelerate", line);
    }

    /// <summary>RLK_LANES is process-wide, so it is tried in a child process.</summary>
    [Theory]
    [InlineData("abc")]
    [InlineData("2")]
    public async Task ABadRlkLanesIsBadInputForEveryCommand(string value)
    {
        foreach (string[] args in new[] { new[] { "info" }, ["bench", "--env", "CartPole-v1"] })
        {
            var result = await CliRun.FinishAsync(CliRun.Start(CliRun.DotnetHost, [CliRun.RlkDll, .. args],
                new Dictionary<string, string> { ["RLK_LANES"] = value }));
            Assert.Equal($"rlk: RLK_LANES must be one of 1, 4, 8, 16, not '{value}'.", CliRun.AssertBadInputLine(result, "rlk: "));
        }
    }

    [Fact]
    public async Task RlkLanesNarrowsTheWidthInInfo()
    {
        var result = await CliRun.FinishAsync(CliRun.Start(CliRun.DotnetHost, [CliRun.RlkDll, "info", "--json"],
            new Dictionary<string, string> { ["RLK_LANES"] = "1" }));
        Assert.True(result.Code == 0, result.Err);
        using var doc = JsonDocument.Parse(result.Out);
        Assert.Equal(1, doc.RootElement.GetProperty("simd_width").GetInt32());
        Assert.Equal("RLK_LANES", doc.RootElement.GetProperty("simd_source").GetString());
    }
}
