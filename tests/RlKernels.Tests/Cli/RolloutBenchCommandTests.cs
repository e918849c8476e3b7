using System.Diagnostics;
using System.Text.Json;
using RlKernels.Cli;
using RlKernels.Kernels.Gpu;

namespace RlKernels.Tests.Cli;

/// <summary>
/// <c>rlk bench rollout</c> on ILGPU's CPU accelerator: it finishes within a bound and reports positive rates for
/// every env count; bad input is refused with one line and exit 2 before anything is measured.
/// </summary>
public class RolloutBenchCommandTests
{
    [Fact]
    public void AFusedRolloutBenchmarkFinishesWithinItsBound()
    {
        var clock = Stopwatch.StartNew();
        var (code, output, error) = CliRun.InProcess("bench", "rollout", "--backend", "gpu-cpu", "--envs", "64", "--envs", "200",
            "--steps", "4", "--hidden", "16,16", "--seconds", "0.05", "--repeats", "2", "--json");
        Assert.True(clock.Elapsed.TotalSeconds < 60, $"bench rollout --backend gpu-cpu took {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(code == ExitCodes.Ok, error);
        using var json = JsonDocument.Parse(output);
        var rows = json.RootElement.EnumerateArray().ToList();
        Assert.Equal([64, 200], rows.Select(r => r.GetProperty("envs").GetInt32()));
        foreach (var row in rows)
        {
            Assert.Equal("CartPole-v1", row.GetProperty("env").GetString());
            Assert.Equal("gpu-cpu", row.GetProperty("backend").GetString());
            Assert.Equal("4-16-16-2", row.GetProperty("sizes").GetString());
            Assert.Equal(4, row.GetProperty("steps").GetInt32());
            double median = row.GetProperty("steps_per_second").GetDouble(), min = row.GetProperty("min").GetDouble(), max = row.GetProperty("max").GetDouble();
            Assert.True(median > 0 && min <= median && median <= max, $"{min} ≤ {median} ≤ {max}");
        }
    }

    [Theory]
    [InlineData("--envs", "0")]
    [InlineData("--steps", "0")]
    [InlineData("--hidden", "16,65")]
    [InlineData("--hidden", "16,x")]
    [InlineData("--env", "NoSuchEnv-v0")]
    [InlineData("--env", "Pendulum-v1")]        // continuous actions
    [InlineData("--backend", "cpu")]            // not a device
    [InlineData("--backend", "tpu")]
    [InlineData("--seconds", "0")]
    [InlineData("--repeats", "0")]
    [InlineData("--envs", "2000000000")]        // envs × steps over a rollout's sample count
    public void BadInputIsRefusedBeforeMeasuring(string option, string value)
    {
        var given = new Dictionary<string, string> { ["--backend"] = "gpu-cpu", ["--envs"] = "64", ["--steps"] = "4", ["--seconds"] = "0.05", ["--repeats"] = "1" };
        given[option] = value;
        string[] args = ["bench", "rollout", .. given.SelectMany(kv => new[] { kv.Key, kv.Value })];
        var (code, output, error) = CliRun.InProcess(args);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", output);
        Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("rlk bench rollout: ", error);
    }

    [Fact]
    public void AnOversizedRolloutIsRefusedBeforeAnythingIsAllocated()
    {
        GpuDevice.t_memoryForTests = 64L << 20;
        try
        {
            var (code, output, error) = CliRun.InProcess("bench", "rollout", "--backend", "gpu-cpu", "--envs", "1000000", "--steps", "64");
            Assert.Equal(ExitCodes.BadInput, code);
            Assert.Equal("", output);
            Assert.Contains("of device memory", error);
        }
        finally
        {
            GpuDevice.t_memoryForTests = null;
        }
    }

    [Fact]
    public void TheGpuBackendWithoutAGpuIsOneLineAndExit2()
    {
        if (GpuDevice.CudaAvailable()) return; // the real device is there: nothing to refuse
        var (code, output, error) = CliRun.InProcess("bench", "rollout", "--envs", "64");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", output);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("no CUDA GPU", error);
    }
}
