using System.Text.Json;
using RlKernels.Cli;
using RlKernels.Cli.Commands;
using RlKernels.Kernels.Gpu;

namespace RlKernels.Tests.Cli;

public class MlpBenchCommandTests
{
    /// <summary>A small net and batches that finish in well under a second.</summary>
    private static MlpBenchSettings Tiny() => new()
    {
        Sizes = [3, 20, 2],
        Shapes = [(1, 8), (3, 5)],
        Backends = ["cpu", "cpu-scalar"],
        Seconds = 0.005,
        Repeats = 1,
        WarmupSeconds = 0.001,
        PeakSeconds = 0.002,
        Json = true,
    };

    [Fact]
    public void JsonRowsHaveTheRequiredFields()
    {
        var rows = CliRun.JsonRows(CliRun.Bench(Tiny()));
        Assert.Equal(4, rows.Count);
        foreach (var row in rows)
        {
            Assert.Contains(row.GetProperty("backend").GetString(), new[] { "cpu", "cpu-scalar" });
            int p = row.GetProperty("population").GetInt32(), b = row.GetProperty("batch").GetInt32();
            Assert.Contains((p, b), new[] { (1, 8), (3, 5) });
            Assert.Equal("3-20-2", row.GetProperty("sizes").GetString());
            Assert.Equal("tanh", row.GetProperty("activation").GetString());
            double samples = row.GetProperty("samples_per_second").GetDouble();
            Assert.True(samples > 0);
            // 6·(3·20 + 20·2) counted flops per sample.
            Assert.Equal(600, row.GetProperty("flops_per_sample").GetInt64());
            Assert.Equal(samples * 600 / 1e9, row.GetProperty("gflops").GetDouble(), 1e-9);
            double peak = row.GetProperty("peak_gflops").GetDouble();
            Assert.True(peak > 0);
            Assert.Equal(row.GetProperty("gflops").GetDouble() / peak, row.GetProperty("peak_fraction").GetDouble(), 1e-9);
            Assert.True(row.GetProperty("speedup_vs_cpu_scalar").GetDouble() > 0);
            Assert.True(row.GetProperty("seconds_per_step").GetDouble() > 0);
        }
        Assert.All(rows.Where(r => r.GetProperty("backend").GetString() == "cpu-scalar"), r =>
        {
            Assert.Equal(1, r.GetProperty("threads").GetInt32());
            Assert.Equal(1.0, r.GetProperty("speedup_vs_cpu_scalar").GetDouble());
        });
    }

    [Fact]
    public void TableNamesTheCountedFlopsAndThePeak()
    {
        var (code, output, error) = CliRun.Bench(Tiny() with { Json = false, Shapes = [(2, 4)] });
        Assert.True(code == 0, error);
        Assert.Contains("FMA peak", output);
        Assert.Contains("6·Σ in·out = 600", output);
        Assert.Contains("cpu-scalar", output);
    }

    [Fact]
    public void ReluHiddenLayersAreMeasuredAndNamed()
    {
        var rows = CliRun.JsonRows(CliRun.Bench(Tiny() with { Activation = RlKernels.Kernels.Nn.Activation.Relu }));
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.Equal("relu", r.GetProperty("activation").GetString());
            Assert.True(r.GetProperty("samples_per_second").GetDouble() > 0);
            // The counted flops do not depend on the activation (activations are not counted).
            Assert.Equal(600, r.GetProperty("flops_per_sample").GetInt64());
        });
        var (code, output, error) = CliRun.Bench(Tiny() with { Activation = RlKernels.Kernels.Nn.Activation.Relu, Json = false, Shapes = [(1, 4)] });
        Assert.True(code == 0, error);
        Assert.Contains("relu hidden layers", output);
    }

    [Theory]
    [InlineData("tanh", RlKernels.Kernels.Nn.Activation.Tanh)]
    [InlineData("ReLU", RlKernels.Kernels.Nn.Activation.Relu)]
    [InlineData(" relu ", RlKernels.Kernels.Nn.Activation.Relu)]
    public void ActivationNamesParse(string text, RlKernels.Kernels.Nn.Activation expected) =>
        Assert.Equal(expected, MlpBenchCommand.ParseActivation(text));

    [Theory]
    [InlineData("")]
    [InlineData("sigmoid")]
    [InlineData("identity")]
    public void UnknownActivationIsRefused(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => MlpBenchCommand.ParseActivation(text));
        Assert.Contains("--activation takes tanh or relu", e.Message);
        Assert.Equal(ExitCodes.BadInput, Program.Main(["bench", "mlp", "--activation", text, "--batch", "8"]));
    }

    [Fact]
    public void FlopCountIsSixTimesTheMultiplyAdds() =>
        Assert.Equal(26_880, MlpBenchCommand.FlopsPerSample([4, 64, 64, 2]));

    [Fact]
    public void ShapeAndSizeStringsParse()
    {
        Assert.Equal((64, 256), MlpBenchCommand.ParseShape("64x256"));
        Assert.Equal([4, 64, 64, 2], MlpBenchCommand.ParseSizes("4,64,64,2"));
        Assert.Throws<ArgumentException>(() => MlpBenchCommand.ParseShape("64"));
        Assert.Throws<ArgumentException>(() => MlpBenchCommand.ParseShape("ax2"));
        Assert.Throws<ArgumentException>(() => MlpBenchCommand.ParseSizes("4,,2"));
    }

    [Fact]
    public void BadInput_IsExit2WithAMessageAndNoOutput()
    {
        foreach (var settings in new[]
        {
            Tiny() with { Backends = ["tpu"] },
            Tiny() with { Shapes = [(0, 8)] },
            Tiny() with { Shapes = [(1, -1)] },
            Tiny() with { Shapes = [] },
            Tiny() with { Sizes = [4] },
            Tiny() with { Sizes = [4, 0, 2] },
            Tiny() with { Seconds = 0 },
            Tiny() with { Seconds = double.NaN },
            Tiny() with { Repeats = 0 },
            Tiny() with { Shapes = [(1 << 20, 1 << 20)] },
        })
        {
            var (code, output, error) = CliRun.Bench(settings);
            Assert.Equal(ExitCodes.BadInput, code);
            Assert.StartsWith("rlk bench mlp: ", error);
            Assert.Empty(output);
        }
    }

    [Fact]
    public void GpuWithoutCuda_IsExit2()
    {
        if (GpuDevice.CudaAvailable()) return;
        var (code, output, error) = CliRun.Bench(Tiny() with { Backends = ["gpu"] });
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("rlk bench mlp:", error);
        Assert.Empty(output);
    }

    [Fact]
    public void CommandLineBadShape_IsExit2() =>
        // The message goes to the process's stderr; redirecting Console.Error here would race other tests.
        Assert.Equal(ExitCodes.BadInput, Program.Main(["bench", "mlp", "--population", "64by256"]));
}
