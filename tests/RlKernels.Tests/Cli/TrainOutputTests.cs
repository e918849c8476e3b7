using System.Text;
using System.Text.Json;
using RlKernels.Algorithms.Deep;
using RlKernels.Cli;
using RlKernels.Cli.Commands;
using RlKernels.Envs.Registry;

namespace RlKernels.Tests.Cli;

/// <summary>
/// <c>rlk train</c> outputs: strict JSON, an earlier run never overwritten without --force, concurrent runs
/// that do not collide, and a file-size limit that leaves no truncated file under a final name.
/// </summary>
public class TrainOutputTests
{
    /// <summary>A deep run that takes about a second: few steps, few envs.</summary>
    private static string[] QuickRun(string outDir) => ["train", "CartPole-v1", "--steps", "512", "--envs", "4", "--out", outDir];

    /// <summary>Strict System.Text.Json: no NaN/Infinity tokens, no trailing commas, no comments.</summary>
    private static JsonDocument ParseStrict(string json) =>
        JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });

    [Fact]
    public void TaxiPpoWithNoFinishedEpisodePrintsStrictJsonWithNull()
    {
        using var temp = new TempDirectory("rlk-train-out-");
        string root = temp.Path;
        var (code, output, error) = CliRun.InProcess("train", "Taxi-v4", "--algo", "ppo", "--steps", "100", "--json", "--out", Path.Combine(root, "run"));
        Assert.True(code == 0, error);
        using var doc = ParseStrict(output);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("train_mean_return").ValueKind);
        Assert.Equal(0, doc.RootElement.GetProperty("train_episodes").GetInt64());
    }

    [Fact]
    public void TaxiPpoTextSaysNoEpisodeFinished()
    {
        using var temp = new TempDirectory("rlk-train-out-");
        string root = temp.Path;
        var (code, output, error) = CliRun.InProcess("train", "Taxi-v4", "--algo", "ppo", "--steps", "100", "--out", Path.Combine(root, "run"));
        Assert.True(code == 0, error);
        Assert.Contains("no episode finished", output);
        Assert.DoesNotContain("NaN", output);
    }

    [Fact]
    public void TabularRunWithNoFinishedEpisodePrintsStrictJsonWithNull()
    {
        var (code, output, error) = CliRun.InProcess("train", "Taxi-v4", "--steps", "1", "--envs", "2", "--json");
        Assert.True(code == 0, error);
        using var doc = ParseStrict(output);
        Assert.Equal(0, doc.RootElement.GetProperty("episodes").GetInt64());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("mean_episode_return").ValueKind);

        var (textCode, text, _) = CliRun.InProcess("train", "Taxi-v4", "--steps", "1", "--envs", "2");
        Assert.Equal(0, textCode);
        Assert.Contains("no episode finished", text);
    }

    [Fact]
    public void CliJsonWritesNonFiniteNumbersAsNull()
    {
        string json = CliJson.Serialize(new { a = double.NaN, b = double.PositiveInfinity, c = float.NegativeInfinity, d = 1.5, e = new[] { double.NaN } });
        Assert.Equal("""{"a":null,"b":null,"c":null,"d":1.5,"e":[null]}""", json);
        ParseStrict(json).Dispose();
    }

    [Fact]
    public void AnEarlierRunIsRefusedWithoutForceAndReplacedWithIt()
    {
        using var temp = new TempDirectory("rlk-train-out-");
        string root = temp.Path;
        string dir = Path.Combine(root, "run");
        var first = CliRun.InProcess(QuickRun(dir));
        Assert.True(first.Code == 0, first.Err);
        var before = CliRun.Snapshot(root);
        Assert.Contains(before, p => p.Contains("model.safetensors", StringComparison.Ordinal));

        CliRun.AssertOneLineError(ExitCodes.BadInput, CliRun.InProcess(QuickRun(dir)), "already holds a run");
        Assert.Equal(before, CliRun.Snapshot(root));

        var forced = CliRun.InProcess([.. QuickRun(dir), "--force"]);
        Assert.True(forced.Code == 0, forced.Err);
        // Only the four outputs: no probe or temporary file left behind.
        Assert.Equal(DeepTrainCommand.OutputFiles.Order(StringComparer.Ordinal),
            Directory.EnumerateFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AnExistingEmptyFolderIsUsed()
    {
        using var temp = new TempDirectory("rlk-train-out-");
        string root = TrainQuickRunInto(temp.Path);
        Assert.True(File.Exists(Path.Combine(root, "model.safetensors")));
    }

    // Runs the quick training run into an existing folder, checks it succeeded, and returns the folder.
    private static string TrainQuickRunInto(string root)
    {
        var run = CliRun.InProcess(QuickRun(root));
        Assert.True(run.Code == 0, run.Err);
        return root;
    }

    [Fact]
    public void CurveCsvHasNoWallTimeAndTimingCsvHasIt()
    {
        using var temp = new TempDirectory("rlk-train-out-");
        string root = TrainQuickRunInto(temp.Path);
        string[] curve = File.ReadAllLines(Path.Combine(root, "curve.csv"));
        Assert.Equal(DeepTrainCommand.CurveHeader, curve[0]);
        Assert.Equal("env_steps,member,mean_return,episodes", curve[0]);
        Assert.True(curve.Length > 1);
        Assert.All(curve.Skip(1), line => Assert.Equal(4, line.Split(',').Length));
        string[] timing = File.ReadAllLines(Path.Combine(root, "timing.csv"));
        Assert.Equal("env_steps,member,seconds", timing[0]);
        Assert.Equal(curve.Length, timing.Length);
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public async Task TwentyFiveConcurrentRunsIntoTwentyFiveFoldersAllSucceed()
    {
        using var temp = new TempDirectory("rlk-train-out-");
        string root = temp.Path;
        var runs = Enumerable.Range(0, 25)
            .Select(i => CliRun.FinishAsync(CliRun.Start(CliRun.DotnetHost, [CliRun.RlkDll, .. QuickRun(Path.Combine(root, $"run{i}")), "--seed", $"{i + 1}", "--json"])))
            .ToArray();
        var results = await Task.WhenAll(runs);
        for (int i = 0; i < results.Length; i++)
        {
            Assert.True(results[i].Code == 0, $"run {i}: exit {results[i].Code}: {results[i].Err}");
            string dir = Path.Combine(root, $"run{i}");
            Assert.Equal(DeepTrainCommand.OutputFiles.Order(StringComparer.Ordinal),
                Directory.EnumerateFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            PolicyNet.Load(Path.Combine(dir, "model.safetensors"), EnvRegistry.Get("CartPole-v1").Spec(EnvArgs.Empty));
        }
    }

    [Fact]
    public async Task AFileSizeLimitExitsNonZeroAndLeavesNoTruncatedFile()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "ulimit -f through bash.");
        using var temp = new TempDirectory("rlk-train-out-");
        string root = temp.Path;
        string dir = Path.Combine(root, "run");
        // 20 KiB: the model (~19 KB) and the CSVs fit, the PNG (~35 KB) does not. CoreCLR's W^X double
        // mapping needs a file larger than that to start at all, so it is turned off for this process.
        string command = $"ulimit -f 20; exec \"$0\" \"$1\" {string.Join(' ', QuickRun(dir))}";
        var result = await CliRun.FinishAsync(CliRun.Start("bash", ["-c", command, CliRun.DotnetHost, CliRun.RlkDll],
            new Dictionary<string, string> { ["DOTNET_EnableWriteXorExecute"] = "0" }));
        Assert.True(result.Code == ExitCodes.RuntimeFailure, $"exit {result.Code}: {result.Err}");
        Assert.Contains("curve.png", result.Err);
        Assert.DoesNotContain("   at ", result.Err);
        string[] files = Directory.EnumerateFiles(dir).Select(Path.GetFileName).ToArray()!;
        Assert.DoesNotContain(files, f => f.StartsWith('.'));  // no temporary or probe file left
        Assert.DoesNotContain("curve.png", files);
        // What was written is complete: the model loads, the CSVs end with a full line.
        PolicyNet.Load(Path.Combine(dir, "model.safetensors"), EnvRegistry.Get("CartPole-v1").Spec(EnvArgs.Empty));
        foreach (string csv in new[] { "curve.csv", "timing.csv" })
            Assert.EndsWith("\n", File.ReadAllText(Path.Combine(dir, csv), Encoding.UTF8));
    }
}
