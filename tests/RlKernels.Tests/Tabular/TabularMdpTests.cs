using RlKernels.Envs.Tabular;

namespace RlKernels.Tests.Tabular;

/// <summary>TabularMdp construction, validation and the P-table CSV format.</summary>
public class TabularMdpTests
{
    // A 2-state, 2-action model; (s=1, a=1) has two outcomes with the same next state (kept apart).
    private static TabularTransition[] Rows() =>
    [
        new(0, 0, 1.0, 0, -1, false),
        new(0, 1, 0.25, 1, 2.5, false),
        new(0, 1, 0.75, 0, -1, false),
        new(1, 0, 1.0, 1, 0, true),
        new(1, 1, 0.5, 0, 1, false),
        new(1, 1, 0.5, 0, -3, true),
    ];

    private static TabularMdp Build(TabularTransition[] rows, double[]? initial = null) =>
        TabularMdp.FromTransitions(2, 2, rows, initial ?? [1.0, 0.0]);

    [Fact]
    public void FromTransitionsGroupsByStateActionKeepingRowOrder()
    {
        var rows = Rows();
        var shuffled = new[] { rows[4], rows[1], rows[0], rows[5], rows[3], rows[2] };
        var model = Build(shuffled);
        Assert.Equal([0, 1, 3, 4, 6], model.Offsets.ToArray());
        Assert.Equal(2, model.MaxOutcomes);
        Assert.Equal(6, model.OutcomeCount);
        Assert.Equal([rows[0], rows[1], rows[2], rows[3], rows[4], rows[5]], model.Transitions().ToArray());
        Assert.Equal(0.25 * 2.5 + 0.75 * -1, model.ExpectedReward(0, 1));
        TabularTestData.AssertExactlyEqual(Build(rows), model);
    }

    [Fact]
    public void CsrConstructorCopiesItsInput()
    {
        int[] offsets = [0, 1, 2];
        int[] next = [0, 0];
        double[] prob = [1, 1], reward = [1, 2];
        bool[] terminated = [false, true];
        var model = new TabularMdp(1, 2, offsets, next, prob, reward, terminated, [1.0]);
        reward[0] = 99;
        Assert.Equal(1, model.Reward[0]);
    }

