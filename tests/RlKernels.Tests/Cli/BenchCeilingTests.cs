using RlKernels.Cli;
using RlKernels.Cli.Commands;
using RlKernels.Kernels.Hardware;
using RlKernels.Kernels.Lanes;
using Xunit;

namespace RlKernels.Tests.Cli;

/// <summary>
/// The ceilings of <c>rlk bench</c> (CartPole SoA loop, memory copy) and the Gymnasium peer row: the loop's
/// arithmetic against a float64 reference, the peer's output parsing (no Gymnasium here: a fake interpreter),
/// and the rows and percentages of a run. No wall-clock bounds: rates are only checked for being positive.
/// </summary>
public class BenchCeilingTests(ITestOutputHelper output)
{
    private static BenchSettings Tiny(bool ceilings, bool peers = false, string python = "python3") =>
        BenchCommandTests.Tiny("CartPole-v1") with { EnvCounts = [33], Ceilings = ceilings, BandwidthBytes = 2 << 20, Peers = peers, PythonCommand = python };

    /// <summary>The ceiling loop's action rule: push right where 0.1·x + 0.2·ẋ + θ + 0.5·θ̇ &gt; 0.</summary>
    private static double Drive(double[] s) => 0.1 * s[0] + 0.2 * s[1] + s[2] + 0.5 * s[3];

    /// <summary>Gymnasium's CartPole step in float64, with the ceiling loop's action rule.</summary>
    private static void ReferenceStep(double[] s)
    {
        const double g = 9.8, mc = 1.0, mp = 0.1, l = 0.5, fm = 10.0, tau = 0.02;
        double force = Drive(s) > 0 ? fm : -fm;
        double cos = Math.Cos(s[2]), sin = Math.Sin(s[2]);
        double temp = (force + mp * l * s[3] * s[3] * sin) / (mc + mp);
        double thetaAcc = (g * sin - cos * temp) / (l * (4.0 / 3.0 - mp * cos * cos / (mc + mp)));
        double xAcc = temp - mp * l * thetaAcc * cos / (mc + mp);
        s[0] += tau * s[1];
        s[1] += tau * xAcc;
        s[2] += tau * s[3];
        s[3] += tau * thetaAcc;
    }

    private void CeilingLoopMatchesTheReference<T>() where T : struct, ILane<T>
    {
        int seed = Random.Shared.Next();
        output.WriteLine($"seed {seed}, lanes {T.Count}");
        var random = new Random(seed);
        const int envs = 37, steps = 25;
        var job = new CartPoleCeiling.Job<T>(envs);
        var start = new double[job.VecCount * T.Count, 4];
        var columns = new[] { job.X, job.XDot, job.Theta, job.ThetaDot };
        var values = new float[T.Count];
        for (int f = 0; f < 4; f++)
            for (int v = 0; v < job.VecCount; v++)
            {
                // Start states of a reset, and thetaDot away from 0 so the action is not a coin flip on rounding.
                for (int j = 0; j < T.Count; j++)
                    values[j] = f == 3 ? (float)((random.NextDouble() < 0.5 ? -1 : 1) * (0.5 + random.NextDouble()))
                        : (float)(random.NextDouble() * 0.1 - 0.05);
                columns[f][v] = T.Load(values, 0, T.Count);
                for (int j = 0; j < T.Count; j++) start[v * T.Count + j, f] = values[j];
            }
        job.StepRange(0, job.VecCount, steps);
        for (int e = 0; e < envs; e++)
        {
            double[] s = [start[e, 0], start[e, 1], start[e, 2], start[e, 3]];
            // Same actions in both: skip envs whose drive passes near 0 (float vs double could pick different sides).
            bool ambiguous = false;
            for (int k = 0; k < steps; k++)
            {
                ambiguous |= Math.Abs(Drive(s)) < 1e-3;
                ReferenceStep(s);
            }
            if (ambiguous) continue;
            for (int f = 0; f < 4; f++)
            {
                double got = T.Element(columns[f][e / T.Count], e % T.Count);
                Assert.True(Math.Abs(got - s[f]) <= 1e-4 * (1 + Math.Abs(s[f])), $"env {e} field {f}: {got} vs reference {s[f]} (seed {seed})");
            }
        }
    }

    [Fact]
    public void CeilingLoopMatchesTheFloat64ReferenceOnEveryLane()
    {
        CeilingLoopMatchesTheReference<F1>();
        foreach (int width in new[] { 4, 8, 16 }.Where(LaneSelection.IsAccelerated))
        {
            if (width == 4) CeilingLoopMatchesTheReference<F4>();
            if (width == 8) CeilingLoopMatchesTheReference<F8>();
            if (width == 16) CeilingLoopMatchesTheReference<F16>();
        }
    }

