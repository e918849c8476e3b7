using RlKernels.Envs.Tabular;

namespace RlKernels.Tests.Tabular;

/// <summary>
/// P-table CSV + JSON sidecar read from disk: every count, type and number is checked, and the error names the
/// file and the field (sidecar) or line (CSV).
/// </summary>
public sealed class TabularModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rlk-model-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal const string Csv = """
        state,action,prob,next_state,reward,terminated
        0,0,1.0,0,-1,0
        0,1,0.5,1,-1,0
        0,1,0.5,0,-1,0
        1,0,1.0,1,0,1
        1,1,1.0,0,-1,0

        """;

    internal const string Sidecar = """{"n_states":2,"n_actions":2,"action_names":["L","R"],"initial_state_distribution":[1.0,0.0],"rows":5}""";

    private string Write(string csv = Csv, string? sidecar = Sidecar)
    {
        string path = Path.Combine(_dir, "m.csv");
        File.WriteAllText(path, csv.ReplaceLineEndings("\n"));
        if (sidecar is not null) File.WriteAllText(Path.Combine(_dir, "m.json"), sidecar);
        return path;
    }

    private static string Refused(string path)
    {
        var e = Assert.Throws<ArgumentException>(() => TabularMdp.LoadCsv(path));
        Assert.DoesNotContain('\n', e.Message);
        return e.Message;
    }

    [Fact]
    public void TheGoodModelLoads()
    {
        var model = TabularMdp.LoadCsv(Write());
        Assert.Equal((2, 2, 5), (model.StateCount, model.ActionCount, model.OutcomeCount));
        Assert.Equal(["L", "R"], model.ActionNames!);
        // Nulls mean "not given": start in state 0, no names.
        var plain = TabularMdp.LoadCsv(Write(sidecar: """{"n_states":2,"n_actions":2,"initial_state_distribution":null,"action_names":null}"""));
        Assert.Equal([1.0, 0.0], plain.InitialDistribution.ToArray());
        Assert.Null(plain.ActionNames);
    }

    [Theory]
    [InlineData("""{"n_states":"2","n_actions":2}""", "n_states must be a number, found a string")]
    [InlineData("""{"n_states":[2],"n_actions":2}""", "n_states must be a number, found an array")]
    [InlineData("""{"n_states":2,"n_actions":{"n":2}}""", "n_actions must be a number, found an object")]
    [InlineData("""{"n_actions":2}""", "'n_states' is missing")]
    [InlineData("""{"n_states":-3,"n_actions":2}""", "n_states is -3; it must be an integer in [1, 2147483647]")]
    [InlineData("""{"n_states":0,"n_actions":2}""", "n_states is 0")]
    [InlineData("""{"n_states":1e12,"n_actions":2}""", "n_states is 1e12")]
    [InlineData("""{"n_states":1000000000000,"n_actions":2}""", "n_states is 1000000000000")]
    [InlineData("""{"n_states":2.5,"n_actions":2}""", "n_states is 2.5")]
    [InlineData("""{"n_states":2000000000,"n_actions":2000000000}""", "more (state, action) pairs than an array holds")]
    [InlineData("""{"n_states":2,"n_actions":2,"initial_state_distribution":"uniform"}""", "initial_state_distribution must be an array of numbers (or null), found a string")]
    [InlineData("""{"n_states":2,"n_actions":2,"initial_state_distribution":{"0":1}}""", "found an object")]
    [InlineData("""{"n_states":2,"n_actions":2,"initial_state_distribution":[1.0]}""", "initial_state_distribution has 1 entries; n_states is 2")]
    [InlineData("""{"n_states":2,"n_actions":2,"initial_state_distribution":[0.5,0.2]}""", "initial_state_distribution: The initial distribution sums to 0.7, not 1")]
    [InlineData("""{"n_states":2,"n_actions":2,"initial_state_distribution":[1.5,-0.5]}""", "at state 1 is -0.5")]
    [InlineData("""{"n_states":2,"n_actions":2,"initial_state_distribution":["1",0]}""", "initial_state_distribution entry 0 is \"1\"; it must be a finite number")]
    [InlineData("""{"n_states":2,"n_actions":2,"initial_state_distribution":[1e400,0]}""", "entry 0 is 1e400")]
    [InlineData("""{"n_states":2,"n_actions":2,"initial_state_distribution":[null,1]}""", "entry 0 is null")]
    [InlineData("""{"n_states":2,"n_actions":2,"action_names":"LR"}""", "action_names must be an array of strings (or null), found a string")]
    [InlineData("""{"n_states":2,"n_actions":2,"action_names":["L"]}""", "action_names has 1 entries; n_actions is 2")]
    [InlineData("""{"n_states":2,"n_actions":2,"action_names":["L",2]}""", "action_names entry 1 is 2; it must be a string")]
    [InlineData("""{"n_states":2,"n_actions":2,"action_names":["L","\ud800"]}""", "not valid text (an unpaired surrogate escape)")]
    [InlineData("""{"n_states":2,"n_actions":2,"rows":"5"}""", "rows is \"5\"; it must be a non-negative integer")]
    [InlineData("""{"n_states":2,"n_actions":2,"rows":4}""", "has 5 data rows, but")]
    [InlineData("""{"n_states":2,"n_actions":2,"n_states":3}""", "'n_states' appears twice")]
    [InlineData("""[2,2]""", "must be a JSON object, found an array")]
    [InlineData("""{"n_states":2,"n_actions":2""", "not valid JSON")]
    [InlineData("", "not valid JSON")]
    public void ASidecarOfTheWrongTypesOrRangesNamesTheFileAndTheField(string sidecar, string expected)
    {
        string message = Refused(Write(sidecar: sidecar));
        Assert.Contains(expected, message);
        Assert.Contains(expected.Contains("data rows") ? "m.csv" : "m.json", message);
    }

    [Theory]
    [InlineData("0,0,1.0,0,1e308,0", "line 2: reward '1e308' must be finite with |reward| ≤ 1e30")]
    [InlineData("0,0,1.0,0,-1e31,0", "line 2: reward '-1e31'")]
    [InlineData("0,0,1.0,0,NaN,0", "line 2: reward 'NaN'")]
    [InlineData("0,0,1.0,0,-inf,0", "line 2: reward '-inf'")]
    [InlineData("0,0,1.0,0,Infinity,0", "line 2: reward 'Infinity' must be finite")]
    [InlineData("0,0,1e400,0,-1,0", "line 2: prob '1e400' must be a probability in [0, 1]")]
    [InlineData("0,0,1.5,0,-1,0", "line 2: prob '1.5' must be a probability in [0, 1]")]
    [InlineData("0,0,-0.5,0,-1,0", "line 2: prob '-0.5'")]
    [InlineData("0,0,NaN,0,-1,0", "line 2: prob 'NaN'")]
    [InlineData("0,0,0.9,0,-1,0", "(s=0, a=0): the 1 outcome probabilities sum to 0.9")]
    [InlineData("0,0,1.0,7,-1,0", "next state 7 is out of range [0, 2)")]
    [InlineData("0,0,1.0,99999999999,-1,0", "line 2: next_state '99999999999' is not an integer")]
    [InlineData("0,0,1.0,0,-1,yes", "line 2: terminated must be 0 or 1")]
    public void EveryNumberOfTheCsvIsRangeChecked(string firstRow, string expected)
    {
        string csv = Csv.ReplaceLineEndings("\n").Replace("\n0,0,1.0,0,-1,0\n", "\n" + firstRow + "\n");
        string message = Refused(Write(csv));
        Assert.Contains(expected, message);
        Assert.Contains("m.csv", message);
    }

    [Fact]
    public void ModelsRefuseRewardsBeyondTheBoundAndProbabilitiesAboveOne()
    {
        TabularTransition[] rows = [new(0, 0, 1.0, 0, 2e30, true)];
        Assert.Contains("reward 2E+30 is beyond ±1e30", Assert.Throws<ArgumentException>(() => TabularMdp.FromTransitions(1, 1, rows, [1.0])).Message);
        rows = [new(0, 0, 1.5, 0, 0, true), new(0, 0, -0.5, 0, 0, true)];
        Assert.Contains("probability 1.5 is above 1", Assert.Throws<ArgumentException>(() => TabularMdp.FromTransitions(1, 1, rows, [1.0])).Message);
        // The bound itself is a model.
        Assert.Equal(1e30, TabularMdp.FromTransitions(1, 1, [new(0, 0, 1.0, 0, 1e30, true)], [1.0]).Reward[0]);
    }

    [Fact]
    public void ASidecarWhoseModelWouldNotFitInMemoryIsRefused()
    {
        // 2·10⁹ (state, action) pairs fit in an array but need about 192·10⁹ bytes (178.8 GiB) to solve.
        if (RlKernels.Envs.Registry.MemoryBudget.UsableBytes > 192e9) Assert.Skip("this machine could hold the model");
        string message = Refused(Write(sidecar: """{"n_states":2000000000,"n_actions":1}"""));
        Assert.Contains("m.json: n_states, n_actions: 2000000000 states × 1 actions need about 178.8 GiB to solve", message);
    }

    [Fact]
    public void SizesAreCheckedBeforeAllocating()
    {
        Assert.Contains("the state count must be at least 1", Assert.Throws<ArgumentException>(() => TabularMdp.CheckSize(0, 2, "x")).Message);
        Assert.Contains("more (state, action) pairs", Assert.Throws<ArgumentException>(() => TabularMdp.CheckSize(int.MaxValue, int.MaxValue, "x")).Message);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<ArgumentException>(() => TabularMdp.FromTransitions(1_000_000_000, 2, [], [1.0]));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000, "refused before allocating by the counts");
        TabularMdp.CheckSize(500, 6, "Taxi");
    }

    [Fact]
    public void SavingGoesThroughATemporaryFileAndRoundTrips()
    {
        var model = TabularMdp.LoadCsv(Write());
        string copy = Path.Combine(_dir, "copy.csv");
        model.SaveCsv(copy);
        Assert.Equal(File.ReadAllText(Path.Combine(_dir, "m.csv")), File.ReadAllText(copy));
        TabularTestData.AssertExactlyEqual(model, TabularMdp.LoadCsv(copy));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }
}
