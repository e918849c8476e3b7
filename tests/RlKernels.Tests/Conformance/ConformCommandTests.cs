using RlKernels.Envs.Registry;
using RlKernels.Tests.Envs;
using System.CommandLine;
using System.Text.Json;
using RlKernels.Cli;
using RlKernels.Cli.Commands;
using RlKernels.Tests.Cli;

namespace RlKernels.Tests.Conformance;

public class ConformCommandTests
{
    /// <summary>
    /// The registered envs the in-repo data covers: every built-in env (declared in the Envs library, not a test's
    /// own) that is a Gymnasium classic-control port or has a tabular model, except FrozenLake8x8-v1 (its P is
    /// FrozenLake-v1's 8x8 table, data/reference/gymnasium-toytext/README.md). RandomWalk1D-v0 has neither.
    /// </summary>
    private static IReadOnlyList<string> CoveredEnvs =>
        EnvRegistry.IdsWhere(e => e.IsBuiltIn && e.Id != "FrozenLake8x8-v1"
            && (e.HasTabularModel || EnvTestKit.ClassicControlIds.Contains(e.Id)));

    private static (int Code, string Output, string Error) Run(string? reference, bool json = false) =>
        CliRun.Capture((output, error) => ConformCommand.Run(reference, json, output, error));

    [Fact]
    public void InRepoClassicControlFolderPassesWithExitCodeZero()
    {
        var (code, text, error) = Run(ReferenceFiles.Directory);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal("", error);
        Assert.Contains("CartPole-v1.csv", text);
        Assert.Contains("PASS", text);
        foreach (string id in EnvTestKit.ClassicControlIds)
            Assert.Contains(id + ".csv", text);
        Assert.DoesNotContain("FAIL ", text);
        // No P tables here: only the transition table is printed.
        Assert.DoesNotContain("P tables", text);
    }

    [Fact]
    public void NoReferenceChecksEveryEnvAgainstBothInRepoFoldersAndPasses()
    {
        var (code, text, error) = Run(reference: null);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal("", error);
        Assert.Contains("Gymnasium conformance:", text);
        Assert.Contains("Gymnasium P tables (exact):", text);
        foreach (string id in CoveredEnvs)
            Assert.Contains(id, text);
        foreach (string file in Directory.GetFiles(TestPaths.GymnasiumReferenceDir, "*.csv").Concat(Directory.GetFiles(TestPaths.ToyTextReferenceDir, "*.csv")))
            Assert.Contains(Path.GetFileName(file), text);
        Assert.DoesNotContain("FAIL", text);
        Assert.DoesNotContain("SKIPPED", text);
        Assert.Contains("PASSED", text);
    }

    [Fact]
    public void NoReferenceJsonCoversBothFolders()
    {
        var (code, text, _) = Run(reference: null, json: true);
        Assert.Equal(ExitCodes.Ok, code);
        using var doc = JsonDocument.Parse(text);
        JsonElement root = doc.RootElement;
        Assert.True(root.GetProperty("passed").GetBoolean());
        Assert.Equal(0, root.GetProperty("failures").GetInt32());
        Assert.Equal(0, root.GetProperty("skipped").GetInt32());
        Assert.Equal(2, root.GetProperty("directories").GetArrayLength());
        var envIds = root.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("envId").GetString())
            .Concat(root.GetProperty("tabularResults").EnumerateArray().Select(r => r.GetProperty("envId").GetString()))
            .ToHashSet();
        foreach (string id in CoveredEnvs)
            Assert.Contains(id, envIds);
    }

    [Fact]
    public void FailureGivesExitCodeOne()
    {
        using var temp = new TempDirectory();
        ReferenceFiles.CopyWithEdit("CartPole-v1.csv", temp, row: 42, "next_obs_x", v => v + 0.5);
        var (code, text, _) = Run(temp.Path);
        Assert.Equal(ExitCodes.Mismatch, code);
        Assert.Contains("FAIL", text);
        Assert.Contains("line 44", text);
    }

    [Fact]
    public void JsonReportIsParseable()
    {
        using var temp = new TempDirectory();
        ReferenceFiles.CopyWithEdit("CartPole-v1.csv", temp, row: 42, "reward", v => v + 1);
        // A file whose env id is not registered must be reported as skipped.
        File.Copy(ReferenceFiles.Get("Pendulum-v1.csv"), temp.File("Unregistered-v0.csv"));
        var (code, text, _) = Run(temp.Path, json: true);
        Assert.Equal(ExitCodes.Mismatch, code);

        using var doc = JsonDocument.Parse(text);
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
        var (code, text, _) = Run(temp.Path);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("SKIPPED", text);
        Assert.DoesNotContain("PASS ", text);
    }

    public static TheoryData<string, string> BadReferences => new()
    {
        { "missing", "does not exist" },
        { "empty folder", "no *.csv files" },
        { "folder without csv", "no *.csv files" },
        { "a file", "is a file" },
        { "empty string", "is empty" },
    };

    [Theory]
    [MemberData(nameof(BadReferences))]
    public void BadReferenceIsExitTwoWithOneLine(string kind, string expected)
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("x.txt"), "not a reference file");
        Directory.CreateDirectory(temp.File("empty"));
        Directory.CreateDirectory(temp.File("no-csv"));
        File.WriteAllText(Path.Combine(temp.File("no-csv"), "README.md"), "no data");
        string reference = kind switch
        {
            "missing" => temp.File("missing"),
            "empty folder" => temp.File("empty"),
            "folder without csv" => temp.File("no-csv"),
            "a file" => temp.File("x.txt"),
            _ => "",
        };
        string[] before = Directory.GetFileSystemEntries(temp.Path, "*", SearchOption.AllDirectories).Order().ToArray();

        var (code, text, error) = Run(reference);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", text);
        string[] lines = error.TrimEnd('\n').Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("rlk conform: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", error);
        Assert.Equal(before, Directory.GetFileSystemEntries(temp.Path, "*", SearchOption.AllDirectories).Order().ToArray());
    }

    [Fact]
    public void ReferenceIsOptional()
    {
        var root = new RootCommand { ConformCommand.Create() };
        Assert.Empty(root.Parse(["conform"]).Errors);
        Assert.Empty(root.Parse(["conform", "--reference", ReferenceFiles.Directory, "--json"]).Errors);
        Assert.NotEmpty(root.Parse(["conform", "--reference"]).Errors);
    }
}