    /// <summary>
    /// The loop runs for millions of steps without resets, so its states must stay where CartPole's do (|θ| within
    /// the 12° limit, |x| within 2.4): a pole left to spin makes θ grow into the thousands, and the lane trig's
    /// large-argument path then swings the measured rate by 20×.
    /// </summary>
    [Fact]
    public void CeilingLoopKeepsEveryLaneInsideCartPolesLimits()
    {
        var job = new CartPoleCeiling.Job<F1>(64);
        job.StepRange(0, job.VecCount, 50_000);
        for (int v = 0; v < job.VecCount; v++)
        {
            double x = F1.Element(job.X[v], 0), theta = F1.Element(job.Theta[v], 0);
            Assert.True(Math.Abs(theta) < 0.2 && Math.Abs(x) < 2.4, $"env {v}: x {x}, θ {theta} after 50,000 steps");
            Assert.Equal(0.0, F1.Element(job.Terminations[v], 0));
        }
    }

    [Fact]
    public void CeilingAndCopyProbesReturnPositiveRates()
    {
        var rate = CartPoleCeiling.MeasureStepsPerSecond(100, seconds: 0.005, repeats: 3);
        Assert.True(rate.Median > 0 && rate.Min <= rate.Median && rate.Median <= rate.Max);
        Assert.Equal(LaneSelection.BestWidth, rate.Lanes);
        Assert.Equal(1, rate.Threads); // 100 envs: far below 64 lane values per thread
        Assert.True(MemoryBandwidth.MeasureCopyGBps(2 << 20, passes: 1) > 0);
        Assert.Throws<ArgumentException>(() => CartPoleCeiling.MeasureStepsPerSecond(0));
        Assert.Throws<ArgumentException>(() => CartPoleCeiling.MeasureStepsPerSecond(10, width: 3));
    }

    [Fact]
    public void ARunHasCeilingRowsAndEveryRowItsPercentage()
    {
        var settings = Tiny(ceilings: true) with { Envs = ["CartPole-v1", "MountainCar-v0"] };
        var rows = CliRun.JsonRows(CliRun.Bench(settings));
        var envRows = rows.Where(r => r.GetProperty("kind").GetString() == BenchKinds.Env).ToList();
        var ceilings = rows.Where(r => r.GetProperty("kind").GetString() == BenchKinds.Ceiling).ToList();
        Assert.Equal(4, envRows.Count);
        Assert.Equal(BenchKinds.Env, rows[0].GetProperty("kind").GetString()); // env rows first: scripts read rows[0]
        Assert.Equal(["CartPole-v1", "CartPole-v1", "MountainCar-v0", "MountainCar-v0"], envRows.Select(r => r.GetProperty("env").GetString()));
        Assert.Equal(new[] { BenchKinds.CartPoleCeiling, BenchKinds.MemoryRead, BenchKinds.MemoryCopy, BenchKinds.FmaPeak },
            ceilings.Select(r => r.GetProperty("env").GetString()));
        foreach (var c in ceilings) Assert.True(c.GetProperty("value").GetDouble() > 0);
        Assert.Equal(33, ceilings[0].GetProperty("envs").GetInt32());
        // The ceiling loop was timed in rounds with each env's rows: its row holds every one of those repeats, and
        // each env's rows are a percentage of the median of the repeats timed with them.
        Assert.Equal(2 * settings.Repeats, ceilings[0].GetProperty("repeats").GetInt32());
        double min = ceilings[0].GetProperty("min").GetDouble(), max = ceilings[0].GetProperty("max").GetDouble();
        foreach (var row in envRows)
        {
            double rate = row.GetProperty("steps_per_second").GetDouble();
            double ceiling = row.GetProperty("ceiling_steps_per_second").GetDouble();
            Assert.True(row.GetProperty("steps_per_cpu_second").GetDouble() > 0);
            Assert.InRange(ceiling, min, max);
            Assert.Equal(100 * rate / ceiling, row.GetProperty("percent_of_ceiling").GetDouble(), 9);
        }
        foreach (string id in settings.Envs)
        {
            var pair = envRows.Where(r => r.GetProperty("env").GetString() == id).ToList();
            Assert.Equal(pair[0].GetProperty("ceiling_steps_per_second").GetDouble(), pair[1].GetProperty("ceiling_steps_per_second").GetDouble());
        }
    }

