using RlKernels.Tests.Envs;
using System.Globalization;
using RlKernels.Envs.Conformance;
using RlKernels.Envs.Registry;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Tests.Conformance;

public class ConformanceCheckerTests
{
    [Theory]
    [InlineData("CartPole-v1.csv", 1)]
    [InlineData("CartPole-v1.csv", 4)]
    [InlineData("CartPole-v1.heuristic.csv", 4)]
    [InlineData("CartPole-v1.csv", 8)]
    [InlineData("CartPole-v1.csv", 16)]
    [InlineData("CartPole-v1.heuristic.csv", 8)]
    [InlineData("CartPole-v1.heuristic.csv", 16)]
    public void CartPolePassesInBothPrecisions(string file, int simdWidth)
    {
        Assert.SkipUnless(ConformanceChecker.SimdWidthSupported(simdWidth), $"This CPU has no {simdWidth}-wide lane.");
        var results = ConformanceChecker.CheckFile(ReferenceFiles.Get(file), simdWidth);

        StepperLane?[] expectedLanes = simdWidth switch
        {
            16 => [StepperLane.D1, StepperLane.F1, StepperLane.F16],
            8 => [StepperLane.D1, StepperLane.F1, StepperLane.F8],
            4 => [StepperLane.D1, StepperLane.F1, StepperLane.F4],
            _ => [StepperLane.D1, StepperLane.F1],
        };
        Assert.Equal(expectedLanes, results.Select(r => r.Lane));
        foreach (var r in results)
        {
            Assert.True(r.Status == ConformanceStatus.Pass, $"{r.Lane}: {r.Message}");
            Assert.True(r.Rows >= 1000);
            Assert.Equal(0, r.TerminatedMismatches);
            Assert.Equal(0, r.TruncatedMismatches);
        }
        // The double lane reproduces Gymnasium's float64 arithmetic.
        var reference = results[0];
        Assert.Equal(ConformancePrecision.Reference, reference.Precision);
        Assert.True(reference.MaxObsUlps <= 1);
        Assert.True(reference.MaxStateError <= 1e-9);
    }

    [Fact]
    public void DefaultFastLanesIncludeTheCpuBackendsSimdLane()
    {
        var lanes = ConformanceChecker.CheckFile(ReferenceFiles.Get("CartPole-v1.csv")).Select(r => r.Lane).ToList();
        Assert.Equal(ConformanceChecker.FastLanes(LaneSelection.BestWidth).Count + 1, lanes.Count);
    }

    [Theory]
    [InlineData("MountainCar-v0.csv")]
    [InlineData("Acrobot-v1.heuristic.csv")]
    public void UnregisteredEnvsAreSkippedNotPassed(string file)
    {
        using var temp = new TempDirectory();
        string path = temp.File("Unregistered-v0.csv");
        File.Copy(ReferenceFiles.Get(file), path);
        var results = ConformanceChecker.CheckFile(path);
        Assert.Equal(2, results.Count);
        Assert.All(results, r =>
        {
            Assert.Equal(ConformanceStatus.Skipped, r.Status);
            Assert.Null(r.Lane);
            Assert.False(r.IsFailure);
            Assert.Contains("not implemented", r.Message);
        });
    }

    [Fact]
    public void InRepoDirectoryPassesForEveryClassicControlEnv()
    {
        var report = ConformanceChecker.CheckDirectory(ReferenceFiles.Directory);
        Assert.True(report.Passed, string.Join("\n", report.Results.Where(r => r.IsFailure).Select(r => r.Message)));
        foreach (string id in EnvTestKit.ClassicControlIds)
        {
            Assert.Contains(report.Results, r => r.EnvId == id && r.Precision == ConformancePrecision.Reference && r.Status == ConformanceStatus.Pass);
            Assert.Contains(report.Results, r => r.EnvId == id && r.Precision == ConformancePrecision.Fast && r.Status == ConformanceStatus.Pass);
        }
        Assert.Equal(0, report.SkipCount);
    }

    [Fact]
    public void CorruptedNextObsFailsEveryLane()
    {
        using var temp = new TempDirectory();
        string path = ReferenceFiles.CopyWithEdit("CartPole-v1.csv", temp, row: 100, "next_obs_theta", v => (double)(float)(v * 1.001 + 1e-3));

        var results = ConformanceChecker.CheckFile(path, LaneSelection.BestWidth);
        Assert.Equal(ConformanceChecker.FastLanes(LaneSelection.BestWidth).Count + 1, results.Count);
        Assert.All(results, r =>
        {
            Assert.Equal(ConformanceStatus.Fail, r.Status);
            Assert.Equal(1, r.FailedRows);
            Assert.Contains("line 102", r.Message);
            Assert.Contains("next_obs_theta", r.Message);
        });
    }

    [Fact]
    public void OneUlpInReferenceObsIsTolerated()
    {
        using var temp = new TempDirectory();
        string path = ReferenceFiles.CopyWithEdit("CartPole-v1.csv", temp, row: 7, "next_obs_x", v => MathF.BitIncrement((float)v));
        var reference = ConformanceChecker.CheckFile(path, simdWidth: 1)[0];
        Assert.Equal(ConformanceStatus.Pass, reference.Status);
        Assert.Equal(1, reference.MaxObsUlps);
    }

