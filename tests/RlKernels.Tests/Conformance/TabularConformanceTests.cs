using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using RlKernels.Cli.Commands;
using RlKernels.Envs;
using RlKernels.Envs.Conformance;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Tabular;

namespace RlKernels.Tests.Conformance;

/// <summary>Toy-text P tables (data/reference/gymnasium-toytext) against our tabular models.</summary>
public class TabularConformanceTests
{
    private static string ToyTextDirectory => TestPaths.ToyTextReferenceDir;

    private static string ToyText(string name) => Path.Combine(ToyTextDirectory, name);

    /// <summary>Copies MODEL.csv and MODEL.json into <paramref name="target"/>, editing either on the way.</summary>
    private static string CopyModel(string model, TempDirectory target, Func<string[], string[]>? editLines = null, Action<JsonObject>? editJson = null)
    {
        string[] lines = File.ReadAllText(ToyText(model + ".csv")).TrimEnd('\n').Split('\n');
        if (editLines is not null) lines = editLines(lines);
        string csv = target.File(model + ".csv");
        File.WriteAllText(csv, string.Join('\n', lines) + "\n");
        var json = JsonNode.Parse(File.ReadAllText(ToyText(model + ".json")))!.AsObject();
        editJson?.Invoke(json);
        File.WriteAllText(target.File(model + ".json"), json.ToJsonString());
        return csv;
    }

    /// <summary>Replaces field <paramref name="column"/> (0-based) of data row <paramref name="row"/>.</summary>
    private static Func<string[], string[]> EditField(int row, int column, string value) => lines =>
    {
        string[] f = lines[row + 1].Split(',');
        f[column] = value;
        lines[row + 1] = string.Join(',', f);
        return lines;
    };

    [Fact]
    public void SharedToyTextModelsPassExactly()
    {
        var report = ConformanceChecker.CheckDirectory(ToyTextDirectory);
        Assert.Empty(report.Results);
        Assert.True(report.Passed);
        Assert.Equal(9, report.TabularResults.Count);
        foreach (var r in report.TabularResults)
        {
            Assert.True(r.Status == ConformanceStatus.Pass, $"{r.File}: {r.Message}");
            Assert.Equal(0, r.MismatchCount);
            using var json = JsonDocument.Parse(File.ReadAllBytes(ToyText(Path.ChangeExtension(r.File, ".json"))));
            Assert.Equal(json.RootElement.GetProperty("rows").GetInt32(), r.Entries);
            Assert.Equal(json.RootElement.GetProperty("n_states").GetInt32(), r.States);
        }
        var byFile = report.TabularResults.ToDictionary(r => r.File);
        Assert.Equal("Taxi-v4", byFile["Taxi-v4.rainy.csv"].EnvId);
        Assert.Equal("is_rainy=true", byFile["Taxi-v4.rainy.csv"].EnvArgs);
        Assert.Equal("map_name=8x8,is_slippery=true", byFile["FrozenLake-v1.8x8.slippery.csv"].EnvArgs);
        Assert.True(byFile["FrozenLake-v1.8x8.slippery.csv"].InitialDistributionCompared);
        // The lecture chain (env_id null) is our ChainWalk-v0; its sidecar has no initial distribution.
        var chain = byFile["chain5.csv"];
        Assert.Equal("ChainWalk-v0", chain.EnvId);
        Assert.Equal(10, chain.Entries);
        Assert.False(chain.InitialDistributionCompared);
    }

    [Fact]
    public void ChangedProbabilityFailsNamingTheEntry()
    {
        using var temp = new TempDirectory();
        // Data row 0 is P[0][LEFT][0] = (0.33333333333333337, 0, 0, False): one ulp down still sums to 1 within 1e-6.
        string csv = CopyModel("FrozenLake-v1.4x4.slippery", temp, EditField(0, 2, "0.3333333333333333"));
        var r = TabularConformanceChecker.CheckFile(csv);
        Assert.Equal(ConformanceStatus.Fail, r.Status);
        Assert.Equal(1, r.MismatchCount);
        Assert.Equal(152, r.Entries);
        var m = Assert.Single(r.Mismatches);
        Assert.Equal((0, 0, 0, "prob", "0.33333333333333337", "0.3333333333333333", (int?)2),
            (m.State, m.Action, m.Outcome, m.Field, m.Ours, m.Theirs, m.Line));
        Assert.Contains("(s=0, a=0, outcome 0) prob: ours 0.33333333333333337 vs theirs 0.3333333333333333 (line 2)", r.Message);
    }