    [Fact]
    public void WithoutCeilingsThereAreNoCeilingRowsOrPercentages()
    {
        var rows = CliRun.JsonRows(CliRun.Bench(Tiny(ceilings: false)));
        Assert.All(rows, r => Assert.Equal(BenchKinds.Env, r.GetProperty("kind").GetString()));
        Assert.All(rows, r => Assert.Equal(System.Text.Json.JsonValueKind.Null, r.GetProperty("percent_of_ceiling").ValueKind));
        var (code, text, _) = CliRun.Bench(Tiny(ceilings: false) with { Json = false });
        Assert.Equal(0, code);
        Assert.DoesNotContain("ceilings, measured in this run", text);
    }

    [Fact]
    public void PeerOutputIsParsed()
    {
        var ok = GymnasiumPeer.Parse("warming up\n{\"available\": true, \"rates\": [3.0e6, 1.0e6, 2.0e6], \"versions\": \"gymnasium 1.1.1, numpy 2.2.0\"}\n", 0, "");
        Assert.True(ok.Available);
        Assert.Equal(2.0e6, ok.Median);
        Assert.Equal(1.0e6, ok.Min);
        Assert.Equal(3.0e6, ok.Max);
        Assert.Equal(3, ok.Repeats);
        Assert.Equal("gymnasium 1.1.1, numpy 2.2.0", ok.Note);

        var even = GymnasiumPeer.Parse("{\"available\": true, \"rates\": [4, 1, 2, 3]}", 0, "");
        Assert.Equal(2.5, even.Median);

        var missing = GymnasiumPeer.Parse("{\"available\": false, \"reason\": \"ModuleNotFoundError: No module named 'gymnasium'\"}", 0, "");
        Assert.False(missing.Available);
        Assert.True(double.IsNaN(missing.Median));
        Assert.Contains("gymnasium", missing.Note);

        Assert.Contains("unexpected output", GymnasiumPeer.Parse("not json", 0, "").Note);
        Assert.Contains("unexpected", GymnasiumPeer.Parse("{\"available\": true, \"rates\": []}", 0, "").Note);
        Assert.Contains("unexpected", GymnasiumPeer.Parse("{\"available\": true, \"rates\": [-1]}", 0, "").Note);
        Assert.Contains("unexpected output", GymnasiumPeer.Parse("{\"available\": true}", 0, "").Note);
        var crashed = GymnasiumPeer.Parse("", 1, "Traceback...\nMemoryError\n");
        Assert.False(crashed.Available);
        Assert.Contains("code 1: MemoryError", crashed.Note);
    }