    [Fact]
    public void FlippedTerminatedFarFromThresholdIsNotExcused()
    {
        using var temp = new TempDirectory();
        string path = ReferenceFiles.CopyWithEdit("CartPole-v1.csv", temp, row: 1, "terminated", _ => 1);

        var results = ConformanceChecker.CheckFile(path, LaneSelection.BestWidth);
        Assert.All(results, r =>
        {
            Assert.Equal(ConformanceStatus.Fail, r.Status);
            Assert.Equal(1, r.TerminatedMismatches);
            Assert.Equal(0, r.TerminatedExcused);
            Assert.Contains("line 3", r.Message);
        });
    }

    [Fact]
    public void WrongTruncatedFails()
    {
        using var temp = new TempDirectory();
        string path = ReferenceFiles.CopyWithEdit("CartPole-v1.csv", temp, row: 5, "truncated", _ => 1);
        Assert.All(ConformanceChecker.CheckFile(path, simdWidth: 1), r =>
        {
            Assert.Equal(ConformanceStatus.Fail, r.Status);
            Assert.Equal(1, r.TruncatedMismatches);
        });
    }

    [Fact]
    public void FloatFlagFlipAtTheThresholdIsExcused()
    {
        // A cart that ends a hair past x = 2.4: float64 terminates, float32 (2.4f > 2.4) may not.
        var d1 = EnvRegistry.Get("CartPole-v1").CreateStepper(StepperLane.D1, EnvArgs.Empty);
        var f1 = EnvRegistry.Get("CartPole-v1").CreateStepper(StepperLane.F1, EnvArgs.Empty);
        double[]? state = null;
        foreach (double delta in new[] { 1e-12, 1e-10, 1e-9, 1e-8, 3e-8, 6e-8, 1e-7 })
        {
            double[] candidate = [2.38 + delta, 1.0, 0.0, 0.0];
            if (Step(d1, candidate).Terminated && !Step(f1, candidate).Terminated) { state = candidate; break; }
        }
        Assert.NotNull(state);

        var expected = Step(d1, state);
        using var temp = new TempDirectory();
        string path = temp.File("CartPole-v1.csv");
        File.WriteAllText(path, SingleRowCsv(state, expected));

        var results = ConformanceChecker.CheckFile(path, simdWidth: 1);
        Assert.Equal(ConformanceStatus.Pass, results[0].Status);
        var fast = results[1];
        Assert.True(fast.Status == ConformanceStatus.Pass, fast.Message);
        Assert.Equal(1, fast.TerminatedExcused);
        Assert.Equal(0, fast.TerminatedMismatches);
    }

    [Fact]
    public void MalformedFileIsAnErrorNamingLineAndColumn()
    {
        using var temp = new TempDirectory();
        string[] lines = File.ReadAllLines(ReferenceFiles.Get("CartPole-v1.csv"));
        string[] fields = lines[10].Split(',');
        fields[7] = "1.2.3"; // state_x
        lines[10] = string.Join(',', fields);
        string path = temp.File("CartPole-v1.csv");
        File.WriteAllLines(path, lines);

        var results = ConformanceChecker.CheckFile(path);
        Assert.Equal(2, results.Count);
        Assert.All(results, r =>
        {
            Assert.Equal(ConformanceStatus.Error, r.Status);
            Assert.True(r.IsFailure);
            Assert.Contains("CartPole-v1.csv:11", r.Message);
            Assert.Contains("state_x", r.Message);
        });
    }

    [Fact]
    public void MissingStateColumnIsAnError()
    {
        using var temp = new TempDirectory();
        string path = temp.File("CartPole-v1.csv");
        File.WriteAllText(path, "t,action,reward,terminated,truncated\n0,0,1.0,0,0\n");
        var r = ConformanceChecker.CheckFile(path)[0];
        Assert.Equal(ConformanceStatus.Error, r.Status);
        Assert.Contains("state_x", r.Message);
    }

    [Theory]
    [InlineData(1.0f, 1.0f, 0)]
    [InlineData(0.0f, -0.0f, 0)]
    [InlineData(float.Epsilon, -float.Epsilon, 2)]
    [InlineData(1.0f, 1.00000012f, 1)]
    [InlineData(float.NaN, 1.0f, long.MaxValue)]
    public void FloatUlpsCountsRepresentableSteps(float a, float b, long ulps) =>
        Assert.Equal(ulps, ConformanceChecker.FloatUlps(a, b));

    private readonly record struct Transition(double[] NextObs, double[] NextState, double Reward, bool Terminated);

    private static Transition Step(IConformanceStepper stepper, double[] state)
    {
        var obs = new double[4];
        var next = new double[4];
        var reward = new double[1];
        var terminated = new bool[1];
        stepper.Step(1, state, [1.0], obs, next, reward, terminated);
        return new Transition(obs, next, reward[0], terminated[0]);
    }

    private static string SingleRowCsv(double[] state, Transition t)
    {
        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        static string F32(double v) => F((float)v);
        var fields = new List<string> { "0", "0", "0" };
        fields.AddRange(state.Select(F32));
        fields.AddRange(state.Select(F));
        fields.AddRange(["1", F(t.Reward), t.Terminated ? "1" : "0", "0"]);
        fields.AddRange(t.NextObs.Select(F32));
        fields.AddRange(t.NextState.Select(F));
        string header = File.ReadLines(ReferenceFiles.Get("CartPole-v1.csv")).First();
        return header + "\n" + string.Join(',', fields) + "\n";
    }
}
