using System.CommandLine;
using System.Text.Json;
using RlKernels.Cli.Commands;
using Xunit;

namespace RlKernels.Tests.Conformance;

public class ConformCommandTests
{
    [Fact]
    public void SharedReferencePassesWithExitCodeZero()
    {
        var output = new StringWriter();
        int code = ConformCommand.Execute(ReferenceFiles.Directory, json: false, output);
        string text = output.ToString();
        Assert.Equal(0, code);
        Assert.Contains("CartPole-v1.csv", text);
        Assert.Contains("PASS", text);
        foreach (string id in new[] { "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1", "Pendulum-v1" })
            Assert.Contains(id + ".csv", text);
        Assert.DoesNotContain("FAIL ", text);
        // No P tables here: only the transition table is printed.
        Assert.DoesNotContain("P tables", text);
    }

    [Fact]
    public void FailureGivesExitCodeOne()
    {
        using var temp = new TempDirectory();
        ReferenceFiles.CopyWithEdit("CartPole-v1.csv", temp, row: 42, "next_obs_x", v => v + 0.5);
        var output = new StringWriter();
        Assert.Equal(1, ConformCommand.Execute(temp.Path, json: false, output));
        Assert.Contains("FAIL", output.ToString());
        Assert.Contains("line 44", output.ToString());
    }

    [Fact]
    public void JsonReportIsParseable()
    {
        using var temp = new TempDirectory();
        ReferenceFiles.CopyWithEdit("CartPole-v1.csv", temp, row: 42, "reward", v => v + 1);
        // A file whose env id is not registered must be reported as skipped.
        File.Copy(ReferenceFiles.Get("Pendulum-v1.csv"), temp.File("Unregistered-v0.csv"));
        var output = new StringWriter();
        Assert.Equal(1, ConformCommand.Execute(temp.Path, json: true, output));

        using var doc = JsonDocument.Parse(output.ToString());
        Assert.False(doc.RootElement.GetProperty("passed").GetBoolean());
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Contains(results, r => r.GetProperty("status").GetString() == "Fail");
        Assert.Contains(results, r => r.GetProperty("status").GetString() == "Skipped" && r.GetProperty("envId").GetString() == "Unregistered-v0");
    }

    [Fact]
    public void OnlySkippedFilesExitZero()
    {
        using var temp = new TempDirectory();
        File.Copy(ReferenceFiles.Get("Acrobot-v1.csv"), temp.File("Unregistered-v0.csv"));
        var output = new StringWriter();
        Assert.Equal(0, ConformCommand.Execute(temp.Path, json: false, output));
        Assert.Contains("SKIPPED", output.ToString());
        Assert.DoesNotContain("PASS ", output.ToString());
    }

    [Fact]
    public void BadDirectoriesAreClearErrors()
    {
        using var temp = new TempDirectory();
        var output = new StringWriter();
        Assert.Equal(1, ConformCommand.Execute(temp.File("missing"), json: false, output));
        Assert.Contains("does not exist", output.ToString());

        output = new StringWriter();
        Assert.Equal(1, ConformCommand.Execute(temp.Path, json: false, output));
        Assert.Contains("no *.csv files", output.ToString());

        File.WriteAllText(temp.File("x.txt"), "");
        output = new StringWriter();
        Assert.Equal(1, ConformCommand.Execute(temp.File("x.txt"), json: false, output));
        Assert.Contains("is a file", output.ToString());
    }

    [Fact]
    public void CommandRequiresReference()
    {
        var root = new RootCommand { ConformCommand.Create() };
        var parse = root.Parse(["conform"]);
        Assert.NotEmpty(parse.Errors);
        Assert.Contains(parse.Errors, e => e.Message.Contains("--reference"));

        parse = root.Parse(["conform", "--reference", ReferenceFiles.Directory, "--json"]);
        Assert.Empty(parse.Errors);
    }
}