    /// <summary>Runs <paramref name="body"/> with a fake interpreter: a shell script that prints <paramref name="line"/> whatever its arguments.</summary>
    private static void WithFakePython(string line, Action<string> body)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "The fake interpreter is a shell script.");
        string dir = Directory.CreateTempSubdirectory("rlk-fake-python-").FullName;
        try
        {
            string path = Path.Combine(dir, "python3");
            File.WriteAllText(path, $"#!/bin/sh\ncat <<'EOF'\n{line}\nEOF\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            body(path);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void PeerRowsComeFromTheSubprocessAndRelateToTheCpuRow()
    {
        WithFakePython("{\"available\": true, \"rates\": [1000, 1000, 1000], \"versions\": \"fake\"}", python =>
        {
            var rows = CliRun.JsonRows(CliRun.Bench(Tiny(ceilings: false, peers: true, python: python)));
            var peer = Assert.Single(rows, r => r.GetProperty("kind").GetString() == BenchKinds.Peer);
            Assert.Equal(BenchKinds.Gymnasium, peer.GetProperty("backend").GetString());
            Assert.Equal(1000, peer.GetProperty("steps_per_second").GetDouble());
            Assert.Equal("fake", peer.GetProperty("note").GetString());
            var cpu = rows.Single(r => r.GetProperty("backend").GetString() == "cpu");
            Assert.Equal(cpu.GetProperty("steps_per_second").GetDouble() / 1000, cpu.GetProperty("speedup_vs_peer").GetDouble(), 9);
        });
    }

    [Fact]
    public void AMissingPeerIsANotAvailableRowNotAFailure()
    {
        WithFakePython("{\"available\": false, \"reason\": \"ModuleNotFoundError: No module named 'numpy'\"}", python =>
        {
            var rows = CliRun.JsonRows(CliRun.Bench(Tiny(ceilings: false, peers: true, python: python)));
            var peer = Assert.Single(rows, r => r.GetProperty("kind").GetString() == BenchKinds.Peer);
            Assert.Equal(System.Text.Json.JsonValueKind.Null, peer.GetProperty("steps_per_second").ValueKind);
            Assert.StartsWith("not available: ModuleNotFoundError", peer.GetProperty("note").GetString());
            var cpu = rows.Single(r => r.GetProperty("backend").GetString() == "cpu");
            Assert.Equal(System.Text.Json.JsonValueKind.Null, cpu.GetProperty("speedup_vs_peer").ValueKind);

            var (code, text, _) = CliRun.Bench(Tiny(ceilings: false, peers: true, python: python) with { Json = false });
            Assert.Equal(0, code);
            Assert.Contains("not available", text);
            Assert.Contains("No module named 'numpy'", text);
        });
        var noInterpreter = GymnasiumPeer.Measure("/nonexistent/python3", 16, 0.01, 1);
        Assert.False(noInterpreter.Available);
        Assert.Contains("cannot start /nonexistent/python3", noInterpreter.Note);
    }

    [Theory]
    [InlineData("bench --peers --env Pendulum-v1", "rlk bench: --peers measures Gymnasium's CartPoleVectorEnv: add --env CartPole-v1")]
    [InlineData("bench --peers=maybe --env CartPole-v1", "maybe")]
    [InlineData("bench --no-ceilings=maybe --env CartPole-v1", "maybe")]
    [InlineData("bench --python /usr/bin/python3 --env CartPole-v1", "rlk bench: --python names the interpreter of --peers: add --peers")]
    [InlineData("bench --peers --env CartPole-v1 --python", "--python")]
    public void BadPeerAndCeilingFlagsAreBadInput(string args, string expected)
    {
        string line = CliRun.AssertBadInputLine(CliRun.InProcess(args.Split(' ')), "rlk");
        Assert.Contains(expected, line);
    }

    [Fact]
    public void AnEmptyInterpreterIsBadInput()
    {
        string line = CliRun.AssertBadInputLine(CliRun.Bench(Tiny(ceilings: false, peers: true, python: " ")), "rlk bench: ");
        Assert.Contains("--python must name an interpreter", line);
    }

    [Fact]
    public void PythonOptionReachesThePeer()
    {
        WithFakePython("{\"available\": true, \"rates\": [2000], \"versions\": \"fake via --python\"}", python =>
        {
            var rows = CliRun.JsonRows(CliRun.InProcess("bench", "--peers", "--python", python, "--env", "CartPole-v1", "--backend", "cpu",
                "--envs", "33", "--no-ceilings", "--seconds", "0.01", "--repeats", "1", "--json"));
            var peer = Assert.Single(rows, r => r.GetProperty("kind").GetString() == BenchKinds.Peer);
            Assert.Equal(2000, peer.GetProperty("steps_per_second").GetDouble());
            Assert.Equal("fake via --python", peer.GetProperty("note").GetString());
        });
    }

    [Fact]
    public void ADeviceBackendAddsItsOwnCeilingsAndIsNotAPercentageOfTheHostLoop()
    {
        var (code, output, error) = CliRun.Bench(Tiny(ceilings: true) with { Backends = ["cpu", "gpu-cpu"], Json = true });
        Assert.True(code == ExitCodes.Ok, error);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        var rows = json.RootElement.EnumerateArray().ToList();
        string Text(System.Text.Json.JsonElement r, string name) => r.GetProperty(name).GetString()!;
        foreach (string name in new[] { BenchKinds.DeviceCopy, BenchKinds.DeviceFmaPeak })
        {
            var row = Assert.Single(rows, r => Text(r, "kind") == BenchKinds.Ceiling && Text(r, "env") == name);
            Assert.Equal("gpu-cpu", Text(row, "backend"));
            Assert.True(row.GetProperty("value").GetDouble() > 0, $"{name} {row.GetProperty("value")}");
        }
        var cpu = Assert.Single(rows, r => Text(r, "kind") == BenchKinds.Env && Text(r, "backend") == "cpu");
        var device = Assert.Single(rows, r => Text(r, "kind") == BenchKinds.Env && Text(r, "backend") == "gpu-cpu");
        Assert.Equal(System.Text.Json.JsonValueKind.Number, cpu.GetProperty("percent_of_ceiling").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, device.GetProperty("percent_of_ceiling").ValueKind);
        // A host-only run measures no device.
        var (_, hostOnly, _) = CliRun.Bench(Tiny(ceilings: true) with { Json = true });
        Assert.DoesNotContain(BenchKinds.DeviceCopy, hostOnly);
    }
}