    [Fact]
    public void ChangedRewardAndFlagFailNamingTheEntries()
    {
        using var temp = new TempDirectory();
        // Taxi data row 4 is P[0][PICKUP] = (1.0, 16, -1, False) (passenger at R, in the taxi's cell); row 10 is P[1][PICKUP].
        string csv = CopyModel("Taxi-v4", temp, lines => EditField(10, 5, "1")(EditField(4, 4, "-9")(lines)));
        var r = TabularConformanceChecker.CheckFile(csv);
        Assert.Equal(ConformanceStatus.Fail, r.Status);
        Assert.Equal(2, r.MismatchCount);
        Assert.Equal("(s=0, a=4, outcome 0) reward: ours -1.0 vs theirs -9.0 (line 6)", r.Mismatches[0].ToString());
        Assert.Equal("(s=1, a=4, outcome 0) terminated: ours 0 vs theirs 1 (line 12)", r.Mismatches[1].ToString());
    }

    [Fact]
    public void MissingOutcomeAndInitialDistributionAreMismatches()
    {
        using var temp = new TempDirectory();
        // Drop the third outcome of P[0][LEFT] and move the start to state 1.
        string csv = CopyModel("FrozenLake-v1.4x4.slippery", temp,
            lines => lines.Where((_, i) => i != 3).ToArray(),
            json =>
            {
                var init = json["initial_state_distribution"]!.AsArray();
                init[0] = 0.0;
                init[1] = 1.0;
            });
        var r = TabularConformanceChecker.CheckFile(csv);
        Assert.Equal(ConformanceStatus.Fail, r.Status);
        Assert.Equal(3, r.MismatchCount);
        Assert.Equal(151, r.Entries);
        Assert.Equal(("outcomes", "3", "2"), (r.Mismatches[0].Field, r.Mismatches[0].Ours, r.Mismatches[0].Theirs));
        Assert.Equal("initial distribution at s=0: ours 1.0 vs theirs 0.0", r.Mismatches[1].ToString());
        Assert.Equal("initial", r.Mismatches[2].Field);
        Assert.Equal(1, r.Mismatches[2].State);
    }

    [Fact]
    public void WrongSizesFailWithoutComparingEntries()
    {
        using var temp = new TempDirectory();
        string csv = CopyModel("CliffWalking-v1", temp, editJson: json =>
        {
            json["n_states"] = 49;
            json["initial_state_distribution"]!.AsArray().Add(0.0);
        });
        var r = TabularConformanceChecker.CheckFile(csv);
        Assert.Equal(ConformanceStatus.Fail, r.Status);
        Assert.Equal(0, r.Entries);
        Assert.Equal("n_states: ours 48 vs theirs 49", Assert.Single(r.Mismatches).ToString());
    }

    [Fact]
    public void UnknownKwargIsAnError()
    {
        using var temp = new TempDirectory();
        string csv = CopyModel("FrozenLake-v1.4x4.slippery", temp, editJson: json => json["make_kwargs"]!.AsObject()["render_fps"] = 4);
        var r = TabularConformanceChecker.CheckFile(csv);
        Assert.Equal(ConformanceStatus.Error, r.Status);
        Assert.True(r.IsFailure);
        Assert.Contains("render_fps", r.Message);
        Assert.Contains("does not take", r.Message);
        Assert.Contains("FrozenLake-v1", r.Message);
    }

    [Fact]
    public void UnusableSidecarsAreErrors()
    {
        using var temp = new TempDirectory();
        string csv = CopyModel("CliffWalking-v1", temp, editJson: json => json["make_kwargs"]!.AsObject()["is_slippery"] = null);
        AssertChecked(csv, ConformanceStatus.Error, "is_slippery");

        File.Delete(temp.File("CliffWalking-v1.json"));
        AssertChecked(csv, ConformanceStatus.Error, "no sidecar");

        // A P table for an env without a tabular model.
        AssertChecked(CopyModel("Taxi-v4", temp, editJson: json => json["env_id"] = "CartPole-v1"), ConformanceStatus.Error, "no tabular model");

        // A row out of range.
        AssertChecked(CopyModel("chain5", temp, EditField(3, 3, "7")), ConformanceStatus.Error, "chain5.csv:5");
    }

    [Fact]
    public void UnknownModelsAndEnvsAreSkipped()
    {
        using var temp = new TempDirectory();
        AssertChecked(CopyModel("chain5", temp, editJson: json => json["model"] = "chain7"), ConformanceStatus.Skipped, "chain7");
        AssertChecked(CopyModel("Taxi-v4", temp, editJson: json => json["env_id"] = "Blackjack-v1"), ConformanceStatus.Skipped,
            "Blackjack-v1 is not implemented");
    }

    /// <summary>Checks <paramref name="csv"/> and asserts the status and a part of the message.</summary>
    private static void AssertChecked(string csv, ConformanceStatus status, string inMessage)
    {
        var r = TabularConformanceChecker.CheckFile(csv);
        Assert.True(r.Status == status, $"{csv}: {r.Status}, expected {status}: {r.Message}");
        Assert.Contains(inMessage, r.Message);
    }

