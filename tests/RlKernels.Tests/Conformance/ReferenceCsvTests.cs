using RlKernels.Envs.Conformance;

namespace RlKernels.Tests.Conformance;

public class ReferenceCsvTests
{
    private static ReferenceCsv Parse(string text) => ReferenceCsv.Parse(new StringReader(text), "test.csv");

    [Fact]
    public void ParsesHeaderAndRoundTripsNumbers()
    {
        var csv = Parse("t,reward,x\n0,1.0,0.1\n1,-1.0,-0.013696168732145436\n");
        Assert.Equal(["t", "reward", "x"], csv.Columns);
        Assert.Equal(2, csv.RowCount);
        Assert.Equal(0.1, csv[0, csv.GetColumn("x")]);
        Assert.Equal(-0.013696168732145436, csv[1, 2]);
        Assert.Equal(3, ReferenceCsv.LineOf(1));
    }

    [Fact]
    public void ParsesPythonNonFiniteSpellings()
    {
        var csv = Parse("a,b,c\ninf,-inf,nan\n");
        Assert.Equal(double.PositiveInfinity, csv[0, 0]);
        Assert.Equal(double.NegativeInfinity, csv[0, 1]);
        Assert.True(double.IsNaN(csv[0, 2]));
    }

    [Fact]
    public void RealReferenceFileParses()
    {
        var csv = ReferenceCsv.Load(ReferenceFiles.Get("CartPole-v1.csv"));
        Assert.Equal(2000, csv.RowCount);
        Assert.Equal(23, csv.Columns.Count);
        Assert.Equal(0.013696168732145436, csv[0, csv.GetColumn("state_x")]);
    }

    [Theory]
    [InlineData("a,b,c\n1,x,3\n", 2, "b", "'x' is not a number")]
    [InlineData("a,b,c\n1,2,3\n1,,3\n", 3, "b", "empty field")]
    [InlineData("a,b,c\n1,2\n", 2, "c", "only 2 of the header's 3 fields")]
    [InlineData("a,b,c\n1,2,3,4\n", 2, null, "more than the header's 3 fields")]
    [InlineData("a,b,a\n1,2,3\n", 1, "a", "appears twice")]
    [InlineData("a,,c\n1,2,3\n", 1, null, "header field 2 is empty")]
    [InlineData("", 1, null, "empty")]
    [InlineData("a\n1\n\n2\n", 3, null, "blank line")]
    public void MalformedFilesNameFileLineAndColumn(string text, int line, string? column, string problem)
    {
        var e = Assert.Throws<ReferenceCsvException>(() => Parse(text));
        Assert.Equal("test.csv", e.File);
        Assert.Equal(line, e.Line);
        Assert.Equal(column, e.Column);
        Assert.Contains(problem, e.Message);
        Assert.StartsWith($"test.csv:{line}", e.Message);
    }

    [Fact]
    public void MissingColumnListsTheHeader()
    {
        var e = Assert.Throws<ReferenceCsvException>(() => Parse("a,b\n1,2\n").GetColumn("state_x"));
        Assert.Equal("state_x", e.Column);
        Assert.Contains("a, b", e.Message);
    }

    [Theory]
    [InlineData("CartPole-v1.csv", "CartPole-v1")]
    [InlineData("/some/dir/CartPole-v1.heuristic.csv", "CartPole-v1")]
    [InlineData("MountainCarContinuous-v0.csv", "MountainCarContinuous-v0")]
    public void EnvIdComesFromTheFileName(string path, string id) =>
        Assert.Equal(id, ReferenceCsv.EnvIdFromFileName(path));
}
