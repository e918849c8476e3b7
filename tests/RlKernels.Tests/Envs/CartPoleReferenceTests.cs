using RlKernels.Envs;
using RlKernels.Envs.Conformance;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;

namespace RlKernels.Tests.Envs;

/// <summary>
/// CartPole against the transitions Gymnasium recorded (data/reference/gymnasium, format in its
/// README), open loop: each row's float64 state is loaded into the env, stepped with the row's action and
/// compared with the recorded next observation, reward and flags. An independent check of the env
/// itself; the <c>rlk conform</c> library does the same through its own code.
/// </summary>
public class CartPoleReferenceTests(ITestOutputHelper output)
{
    private const double ThetaThreshold = 12 * 2 * Math.PI / 360, XThreshold = 2.4;

    /// <summary>One CSV row: the state before, the action, and what Gymnasium returned.</summary>
    private sealed record Row(int T, double[] State, int Action, double Reward, bool Terminated, bool Truncated, float[] NextObs, double[] NextState);

    public static TheoryData<string> Files => new("CartPole-v1.csv", "CartPole-v1.heuristic.csv");

    private static List<Row> Load(string file)
    {
        var csv = ReferenceCsv.Load(Path.Combine(TestPaths.GymnasiumReferenceDir, file));
        string[] fields = ["x", "x_dot", "theta", "theta_dot"];
        int[] state = fields.Select(f => csv.GetColumn("state_" + f)).ToArray();
        int[] nextObs = fields.Select(f => csv.GetColumn("next_obs_" + f)).ToArray();
        int[] nextState = fields.Select(f => csv.GetColumn("next_state_" + f)).ToArray();
        int t = csv.GetColumn("t"), action = csv.GetColumn("action"), reward = csv.GetColumn("reward"),
            terminated = csv.GetColumn("terminated"), truncated = csv.GetColumn("truncated");
        var rows = new List<Row>();
        for (int i = 0; i < csv.RowCount; i++)
        {
            // float32 columns are float32 values widened exactly to double (README "Number format").
            rows.Add(new Row((int)csv[i, t], state.Select(c => csv[i, c]).ToArray(), (int)csv[i, action], csv[i, reward],
                csv[i, terminated] == 1, csv[i, truncated] == 1, nextObs.Select(c => (float)csv[i, c]).ToArray(),
                nextState.Select(c => csv[i, c]).ToArray()));
        }
        return rows;
    }

    /// <summary>Reads state field k of lane element j from row-major [rows, 4] doubles.</summary>
    private struct RowsReader<T>(double[] values, int first, int count) : ILaneReader<T> where T : struct, ILane<T>
    {
        public readonly T Read(int index)
        {
            Span<double> column = stackalloc double[T.Count];
            column.Clear();
            for (int j = 0; j < count; j++) column[j] = values[(first + j) * 4 + index];
            return T.Load(column, 0, T.Count);
        }

        public readonly bool Observed => true;
    }

    /// <summary>Steps rows [first, first+count) as one lane value; returns next state, reward and terminated per row.</summary>
    private static void StepRows<T>(List<Row> rows, double[] states, int first, int count,
        double[] nextState, double[] reward, bool[] terminated) where T : struct, ILane<T>
    {
        var reader = new RowsReader<T>(states, first, count);
        CartPole<T>.Load(ref reader, out var s);
        Span<float> actions = stackalloc float[T.Count];
        actions.Clear();
        for (int j = 0; j < count; j++) actions[j] = rows[first + j].Action;
        var rng = new LaneRng<T>(T.BitsSplat(0), T.BitsIota(0), 0, 0, LaneRng<T>.EnvPurpose);
        CartPole<T>.Step(ref s, new CartPoleParams(), T.Load(actions, 0, T.Count), ref rng, out T r, out T term);
        ulong termBits = T.MaskBits(term);
        for (int j = 0; j < count; j++)
        {
            int row = first + j;
            nextState[row * 4] = T.Element(s.X, j);
            nextState[row * 4 + 1] = T.Element(s.XDot, j);
            nextState[row * 4 + 2] = T.Element(s.Theta, j);
            nextState[row * 4 + 3] = T.Element(s.ThetaDot, j);
            reward[row] = T.Element(r, j);
            terminated[row] = (termBits >> j & 1) != 0;
        }
    }

    private static (double[] NextState, double[] Reward, bool[] Terminated) StepAll<T>(List<Row> rows) where T : struct, ILane<T>
    {
        var states = rows.SelectMany(r => r.State).ToArray();
        var nextState = new double[rows.Count * 4];
        var reward = new double[rows.Count];
        var terminated = new bool[rows.Count];
        for (int first = 0; first < rows.Count; first += T.Count)
            StepRows<T>(rows, states, first, Math.Min(T.Count, rows.Count - first), nextState, reward, terminated);
        return (nextState, reward, terminated);
    }

