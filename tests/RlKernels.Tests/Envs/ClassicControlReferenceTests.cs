using RlKernels.Envs;
using RlKernels.Envs.Conformance;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;

namespace RlKernels.Tests.Envs;

/// <summary>
/// Open-loop replay of Gymnasium's recorded transitions (data/reference/gymnasium/&lt;Id&gt;.csv and
/// &lt;Id&gt;.heuristic.csv): each row's float64 state_* columns are loaded into the env, one Step with the
/// row's action, and next_obs, reward and the flags are compared. D1 must match to the last float32 bit
/// (at most 1 ulp, for libm sin/cos differences), float lanes within 1e-5·(1+|x|).
/// </summary>
public class ClassicControlReferenceTests(ITestOutputHelper output)
{
    /// <summary>Every registered env with recorded Gymnasium transitions, both recordings, every lane.</summary>
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string id in EnvTestKit.ClassicControlIds.Where(id => File.Exists(Path.Combine(TestPaths.GymnasiumReferenceDir, id + ".csv"))))
            foreach (string suffix in new[] { "", ".heuristic" })
                foreach (string lane in new[] { "D1", "F1", "F4", "F8", "F16" })
                    data.Add(id + suffix, lane);
        return data;
    }

    /// <summary>
    /// How far a next state lies from the env's termination threshold: a fast lane may flip the flag within
    /// rounding of it. Envs not listed terminate on no threshold (no flip is excused).
    /// </summary>
    private static double ThresholdDistance(string id, double[] s) => id switch
    {
        "CartPole-v1" => Math.Min(Math.Abs(Math.Abs(s[0]) - 2.4), Math.Abs(Math.Abs(s[2]) - 12 * 2 * Math.PI / 360)),
        "MountainCar-v0" => Math.Min(Math.Abs(s[0] - 0.5), Math.Abs(s[1])),
        "MountainCarContinuous-v0" => Math.Min(Math.Abs(s[0] - 0.45), Math.Abs(s[1])),
        "Acrobot-v1" => Math.Abs(-Math.Cos(s[0]) - Math.Cos(s[1] + s[0]) - 1.0),
        _ => double.MaxValue,
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReplayMatchesGymnasium(string file, string lane)
    {
        string id = file.Replace(".heuristic", "");
        var table = ReferenceTable.Load(Path.Combine(TestPaths.GymnasiumReferenceDir, file + ".csv"));
        var stepper = EnvRegistry.Get(id).CreateStepper(Enum.Parse<StepperLane>(lane), EnvArgs.Empty);
        ReplayResult r = Replay(stepper, table, s => ThresholdDistance(id, s));
        output.WriteLine($"{file} {lane}: rows {table.Rows}, obs exact {r.ObsExact}/{r.ObsCount}, max obs ulp {r.MaxObsUlp}, " +
            $"max |Δobs|/(1+|x|) {r.MaxObsErr:E2}, max |Δstate|/(1+|x|) {r.MaxStateErr:E2}, max |Δr|/(1+|r|) {r.MaxRewardErr:E2}, " +
            $"flag flips {r.FlagFlips} (excused {r.ExcusedFlips})");
        foreach (string m in r.Mismatches.Take(5)) output.WriteLine(m);
        Assert.True(r.Mismatches.Count == 0, $"{file} {lane}: {r.Mismatches.Count} mismatches; first: {string.Join(" | ", r.Mismatches.Take(5))}");
    }

    private sealed class ReplayResult
    {
        public int ObsExact, ObsCount, MaxObsUlp, FlagFlips, ExcusedFlips;
        public double MaxObsErr, MaxStateErr, MaxRewardErr;
        public readonly List<string> Mismatches = [];
    }

    private static ReplayResult Replay(IConformanceStepper stepper, ReferenceTable table, Func<double[], double> thresholdDistance)
    {
        EnvSpec spec = stepper.Spec;
        int n = table.Rows, obsSize = spec.ObsSize, stateSize = spec.StateSize;
        double[][] state = spec.StateNames.Select(name => table.Column("state_" + name)).ToArray();
        double[][] nextState = spec.StateNames.Select(name => table.Column("next_state_" + name)).ToArray();
        double[][] nextObs = table.ColumnsWithPrefix("next_obs_");
        Assert.Equal(obsSize, nextObs.Length);
        double[] action = table.Column("action"), reward = table.Column("reward"), terminated = table.Column("terminated");
        double[] truncated = table.Column("truncated"), t = table.Column("t");

        var states = new double[n * stateSize]; // [n, stateSize] row-major
        for (int i = 0; i < n; i++)
            for (int k = 0; k < stateSize; k++) states[i * stateSize + k] = state[k][i];
        var outObs = new double[n * obsSize];     // [n, obsSize]
        var outState = new double[n * stateSize]; // [n, stateSize]
        var outReward = new double[n];
        var outTerminated = new bool[n];
        stepper.Step(n, states, action, outObs, outState, outReward, outTerminated);

        var result = new ReplayResult();
        bool exact = stepper.Lane == StepperLane.D1;
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < obsSize; k++)
            {
                float want = (float)nextObs[k][i], got = (float)outObs[i * obsSize + k];
                result.ObsCount++;
                if (want == got) result.ObsExact++;
                int ulp = (int)Math.Min(int.MaxValue, Math.Abs((long)BitConverter.SingleToInt32Bits(want) - BitConverter.SingleToInt32Bits(got)));
                if (Math.Sign(want) != Math.Sign(got) && want != 0 && got != 0) ulp = int.MaxValue;
                result.MaxObsUlp = Math.Max(result.MaxObsUlp, ulp);
                double err = Math.Abs((double)want - got) / (1 + Math.Abs((double)want));
                result.MaxObsErr = Math.Max(result.MaxObsErr, err);
                if (exact ? ulp > 1 : err > 1e-5)
                    result.Mismatches.Add($"row {i} obs[{k}]: want {want:R} got {got:R}");
            }
            for (int k = 0; k < stateSize; k++)
            {
                double err = Math.Abs(nextState[k][i] - outState[i * stateSize + k]) / (1 + Math.Abs(nextState[k][i]));
                result.MaxStateErr = Math.Max(result.MaxStateErr, err);
                if (err > (exact ? 1e-9 : 1e-5))
                    result.Mismatches.Add($"row {i} state[{k}]: want {nextState[k][i]:R} got {outState[i * stateSize + k]:R}");
            }
            double rewardErr = Math.Abs(reward[i] - outReward[i]) / (1 + Math.Abs(reward[i]));
            result.MaxRewardErr = Math.Max(result.MaxRewardErr, rewardErr);
            if (rewardErr > (exact ? 1e-9 : 1e-5))
                result.Mismatches.Add($"row {i} reward: want {reward[i]:R} got {outReward[i]:R}");
            if (outTerminated[i] != (terminated[i] != 0))
            {
                result.FlagFlips++;
                double[] ns = nextState.Select(c => c[i]).ToArray();
                if (!exact && thresholdDistance(ns) <= 1e-5) result.ExcusedFlips++;
                else result.Mismatches.Add($"row {i} terminated: want {terminated[i]} got {outTerminated[i]}");
            }
            // Gymnasium's TimeLimit rule; the env itself never truncates.
            if ((t[i] + 1 >= spec.MaxEpisodeSteps) != (truncated[i] != 0))
                result.Mismatches.Add($"row {i} truncated: want {truncated[i]} with t = {t[i]}, limit {spec.MaxEpisodeSteps}");
        }
        return result;
    }

    public static TheoryData<string> ClassicControlIds => EnvTestKit.Theory(EnvTestKit.ClassicControlIds);

    [Theory]
    [MemberData(nameof(ClassicControlIds))]
    public void SimdAndScalarAgreeStayInBoundsAndAreDeterministic(string id)
    {
        const int envCount = 37, stepCount = 20;
        using var simd = EnvRegistry.Make(id, envCount, new VectorEnvOptions { Backend = Backend.Cpu, Seed = 5 });
        using var scalar = EnvRegistry.Make(id, envCount, new VectorEnvOptions { Backend = Backend.CpuScalar, Seed = 5 });
        using var again = EnvRegistry.Make(id, envCount, new VectorEnvOptions { Backend = Backend.Cpu, Seed = 5 });
        using var other = EnvRegistry.Make(id, envCount, new VectorEnvOptions { Backend = Backend.Cpu, Seed = 6 });
        EnvSpec spec = simd.Spec;
        simd.Reset(5); scalar.Reset(5); again.Reset(5); other.Reset(6);
        Assert.NotEqual(simd.Observations.ToArray(), other.Observations.ToArray());

        var discrete = new int[envCount];
        var continuous = new float[envCount];
        double maxDiff = 0;
        for (int step = 0; step < stepCount; step++)
        {
            for (int i = 0; i < envCount; i++)
            {
                discrete[i] = (i + step / 3) % Math.Max(1, spec.Action.Count);
                continuous[i] = spec.Action.Low + (spec.Action.High - spec.Action.Low) * ((i * 7 + step * 3) % 11) / 10f;
            }
            foreach (var env in new[] { simd, scalar, again, other })
            {
                if (spec.Action.IsDiscrete) env.Step(discrete); else env.Step(continuous);
            }
            Assert.Equal(simd.Observations.ToArray(), again.Observations.ToArray());
            Assert.Equal(simd.Rewards.ToArray(), again.Rewards.ToArray());
            ReadOnlySpan<float> a = simd.Observations, b = scalar.Observations;
            for (int i = 0; i < a.Length; i++)
            {
                int k = i % spec.ObsSize;
                Assert.InRange(a[i], spec.ObsLow[k], spec.ObsHigh[k]);
                Assert.InRange(b[i], spec.ObsLow[k], spec.ObsHigh[k]);
                maxDiff = Math.Max(maxDiff, Math.Abs(a[i] - b[i]) / (1 + Math.Abs(b[i])));
            }
            for (int i = 0; i < envCount; i++)
            {
                Assert.Equal(simd.Terminated[i], scalar.Terminated[i]);
                Assert.Equal(simd.Truncated[i], scalar.Truncated[i]);
                Assert.True(Math.Abs(simd.Rewards[i] - scalar.Rewards[i]) <= 1e-4 * (1 + Math.Abs(scalar.Rewards[i])));
            }
        }
        Assert.True(maxDiff <= 1e-4, $"{id}: SIMD vs scalar max |Δobs|/(1+|x|) = {maxDiff:E2}");
        Assert.NotEqual(simd.Observations.ToArray(), other.Observations.ToArray());
    }

    [Fact]
    public void PendulumTakesGravityOption()
    {
        EnvSpec spec = EnvRegistry.Get("Pendulum-v1").Spec(new EnvArgs(new Dictionary<string, string> { ["g"] = "9.81" }));
        Assert.Equal(200, spec.MaxEpisodeSteps);
        Assert.Throws<ArgumentException>(() => EnvRegistry.Get("Acrobot-v1").Spec(new EnvArgs(new Dictionary<string, string> { ["g"] = "9.81" })));
        using var env = EnvRegistry.Make("Pendulum-v1", 1, new VectorEnvOptions { Backend = Backend.CpuDouble }, new Dictionary<string, string> { ["g"] = "0" });
        env.Reset(1);
        float thetaDot0 = env.Observations[2];
        env.Step(new float[] { 0f });
        Assert.Equal(thetaDot0, env.Observations[2]); // no gravity, no torque: theta_dot unchanged
    }

    [Fact]
    public void FlooredModMatchesPythonFloatModulo()
    {
        // Python: (-1e-20) % (2*math.pi) == 2*math.pi; 7.0 % -3.0 == -2.0; -0.0 % 5.0 == 0.0.
        Assert.Equal(2 * Math.PI, D1.FlooredMod(new D1(-1e-20), new D1(2 * Math.PI)).V);
        Assert.Equal(-2.0, D1.FlooredMod(new D1(7.0), new D1(-3.0)).V);
        Assert.Equal(0.0, D1.FlooredMod(new D1(-0.0), new D1(5.0)).V);
        Assert.False(double.IsNegative(D1.FlooredMod(new D1(-0.0), new D1(5.0)).V));
        var y = new float[16];
        for (int j = 0; j < 16; j++) y[j] = -40f + 5.3f * j;
        F16 r16 = F16.FlooredMod(F16.Load(y, 0, 16), F16.Splat(2 * Math.PI));
        F8 r8 = F8.FlooredMod(F8.Load(y, 0, 8), F8.Splat(2 * Math.PI));
        F4 r4 = F4.FlooredMod(F4.Load(y, 0, 4), F4.Splat(2 * Math.PI));
        for (int j = 0; j < 16; j++)
        {
            float want = F1.FlooredMod(new F1(y[j]), F1.Splat(2 * Math.PI)).V;
            Assert.Equal(want, (float)F16.Element(r16, j));
            if (j < 8) Assert.Equal(want, (float)F8.Element(r8, j));
            if (j < 4) Assert.Equal(want, (float)F4.Element(r4, j));
            Assert.InRange(want, 0f, (float)(2 * Math.PI));
        }
    }

    /// <summary>A reference CSV as columns of doubles (parsed by the library's <see cref="ReferenceCsv"/>).</summary>
    private sealed class ReferenceTable
    {
        private readonly string[] _header;
        private readonly double[][] _columns;
        public int Rows { get; }

        private ReferenceTable(string[] header, double[][] columns, int rows) => (_header, _columns, Rows) = (header, columns, rows);

        public static ReferenceTable Load(string path)
        {
            var csv = ReferenceCsv.Load(path);
            string[] header = csv.Columns.ToArray();
            var columns = new double[header.Length][];
            for (int k = 0; k < header.Length; k++)
            {
                columns[k] = new double[csv.RowCount];
                for (int i = 0; i < csv.RowCount; i++) columns[k][i] = csv[i, k];
            }
            return new ReferenceTable(header, columns, csv.RowCount);
        }

        public double[] Column(string name)
        {
            int k = Array.IndexOf(_header, name);
            if (k < 0) throw new KeyNotFoundException($"No column '{name}' in [{string.Join(", ", _header)}].");
            return _columns[k];
        }

        public double[][] ColumnsWithPrefix(string prefix) =>
            _header.Select((h, k) => (h, k)).Where(x => x.h.StartsWith(prefix, StringComparison.Ordinal)).Select(x => _columns[x.k]).ToArray();
    }
}
