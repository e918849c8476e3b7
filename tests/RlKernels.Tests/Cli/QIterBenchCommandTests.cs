using System.Text.Json;
using RlKernels.Cli;
using RlKernels.Cli.Commands;
using RlKernels.Kernels.Hardware;
using RlKernels.Kernels.Gpu;

namespace RlKernels.Tests.Cli;

public class QIterBenchCommandTests
{
    /// <summary>Sizes that finish in well under a second.</summary>
    private static QIterBenchSettings Tiny() => new()
    {
        States = [100, 37],
        Backends = ["cpu", "cpu-scalar"],
        Seconds = 0.01,
        Repeats = 1,
        BandwidthBytes = 8 << 20,
        FrozenLakeInstances = 8,
        Json = true,
    };

    [Fact]
    public void JsonRowsHaveTheRequiredFields()
    {
        var rows = CliRun.JsonRows(CliRun.Bench(Tiny()));
        var sweeps = rows.Where(r => r.GetProperty("kind").GetString() == "sweep").ToList();
        Assert.Equal(4, sweeps.Count);
        foreach (var row in sweeps)
        {
            Assert.Contains(row.GetProperty("backend").GetString(), new[] { "cpu", "cpu-scalar" });
            Assert.Contains(row.GetProperty("states").GetInt32(), new[] { 100, 37 });
            Assert.Equal(4, row.GetProperty("actions").GetInt32());
            Assert.Equal(8, row.GetProperty("outcomes").GetInt32());
            Assert.True(row.GetProperty("transitions_per_second").GetDouble() > 0);
            Assert.True(row.GetProperty("gb_per_second").GetDouble() > 0);
            Assert.True(row.GetProperty("bandwidth_gb_per_second").GetDouble() > 0);
            Assert.True(row.GetProperty("bytes_per_sweep").GetInt64() > 0);
            Assert.True(row.GetProperty("speedup_vs_cpu_scalar").GetDouble() > 0);
        }
        var frozen = Assert.Single(rows, r => r.GetProperty("kind").GetString() == "batched_frozenlake");
        Assert.Equal(8, frozen.GetProperty("instances").GetInt32());
        Assert.True(frozen.GetProperty("batched_seconds").GetDouble() > 0);
        Assert.True(frozen.GetProperty("one_by_one_seconds").GetDouble() > 0);
        Assert.True(frozen.GetProperty("speedup_batched").GetDouble() > 0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void NonPositiveStateCount_IsBadInput(int states)
    {
        var (code, output, error) = CliRun.Bench(Tiny() with { States = [states] });
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--states", error);
        Assert.Empty(output);
    }

    [Fact]
    public void OtherBadInput_IsBadInput()
    {
        Assert.Equal(ExitCodes.BadInput, CliRun.Bench(Tiny() with { Backends = ["tpu"] }).Code);
        Assert.Equal(ExitCodes.BadInput, CliRun.Bench(Tiny() with { Actions = 0 }).Code);
        Assert.Equal(ExitCodes.BadInput, CliRun.Bench(Tiny() with { Outcomes = 0 }).Code);
        Assert.Equal(ExitCodes.BadInput, CliRun.Bench(Tiny() with { Gamma = 1.5 }).Code);
        Assert.Equal(ExitCodes.BadInput, CliRun.Bench(Tiny() with { Repeats = 0 }).Code);
        Assert.Equal(ExitCodes.BadInput, CliRun.Bench(Tiny() with { FrozenLakeInstances = -1 }).Code);
        Assert.Equal(ExitCodes.BadInput, CliRun.Bench(Tiny() with { States = [1_000_000_000] }).Code);
    }

    [Fact]
    public void GpuWithoutCuda_IsBadInputWithAClearMessage()
    {
        if (GpuDevice.CudaAvailable()) return;  // only meaningful on a machine without a GPU
        var (code, _, error) = CliRun.Bench(Tiny() with { Backends = ["gpu"] });
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("no CUDA GPU", error);
    }

    [Fact]
    public void CliRoutesBenchQiter()
    {
        // `rlk bench qiter` parses as the subcommand; bad input exits 2 before measuring anything.
        Assert.Equal(ExitCodes.BadInput, Program.Main(["bench", "qiter", "--states", "0", "--json"]));
    }

    [Fact]
    public void BandwidthProbe_IsPositive()
    {
        Assert.True(MemoryBandwidth.MeasureReadGBps(8 << 20, passes: 2) > 0);
        Assert.Throws<ArgumentException>(() => MemoryBandwidth.MeasureReadGBps(1024));
    }
}