    private static int UlpDistance(float a, float b)
    {
        int ia = BitConverter.SingleToInt32Bits(a), ib = BitConverter.SingleToInt32Bits(b);
        if (ia < 0) ia = int.MinValue - ia;
        if (ib < 0) ib = int.MinValue - ib;
        return (int)Math.Min(int.MaxValue, Math.Abs((long)ia - ib));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void DoubleMatchesGymnasiumToTheLastBit(string file)
    {
        var rows = Load(file);
        var (next, reward, terminated) = StepAll<D1>(rows);
        int exact = 0, oneUlp = 0;
        double maxStateDiff = 0;
        var bad = new List<string>();
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            for (int k = 0; k < 4; k++)
            {
                int ulps = UlpDistance((float)next[i * 4 + k], row.NextObs[k]);
                if (ulps == 0) exact++;
                else if (ulps == 1) oneUlp++;
                else bad.Add($"row {i} obs[{k}]: {(float)next[i * 4 + k]:R} vs {row.NextObs[k]:R} ({ulps} ulps)");
                double diff = Math.Abs(next[i * 4 + k] - row.NextState[k]);
                maxStateDiff = Math.Max(maxStateDiff, diff);
                if (diff > 1e-9 * (1 + Math.Abs(row.NextState[k]))) bad.Add($"row {i} state[{k}]: {next[i * 4 + k]:R} vs {row.NextState[k]:R}");
            }
            if (reward[i] != row.Reward) bad.Add($"row {i}: reward {reward[i]} vs {row.Reward}");
            if (terminated[i] != row.Terminated) bad.Add($"row {i}: terminated {terminated[i]} vs {row.Terminated}");
            if ((row.T + 1 >= CartPole<D1>.MaxEpisodeSteps) != row.Truncated) bad.Add($"row {i}: truncated {row.Truncated} at t = {row.T}");
        }
        output.WriteLine($"{file}: {rows.Count} rows, next_obs bit-exact {exact}/{rows.Count * 4}, 1 ulp {oneUlp}; max |Δ next_state| {maxStateDiff:G3}; " +
            $"{rows.Count(r => r.Terminated)} terminated, {rows.Count(r => r.Truncated)} truncated");
        Assert.True(bad.Count == 0, $"{bad.Count} mismatches; first: {string.Join("; ", bad.Take(5))}");
    }

    /// <summary>Both recordings (uniform and heuristic actions) on every float lane.</summary>
    public static TheoryData<string, LaneKind> RecordingsOnFloatLanes()
    {
        var data = new TheoryData<string, LaneKind>();
        foreach (LaneKind lanes in EnvTestKit.FloatLanes)
            foreach (string file in new[] { "CartPole-v1.csv", "CartPole-v1.heuristic.csv" })
                data.Add(file, lanes);
        return data;
    }

    [Theory]
    [MemberData(nameof(RecordingsOnFloatLanes))]
    public void FloatLanesMatchGymnasiumWithinTolerance(string file, LaneKind lanes)
    {
        EnvTestKit.SkipUnlessSupported(lanes);
        var rows = Load(file);
        var (next, reward, terminated) = lanes switch
        {
            LaneKind.F16 => StepAll<F16>(rows),
            LaneKind.F8 => StepAll<F8>(rows),
            LaneKind.F4 => StepAll<F4>(rows),
            _ => StepAll<F1>(rows),
        };
        double maxRel = 0;
        int excused = 0;
        var bad = new List<string>();
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            for (int k = 0; k < 4; k++)
            {
                double rel = Math.Abs(next[i * 4 + k] - row.NextObs[k]) / (1 + Math.Abs(row.NextObs[k]));
                maxRel = Math.Max(maxRel, rel);
                if (rel > 1e-5) bad.Add($"row {i} obs[{k}]: {next[i * 4 + k]:R} vs {row.NextObs[k]:R}");
            }
            if (Math.Abs(reward[i] - row.Reward) > 1e-5 * (1 + Math.Abs(row.Reward))) bad.Add($"row {i}: reward {reward[i]} vs {row.Reward}");
            if (terminated[i] != row.Terminated)
            {
                // A flip is excused where the recorded state sits within 1e-5 of a threshold.
                double distance = Math.Min(Math.Abs(Math.Abs(row.NextState[0]) - XThreshold), Math.Abs(Math.Abs(row.NextState[2]) - ThetaThreshold));
                if (distance < 1e-5) excused++;
                else bad.Add($"row {i}: terminated {terminated[i]} vs {row.Terminated}, {distance:G3} from the threshold");
            }
        }
        output.WriteLine($"{file} {lanes}: max |Δ next_obs|/(1+|x|) {maxRel:G3}, {excused} flag flips at the threshold excused");
        Assert.True(bad.Count == 0, $"{bad.Count} mismatches; first: {string.Join("; ", bad.Take(5))}");
    }
}
