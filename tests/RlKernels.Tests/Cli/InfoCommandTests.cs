using System.Text.Json;
using RlKernels.Cli.Commands;
using RlKernels.Envs.Registry;
using Xunit;

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
        Assert.Contains(root.GetProperty("simd_width").GetInt32(), new[] { 1, 8, 16 });
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
}
