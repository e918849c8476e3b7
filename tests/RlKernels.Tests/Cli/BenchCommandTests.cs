using System.Text.Json;
using RlKernels.Cli;
using RlKernels.Cli.Commands;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Gpu;

namespace RlKernels.Tests.Cli;

public class BenchCommandTests
{
    /// <summary>Settings that finish in well under a second per cell; no ceilings (BenchCeilingTests has them).</summary>
    internal static BenchSettings Tiny(params string[] envs) => new()
    {
        Envs = envs,
        Backends = ["cpu", "cpu-scalar"],
        EnvCounts = [17],
        Seconds = 0.02,
        Repeats = 1,
        WarmupSeconds = 0.02,
        Json = true,
        Ceilings = false,
    };

    [Fact]
    public void JsonRowsHaveTheRequiredFields()
    {
        var rows = CliRun.JsonRows(CliRun.Bench(Tiny("CartPole-v1")));
        Assert.Equal(2, rows.Count);
        foreach (var row in rows)
        {
            Assert.Equal("CartPole-v1", row.GetProperty("env").GetString());
            Assert.Equal(17, row.GetProperty("envs").GetInt32());
            Assert.True(row.GetProperty("steps_per_second").GetDouble() > 0);
            Assert.True(row.GetProperty("bytes_per_env").GetInt64() > 0);
            Assert.True(row.GetProperty("lanes").GetInt32() >= 1);
            Assert.True(row.GetProperty("threads").GetInt32() >= 1);
            Assert.Equal(1, row.GetProperty("repeats").GetInt32());
            Assert.True(row.GetProperty("min").GetDouble() <= row.GetProperty("max").GetDouble());
        }
        Assert.Equal(["cpu", "cpu-scalar"], rows.Select(r => r.GetProperty("backend").GetString()!).Order().ToArray());
        var scalar = rows.Single(r => r.GetProperty("backend").GetString() == "cpu-scalar");
        Assert.Equal(1, scalar.GetProperty("lanes").GetInt32());
        Assert.Equal(1.0, scalar.GetProperty("speedup_vs_cpu_scalar").GetDouble());
    }

    [Fact]
    public void CallerActionsAddsAStepActionsRowBesideEachRandomRow()
    {
        // CartPole takes int actions, Pendulum float ones: both Step overloads are timed.
        var (code, output, error) = CliRun.InProcess("bench", "--env", "CartPole-v1", "--env", "Pendulum-v1", "--backend", "cpu",
            "--backend", "cpu-scalar", "--envs", "17", "--seconds", "0.02", "--repeats", "1", "--caller-actions", "--no-ceilings", "--json");
        var rows = CliRun.JsonRows((code, output, error));
        Assert.Equal(8, rows.Count);
        for (int i = 0; i < rows.Count; i += 2)
        {
            JsonElement random = rows[i], caller = rows[i + 1];
            Assert.Equal("random", random.GetProperty("actions").GetString());
            Assert.Equal("caller", caller.GetProperty("actions").GetString());
            foreach (string key in new[] { "env", "backend" })
                Assert.Equal(random.GetProperty(key).GetString(), caller.GetProperty(key).GetString());
            Assert.Equal(1, caller.GetProperty("steps_per_call").GetInt32());
            double rate = caller.GetProperty("steps_per_second").GetDouble();
            Assert.True(rate > 0);
            Assert.Equal(rate / random.GetProperty("steps_per_second").GetDouble(), caller.GetProperty("vs_step_random").GetDouble(), 9);
            Assert.Equal(JsonValueKind.Null, random.GetProperty("vs_step_random").ValueKind);
        }
        // Speed-ups compare like with like: a caller row against the cpu-scalar caller row.
        Assert.All(rows.Where(r => r.GetProperty("backend").GetString() == "cpu-scalar"),
            r => Assert.Equal(1.0, r.GetProperty("speedup_vs_cpu_scalar").GetDouble()));
    }

    [Fact]
    public void VariantAddsARowPerBackendComparedWithThePlainEnvOfTheSameRounds()
    {
        var rows = CliRun.JsonRows(CliRun.Bench(Tiny("CartPole-v1") with { Variants = ["frame_stack=4"], Repeats = 3 }));
        Assert.Equal(4, rows.Count);
        foreach (string backend in new[] { "cpu", "cpu-scalar" })
        {
            var pair = rows.Where(r => r.GetProperty("backend").GetString() == backend).ToList();
            Assert.Equal(2, pair.Count);
            JsonElement plain = pair[0], stacked = pair[1];
            Assert.False(plain.TryGetProperty("variant", out _));
            Assert.False(plain.TryGetProperty("vs_plain", out _));
            Assert.Equal("frame_stack=4", stacked.GetProperty("variant").GetString());
            Assert.Equal(3, stacked.GetProperty("repeats").GetInt32());
            // Four stacked observations: more bytes per env than the plain env.
            Assert.True(stacked.GetProperty("bytes_per_env").GetInt64() > plain.GetProperty("bytes_per_env").GetInt64());
            double ratio = stacked.GetProperty("vs_plain").GetDouble();
            Assert.True(ratio > 0 && double.IsFinite(ratio));
            // The median of the per-round ratios lies within the extremes' ratios.
            Assert.InRange(ratio, stacked.GetProperty("min").GetDouble() / plain.GetProperty("max").GetDouble() * (1 - 1e-9),
                stacked.GetProperty("max").GetDouble() / plain.GetProperty("min").GetDouble() * (1 + 1e-9));
        }
        // A variant's speed-up is against the cpu-scalar row of the same variant.
        Assert.All(rows.Where(r => r.GetProperty("backend").GetString() == "cpu-scalar"),
            r => Assert.Equal(1.0, r.GetProperty("speedup_vs_cpu_scalar").GetDouble()));
    }