    [Theory]
    [InlineData(1, 5, "(s=0, a=1, outcome 0): next state 5 is out of range [0, 2)")]
    [InlineData(1, -1, "(s=0, a=1, outcome 0): next state -1 is out of range")]
    public void NextStateOutOfRangeNamesThePlace(int row, int next, string expected)
    {
        var rows = Rows();
        rows[row] = rows[row] with { NextState = next };
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => Build(rows)).Message);
    }

    [Fact]
    public void BadProbabilitiesAndRewardsNameThePlace()
    {
        var rows = Rows();
        rows[4] = rows[4] with { Probability = -0.5 };
        rows[5] = rows[5] with { Probability = 1.5 };
        Assert.Contains("(s=1, a=1, outcome 0): probability -0.5 is negative", Assert.Throws<ArgumentException>(() => Build(rows)).Message);

        rows = Rows();
        rows[2] = rows[2] with { Probability = 0.7 };
        Assert.Contains("(s=0, a=1): the 2 outcome probabilities sum to 0.95", Assert.Throws<ArgumentException>(() => Build(rows)).Message);

        rows = Rows();
        rows[2] = rows[2] with { Probability = 0.75 + 5e-7 };
        Build(rows); // within the 1e-6 tolerance

        rows = Rows();
        rows[3] = rows[3] with { Probability = double.NaN };
        Assert.Contains("(s=1, a=0, outcome 0): probability NaN is not finite", Assert.Throws<ArgumentException>(() => Build(rows)).Message);

        rows = Rows();
        rows[5] = rows[5] with { Reward = double.PositiveInfinity };
        Assert.Contains("(s=1, a=1, outcome 1): reward ∞ is not finite".Replace("∞", double.PositiveInfinity.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
            Assert.Throws<ArgumentException>(() => Build(rows)).Message);

        rows = Rows();
        rows[0] = rows[0] with { Reward = double.NaN };
        Assert.Contains("(s=0, a=0, outcome 0): reward NaN is not finite", Assert.Throws<ArgumentException>(() => Build(rows)).Message);
    }

    [Fact]
    public void StateOrActionOutOfRangeAndMissingOutcomesAreErrors()
    {
        var rows = Rows();
        rows[2] = rows[2] with { State = 2 };
        Assert.Contains("transition 2: state 2 is out of range [0, 2)", Assert.Throws<ArgumentException>(() => Build(rows)).Message);

        rows = Rows();
        rows[3] = rows[3] with { Action = 7 };
        Assert.Contains("transition 3: action 7 is out of range [0, 2)", Assert.Throws<ArgumentException>(() => Build(rows)).Message);

        Assert.Contains("(s=1, a=0) has no outcomes", Assert.Throws<ArgumentException>(() => Build(Rows().Where(t => (t.State, t.Action) != (1, 0)).ToArray())).Message);
    }

    [Fact]
    public void BadInitialDistributionsAreErrors()
    {
        Assert.Contains("sums to 0.5", Assert.Throws<ArgumentException>(() => Build(Rows(), [0.5, 0.0])).Message);
        Assert.Contains("must have 2 entries", Assert.Throws<ArgumentException>(() => Build(Rows(), [1.0])).Message);
        Assert.Contains("at state 1 is -0.5", Assert.Throws<ArgumentException>(() => Build(Rows(), [1.5, -0.5])).Message);
    }

    [Fact]
    public void CsrShapeErrors()
    {
        Assert.Contains("Expected 3 offsets", Assert.Throws<ArgumentException>(() =>
            new TabularMdp(1, 2, [0, 1], [0], [1.0], [0.0], [false], [1.0])).Message);
        Assert.Contains("same length", Assert.Throws<ArgumentException>(() =>
            new TabularMdp(1, 1, [0, 1], [0], [1.0, 0.0], [0.0], [false], [1.0])).Message);
        Assert.Contains("state count must be at least 1", Assert.Throws<ArgumentException>(() =>
            new TabularMdp(0, 1, [0], [], [], [], [], [])).Message);
    }

    [Fact]
    public void CsvSaveLoadRoundTripIsExact()
    {
        var model = TabularMdp.FromTransitions(2, 2,
        [
            new(0, 0, 1.0, 0, -1, false),
            new(0, 1, 1.0 / 3, 1, 0.1, false),
            new(0, 1, 2.0 / 3, 0, -1e-7, false),
            new(1, 0, 1.0, 1, 1e20, true),
            new(1, 1, 0.09999999999999998, 0, 1, false),
            new(1, 1, 0.9000000000000000, 0, -3, true),
        ], [0.3333333333333333, 0.6666666666666667], ["L", "R"]);
        string dir = Path.Combine(Path.GetTempPath(), "rlk-tabular-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string csv = Path.Combine(dir, "m.csv");
            model.SaveCsv(csv);
            var loaded = TabularMdp.LoadCsv(csv);
            TabularTestData.AssertExactlyEqual(model, loaded);
            Assert.Equal(["L", "R"], loaded.ActionNames!);
            string text = File.ReadAllText(csv);
            Assert.StartsWith(TabularMdp.CsvHeader + "\n0,0,1.0,0,-1,0\n0,1,0.3333333333333333,1,0.1,0\n", text);
            Assert.Contains("\n1,1,0.09999999999999998,0,1,0\n1,1,0.9,0,-3,1\n", text);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void ReferenceFilesRoundTripThroughSaveAndLoad()
    {
        string dir = Path.Combine(Path.GetTempPath(), "rlk-tabular-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            foreach (string file in new[] { "chain5.csv", "Taxi-v4.rainy.csv", "CliffWalkingSlippery-v1.csv" })
            {
                var model = TabularMdp.LoadCsv(Path.Combine(TabularTestData.Dir, file));
                string csv = Path.Combine(dir, file);
                model.SaveCsv(csv);
                Assert.Equal(File.ReadAllText(Path.Combine(TabularTestData.Dir, file)), File.ReadAllText(csv));
                TabularTestData.AssertExactlyEqual(model, TabularMdp.LoadCsv(csv));
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>Malformed P tables of 1 state × 2 actions, each with a part of the message it must get (every table ends with a newline).</summary>
    public static TheoryData<string, string> MalformedCsvs => new()
    {
        {
            """
            state,action,prob,next_state,reward

            """,
            "line 1: expected the header"
        },
        {
            """
            state,action,prob,next_state,reward,terminated
            0,0,1.0,0,0,0
            0,1,x,0,0,0

            """,
            "line 3: prob 'x' is not a number"
        },
        {
            """
            state,action,prob,next_state,reward,terminated
            0,0,1.0,0,0,0
            0,1,1.0,0,0,2

            """,
            "line 3: terminated must be 0 or 1"
        },
        {
            """
            state,action,prob,next_state,reward,terminated
            0,0,1.0,0,0,0
            0,1,1.0,0,0

            """,
            "line 3: expected 6 fields"
        },
        {
            """
            state,action,prob,next_state,reward,terminated
            0,0,1.0,0,0,0
            0,2,1.0,0,0,0

            """,
            "data row 2: action 2 is out of range"
        },
    };

    [Theory]
    [MemberData(nameof(MalformedCsvs))]
    public void MalformedCsvIsAClearError(string text, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => TabularMdp.ReadCsv(new StringReader(text), 1, 2, [1.0]));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(0.33333333333333337, "0.33333333333333337")]
    [InlineData(1e-5, "1e-05")]
    [InlineData(-0.0001, "-0.0001")]
    [InlineData(123.0, "123.0")]
    public void PythonReprMatchesPython(double x, string expected) => Assert.Equal(expected, TabularMdp.PythonRepr(x));
}