    [Fact]
    public void MakeKwargsBecomeEnvArgStrings()
    {
        using var doc = JsonDocument.Parse("""{"a": true, "b": false, "c": "8x8", "d": 0.8, "e": 3, "desc": ["SF", "HG"]}""");
        var args = TabularConformanceChecker.ToEnvArgs(doc.RootElement);
        Assert.Equal("true", args["a"]);
        Assert.Equal("false", args["b"]);
        Assert.Equal("8x8", args["c"]);
        Assert.Equal("0.8", args["d"]);
        Assert.Equal("3", args["e"]);
        Assert.Equal("SF,HG", args["desc"]);
        using var bad = JsonDocument.Parse("""{"x": {"y": 1}}""");
        Assert.Throws<FormatException>(() => TabularConformanceChecker.ToEnvArgs(bad.RootElement));
    }

    [Fact]
    public void RegistryGivesTabularModelsOnlyForTabularEnvs()
    {
        Assert.False(EnvRegistry.Get("CartPole-v1").TryGetTabularModel(EnvArgs.Empty, out var none));
        Assert.Null(none);
        Assert.True(EnvRegistry.Get("Taxi-v4").TryGetTabularModel(EnvArgs.Parse(["is_rainy=true"]), out var taxi));
        Assert.Equal(7000, taxi.OutcomeCount);
        Assert.Throws<ArgumentException>(() => EnvRegistry.Get("Taxi-v4").TryGetTabularModel(EnvArgs.Parse(["rainy=true"]), out _));

        // ChainWalk's model is its own Step: the lecture's rewards and the terminating step 3 -> 4.
        Assert.True(EnvRegistry.Get("ChainWalk-v0").TryGetTabularModel(EnvArgs.Empty, out var chain));
        Assert.Equal(ChainWalk.BuildModel().Transitions(), chain.Transitions());
        Assert.Equal(-10.0, chain.ExpectedReward(2, 1));
        var (start, count) = chain.Outcomes(3, 1);
        Assert.Equal(1, count);
        Assert.Equal((4, -1.0, true), (chain.NextState[start], chain.Reward[start], chain.Terminated[start]));
    }

    [Fact]
    public void MixedDirectoryDispatchesOnTheHeader()
    {
        using var temp = new TempDirectory();
        File.Copy(ReferenceFiles.Get("CartPole-v1.csv"), temp.File("CartPole-v1.csv"));
        CopyModel("CliffWalking-v1", temp);
        var report = ConformanceChecker.CheckDirectory(temp.Path);
        Assert.True(report.Passed);
        Assert.NotEmpty(report.Results);
        Assert.All(report.Results, r => Assert.Equal("CartPole-v1.csv", r.File));
        Assert.Equal("CliffWalking-v1.csv", Assert.Single(report.TabularResults).File);
    }

    [Fact]
    public void RunExitCodes()
    {
        var output = new StringWriter();
        Assert.Equal(0, ConformCommand.Run(ToyTextDirectory, json: false, output, TextWriter.Null));
        string text = output.ToString();
        foreach (string file in new[] { "Taxi-v4.rainy.csv", "CliffWalkingSlippery-v1.csv", "FrozenLake-v1.8x8.slippery.csv", "chain5.csv" })
            Assert.Contains(file, text);
        Assert.Contains("ChainWalk-v0", text);
        Assert.Contains("PASSED: 9 passed, 0 skipped, 0 failed.", text);
        Assert.DoesNotContain("FAIL ", text);

        using var temp = new TempDirectory();
        CopyModel("CliffWalkingSlippery-v1", temp, EditField(0, 4, "-100"));
        output = new StringWriter();
        Assert.Equal(1, ConformCommand.Run(temp.Path, json: false, output, TextWriter.Null));
        text = output.ToString();
        Assert.Contains("FAIL", text);
        Assert.Contains("(s=0, a=0, outcome 0) reward: ours -1.0 vs theirs -100.0 (line 2)", text);

        output = new StringWriter();
        Assert.Equal(1, ConformCommand.Run(temp.Path, json: true, output, TextWriter.Null));
        using var doc = JsonDocument.Parse(output.ToString());
        Assert.False(doc.RootElement.GetProperty("passed").GetBoolean());
        var result = Assert.Single(doc.RootElement.GetProperty("tabularResults").EnumerateArray().ToList());
        Assert.Equal("Fail", result.GetProperty("status").GetString());
        Assert.Equal(1, result.GetProperty("mismatchCount").GetInt32());
        Assert.Equal("reward", result.GetProperty("mismatches")[0].GetProperty("field").GetString());

        // An unknown kwarg is an error, so the run fails.
        using var temp2 = new TempDirectory();
        CopyModel("Taxi-v4", temp2, editJson: json => json["make_kwargs"]!.AsObject()["fickle_passenger"] = true);
        output = new StringWriter();
        Assert.Equal(1, ConformCommand.Run(temp2.Path, json: false, output, TextWriter.Null));
        Assert.Contains("ERROR", output.ToString());
        Assert.Contains("fickle_passenger", output.ToString());
    }
}
