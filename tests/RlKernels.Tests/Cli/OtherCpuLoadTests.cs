using RlKernels.Cli.Commands;

namespace RlKernels.Tests.Cli;

/// <summary>The other-process load that <c>rlk bench</c> warns about: /proc/stat parsing, the arithmetic, the warning line.</summary>
public class OtherCpuLoadTests
{
    private static readonly DateTime T0 = new(2026, 12, 7, 12, 0, 0, DateTimeKind.Utc);

    private static string[] Stat(long user, long nice, long system, long idle, long iowait, long irq, long softirq, long steal, int cores)
    {
        var lines = new List<string> { $"cpu  {user} {nice} {system} {idle} {iowait} {irq} {softirq} {steal} 0 0" };
        for (int c = 0; c < cores; c++) lines.Add($"cpu{c} 1 2 3 4 5 6 7 8 0 0");
        lines.Add("intr 12345 0 0");
        lines.Add("ctxt 999");
        return lines.ToArray();
    }

    [Fact]
    public void ParsesTheAggregateLineAndCountsTheCores()
    {
        var t = OtherCpuLoad.Parse(Stat(100, 5, 20, 400, 10, 3, 2, 50, cores: 2), T0);
        Assert.NotNull(t);
        // busy = user + nice + system + irq + softirq; idle and iowait idle; steal left out of both.
        Assert.Equal(100 + 5 + 20 + 3 + 2, t.Value.Busy);
        Assert.Equal(100 + 5 + 20 + 400 + 10 + 3 + 2, t.Value.Total);
        Assert.Equal(2, t.Value.Cores);
        Assert.Equal(T0, t.Value.Stamp);
    }

    [Theory]
    [InlineData("cpu0 1 2 3 4 5")]          // a per-core line first
    [InlineData("cpu  1 2 x 4 5")]          // not a number
    [InlineData("cpu  1 2 -3 4 5")]         // negative
    [InlineData("cpu  1 2 3")]              // too short
    [InlineData("intr 1 2 3 4 5")]
    public void RejectsWhatIsNotTheAggregateLine(string first) =>
        Assert.Null(OtherCpuLoad.Parse([first, "cpu0 1 2 3 4 5"], T0));

    [Fact]
    public void RejectsAnEmptyFile() => Assert.Null(OtherCpuLoad.Parse([], T0));

    [Fact]
    public void OtherCoresAreTheBusyCoresLessThisProcess()
    {
        // 10 s on 2 cores at 100 ticks/s: 2000 ticks, 1500 of them busy (1.5 cores); this process used 10 CPU-seconds (1 core).
        var start = new CpuTimes(Busy: 1000, Total: 5000, Cores: 2, Stamp: T0);
        var end = new CpuTimes(Busy: 2500, Total: 7000, Cores: 2, Stamp: T0.AddSeconds(10));
        Assert.Equal(0.5, OtherCpuLoad.OtherCores(start, end, selfCpuSeconds: 10)!.Value, 6);
        // This process alone kept both cores busy: nothing left for others.
        var full = end with { Busy = 3000 };
        Assert.Equal(0.0, OtherCpuLoad.OtherCores(start, full, selfCpuSeconds: 20)!.Value, 6);
        // Its own CPU time read a little later than /proc/stat: never below zero.
        Assert.Equal(0.0, OtherCpuLoad.OtherCores(start, full, selfCpuSeconds: 21)!.Value);
    }

    [Fact]
    public void NoTimeBetweenTheSnapshotsGivesNoFigure()
    {
        var start = new CpuTimes(1000, 5000, 2, T0);
        Assert.Null(OtherCpuLoad.OtherCores(start, start, 0));
        Assert.Null(OtherCpuLoad.OtherCores(start, start with { Total = 6000 }, 0)); // ticks but no wall time
        Assert.Null(OtherCpuLoad.OtherCores(start, start with { Stamp = T0.AddSeconds(1) }, 0)); // wall time but no ticks
    }

    [Fact]
    public void WarnsOnlyAtAQuarterOfACoreOrMore()
    {
        Assert.Null(OtherCpuLoad.Warning("rlk bench", null));
        Assert.Null(OtherCpuLoad.Warning("rlk bench", 0.24));
        string line = OtherCpuLoad.Warning("rlk bench mlp", 0.9)!;
        Assert.StartsWith("rlk bench mlp: warning: other processes kept 0.9 of ", line);
        Assert.Contains("dotnet run", line);
        Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void ReadsThisMachineWhereProcStatExists()
    {
        var load = OtherCpuLoad.Start();
        if (!File.Exists("/proc/stat"))
        {
            Assert.Null(load);
            return;
        }
        Assert.NotNull(load);
        Thread.Sleep(50);
        double? cores = load.Cores();
        Assert.NotNull(cores);
        Assert.InRange(cores.Value, 0, Environment.ProcessorCount + 1);
        // The instance path writes the warning or nothing, never anything else.
        var error = new StringWriter();
        load.WarnIfShared("rlk bench", error);
        Assert.True(error.ToString() is "" || error.ToString().StartsWith("rlk bench: warning: ", StringComparison.Ordinal), error.ToString());
    }
}