    [Fact]
    public void VariantOptionsLieOverTheEnvArgs()
    {
        var rows = CliRun.JsonRows(CliRun.Bench(Tiny("CartPole-v1") with
        {
            Backends = ["cpu"], EnvArgs = ["frame_stack=2"], Variants = ["frame_stack=4", "frame_stack=3,normalize_obs=true"],
        }));
        Assert.Equal(["(plain)", "frame_stack=4", "frame_stack=3,normalize_obs=true"],
            rows.Select(r => r.TryGetProperty("variant", out var v) ? v.GetString()! : "(plain)").ToArray());
        long[] bytes = rows.Select(r => r.GetProperty("bytes_per_env").GetInt64()).ToArray();
        Assert.True(bytes[1] > bytes[0], "frame_stack=4 over frame_stack=2 holds more history");
        Assert.True(bytes[2] > bytes[0], "frame_stack=3 with running statistics holds more than frame_stack=2");
    }

    [Theory]
    [InlineData("", "--variant")]
    [InlineData("frame_stack", "--variant 'frame_stack'")]
    [InlineData("frame_stack=4,", "--variant 'frame_stack=4,'")]
    [InlineData("=4", "--variant '=4'")]
    [InlineData("frame_stack=0", "--variant 'frame_stack=0'")]
    [InlineData("no_such_key=1", "no_such_key")]
    public void BadVariantIsOneLineExitCode2(string variant, string expected)
    {
        string line = CliRun.AssertBadInputLine(CliRun.Bench(Tiny("CartPole-v1") with { Variants = [variant] }), "rlk bench: ");
        Assert.Contains(expected, line);
    }

    [Fact]
    public void DefaultEnvsAreEveryRegisteredId()
    {
        var (code, output, error) = CliRun.Bench(Tiny() with { Backends = ["cpu-scalar"] });
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        var envs = doc.RootElement.EnumerateArray().Select(r => r.GetProperty("env").GetString()!).ToArray();
        Assert.Equal(EnvRegistry.Ids, envs);
    }

    [Fact]
    public void TableNamesEveryCell()
    {
        var (code, output, error) = CliRun.Bench(Tiny("CartPole-v1") with { Json = false });
        Assert.True(code == 0, error);
        Assert.Contains("CartPole-v1", output);
        Assert.Contains("cpu-scalar", output);
        Assert.Contains("steps/s", output);
    }

    [Fact]
    public void UnknownEnvIsExitCode2AndListsKnownIds()
    {
        var (code, output, error) = CliRun.Bench(Tiny("NoSuchEnv-v0"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", output);
        Assert.Contains("NoSuchEnv-v0", error);
        foreach (string id in EnvRegistry.Ids) Assert.Contains(id, error);
        Assert.DoesNotContain("   at ", error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void NonPositiveEnvCountIsExitCode2(int envCount)
    {
        var (code, output, error) = CliRun.Bench(Tiny("CartPole-v1") with { EnvCounts = [envCount] });
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", output);
        Assert.Contains("--envs", error);
    }

    [Fact]
    public void UnknownBackendIsExitCode2AndListsKnownNames()
    {
        var (code, _, error) = CliRun.Bench(Tiny("CartPole-v1") with { Backends = ["tpu"] });
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("tpu", error);
        Assert.Contains(BackendNames.List, error);
    }

    [Fact]
    public void UnknownEnvArgIsExitCode2()
    {
        var (code, _, error) = CliRun.Bench(Tiny("CartPole-v1") with { EnvArgs = ["no_such_key=1"] });
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("no_such_key", error);
    }

    [Fact]
    public void GpuWithoutGpuIsExitCode2()
    {
        Assert.SkipWhen(GpuDevice.CudaAvailable(), "A CUDA device is present.");
        var (code, output, error) = CliRun.Bench(Tiny("CartPole-v1") with { Backends = ["cpu", "gpu"] });
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", output);
        Assert.Contains("gpu", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Theory]
    [InlineData("cpu", Backend.Cpu)]
    [InlineData("cpu-scalar", Backend.CpuScalar)]
    [InlineData("cpu-double", Backend.CpuDouble)]
    [InlineData("gpu", Backend.Gpu)]
    [InlineData("gpu-cpu", Backend.GpuCpuAccelerator)]
    [InlineData("CPU-Scalar", Backend.CpuScalar)]
    public void BackendNamesRoundTrip(string name, Backend backend)
    {
        Assert.Equal(backend, BackendNames.Parse(name));
        Assert.Equal(name.ToLowerInvariant(), BackendNames.Name(backend));
    }

    [Theory]
    [InlineData(1.234e9, "1.23 G")]
    [InlineData(56.78e6, "56.8 M")]
    [InlineData(999, "999")]
    public void RatesAreFormattedWithSiPrefixes(double rate, string expected) =>
        Assert.Equal(expected, BenchCommand.FormatRate(rate));
}
