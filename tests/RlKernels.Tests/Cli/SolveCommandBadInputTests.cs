using RlKernels.Cli;
using RlKernels.Cli.Commands;
using RlKernels.Tests.Tabular;

namespace RlKernels.Tests.Cli;

/// <summary>
/// <c>rlk solve --model FILE</c> on bad model files: one line on stderr naming the file and the field or line,
/// exit 2, no stack trace, the files untouched.
/// </summary>
public sealed class SolveCommandBadInputTests() : TempDirectoryTests("rlk-solve-")
{
    private string Write(string csv, string? sidecar)
    {
        string path = Path.Combine(Temp.Path, "model.csv");
        File.WriteAllText(path, csv.ReplaceLineEndings("\n"));
        if (sidecar is not null) File.WriteAllText(Path.Combine(Temp.Path, "model.json"), sidecar);
        return path;
    }

    private static string Csv(string firstRow = "0,0,1.0,0,-1,0") =>
        TabularModelFileTests.Csv.ReplaceLineEndings("\n").Replace("\n0,0,1.0,0,-1,0\n", "\n" + firstRow + "\n");

    private string BadInput(string modelPath)
    {
        var snapshot = Directory.GetFiles(Temp.Path).ToDictionary(f => f, File.ReadAllBytes);
        var result = CliRun.Solve(new SolveSettings { Model = modelPath, Gamma = 0.9 });
        string line = CliRun.AssertBadInputLine(result, "rlk solve: ");
        Assert.DoesNotContain("(Parameter '", result.Err);
        Assert.Equal(snapshot.Keys.Order(), Directory.GetFiles(Temp.Path).Order());
        foreach (var (file, bytes) in snapshot) Assert.Equal(bytes, File.ReadAllBytes(file));
        return line;
    }

    [Fact]
    public void AGoodModelSolvesWithAndWithoutItsSidecar()
    {
        foreach (string? sidecar in new[] { TabularModelFileTests.Sidecar, null })
        {
            File.Delete(Path.Combine(Temp.Path, "model.json"));
            var (code, output, error) = CliRun.Solve(new SolveSettings { Model = Write(Csv(), sidecar), Gamma = 0.9, Json = true });
            Assert.Equal(ExitCodes.Ok, code);
            Assert.Equal("", error);
            Assert.Contains("\"V\":[", output);
        }
    }

    [Theory]
    [InlineData("0,0,1.0,0,1e308,0", "line 2: reward '1e308' must be finite with |reward| ≤ 1e30")]  // was IndexOutOfRangeException
    [InlineData("0,0,1.0,0,NaN,0", "line 2: reward 'NaN'")]
    [InlineData("0,0,NaN,0,-1,0", "line 2: prob 'NaN'")]
    [InlineData("0,0,0.25,0,-1,0", "model.csv: (s=0, a=0): the 1 outcome probabilities sum to 0.25")]
    [InlineData("0,0,1.0,-1,-1,0", "next state -1 is out of range")]
    public void BadNumbersInTheCsvExitTwo(string firstRow, string expected)
    {
        Assert.Contains(expected, BadInput(Write(Csv(firstRow), TabularModelFileTests.Sidecar)));
        // The same without a sidecar (sizes inferred from the rows).
        File.Delete(Path.Combine(Temp.Path, "model.json"));
        Assert.Contains("model.csv", BadInput(Write(Csv(firstRow), null)));
    }

    [Theory]
    [InlineData("""{"n_states":"2","n_actions":2}""", "model.json: n_states must be a number, found a string")]
    [InlineData("""{"n_states":-1,"n_actions":2}""", "model.json: n_states is -1")]
    [InlineData("""{"n_states":1e12,"n_actions":2}""", "model.json: n_states is 1e12")]
    [InlineData("""{"n_states":2,"n_actions":2,"initial_state_distribution":{"0":1}}""", "model.json: initial_state_distribution must be an array")]
    [InlineData("""{"n_states":2,"n_actions":2,"initial_state_distribution":[1,0,0]}""", "model.json: initial_state_distribution has 3 entries")]
    [InlineData("""{"n_states":2,"n_actions":2,"initial_state_distribution":[0.5,0.4]}""", "model.json: initial_state_distribution: The initial distribution sums to 0.9")]
    [InlineData("""{"n_states":2,"n_actions":2,"initial_state_distribution":[NaN,1]}""", "model.json: not valid JSON")]
    [InlineData("""{"n_states":2,"n_actions":2,"action_names":[1,2]}""", "model.json: action_names entry 0 is 1")]
    [InlineData("""not json""", "model.json: not valid JSON")]
    public void ASidecarOfTheWrongTypesExitsTwoNamingTheField(string sidecar, string expected) =>
        Assert.Contains(expected, BadInput(Write(Csv(), sidecar)));

    [Fact]
    public void HugeInferredSizesAreRefusedBeforeAllocating()
    {
        string line = BadInput(Write(Csv("0,0,1.0,2147483646,-1,0"), null));
        Assert.Contains("model.csv", line);
        Assert.Contains("(no model.json: sizes from the largest state and action)", line);
    }

    [Fact]
    public void AMissingFileOrAFolderExitsTwo()
    {
        Assert.Contains("No such model file", BadInput(Path.Combine(Temp.Path, "nothing.csv")));
        Assert.Contains("is a folder", BadInput(Temp.Path));
    }
}
