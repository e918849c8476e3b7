using System.Globalization;
using RlKernels.Envs.Registry;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Conformance;

/// <summary>
/// Replays Gymnasium reference transitions open loop through our envs (README of
/// data/reference/gymnasium, "How a checker should use these files"): each row's recorded state is
/// loaded, the recorded action applied, and next observation, reward and flags compared. Reference
/// precision runs the double lane (D1); fast precision runs the scalar float lane (F1) and the SIMD lane
/// the cpu backend uses (<see cref="LaneSelection.BestWidth"/>), many rows packed into one lane value.
/// </summary>
public static class ConformanceChecker
{
    /// <summary>
    /// Checks every <c>*.csv</c> directly in <paramref name="directory"/>, in file-name order: transition
    /// files here, P-table files (header <c>state,action,prob,next_state,reward,terminated</c>) with
    /// <see cref="TabularConformanceChecker"/>.
    /// </summary>
    /// <param name="directory">A directory of reference files.</param>
    /// <param name="simdWidth">SIMD lane for fast precision (16, 8, 4, or 1 for none); null = <see cref="LaneSelection.BestWidth"/>.</param>
    public static ConformanceReport CheckDirectory(string directory, int? simdWidth = null)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Reference directory '{directory}' does not exist.");
        string[] files = Directory.GetFiles(directory, "*.csv", SearchOption.TopDirectoryOnly);
        Array.Sort(files, StringComparer.Ordinal);
        if (files.Length == 0)
            throw new FileNotFoundException($"Reference directory '{directory}' holds no *.csv files.");
        // Transition files and P-table files may share a directory: the header tells them apart.
        var results = new List<ConformanceResult>();
        var tabular = new List<TabularConformanceResult>();
        foreach (string file in files)
        {
            if (TabularConformanceChecker.IsPTable(file)) tabular.Add(TabularConformanceChecker.CheckFile(file));
            else results.AddRange(CheckFile(file, simdWidth));
        }
        return new ConformanceReport(directory, results) { TabularResults = tabular };
    }

    /// <summary>
    /// Checks one reference file at both precisions: one result per lane, or one Skipped/Error result per
    /// precision when the env is not registered or the file cannot be used.
    /// </summary>
    public static IReadOnlyList<ConformanceResult> CheckFile(string path, int? simdWidth = null)
    {
        string file = Path.GetFileName(path);
        string envId = ReferenceCsv.EnvIdFromFileName(path);
        var precisions = new[] { ConformancePrecision.Reference, ConformancePrecision.Fast };

        if (!EnvRegistry.TryGet(envId, out EnvEntry? entry))
            return precisions.Select(p => ConformanceResult.NotRun(file, envId, p, ConformanceStatus.Skipped,
                $"{envId} is not implemented (registered: {string.Join(", ", EnvRegistry.Ids)}).")).ToList();

        ReferenceTransitions data;
        try
        {
            data = ReferenceTransitions.From(ReferenceCsv.Load(path), entry.Spec(EnvArgs.Empty));
        }
        catch (Exception e) when (e is ReferenceCsvException or IOException or UnauthorizedAccessException)
        {
            return precisions.Select(p => ConformanceResult.NotRun(file, envId, p, ConformanceStatus.Error, e.Message)).ToList();
        }

        IConformanceStepper reference = entry.CreateStepper(StepperLane.D1, EnvArgs.Empty);
        var results = new List<ConformanceResult> { Compare(file, data, reference, reference, ConformancePrecision.Reference) };
        foreach (StepperLane lane in FastLanes(simdWidth ?? LaneSelection.BestWidth))
            results.Add(Compare(file, data, entry.CreateStepper(lane, EnvArgs.Empty), reference, ConformancePrecision.Fast));
        return results;
    }

    /// <summary>The float lanes fast precision runs: F1, plus the SIMD lane of width <paramref name="simdWidth"/> if any.</summary>
    public static IReadOnlyList<StepperLane> FastLanes(int simdWidth)
    {
        if (simdWidth is not (1 or 4 or 8 or 16))
            throw new ArgumentOutOfRangeException(nameof(simdWidth), simdWidth, "SIMD width must be 1, 4, 8 or 16.");
        // F8/F16 call AVX2/AVX-512 intrinsics directly; where their vectors are not accelerated they would throw mid-check.
        if (!SimdWidthSupported(simdWidth))
            throw new NotSupportedException($"This process does not accelerate the {simdWidth}-wide lane (widest: {LaneSelection.HardwareWidth}).");
        return simdWidth switch
        {
            16 => [StepperLane.F1, StepperLane.F16],
            8 => [StepperLane.F1, StepperLane.F8],
            4 => [StepperLane.F1, StepperLane.F4],
            _ => [StepperLane.F1],
        };
    }

    /// <summary>True if this process runs the lane of width <paramref name="simdWidth"/> (1, 4, 8 or 16) as hardware SIMD.</summary>
    public static bool SimdWidthSupported(int simdWidth) => LaneSelection.IsAccelerated(simdWidth);

    /// <summary>Runs every row through <paramref name="stepper"/> and compares with the recorded values.</summary>
    private static ConformanceResult Compare(string file, ReferenceTransitions data, IConformanceStepper stepper,
        IConformanceStepper reference, ConformancePrecision precision)
    {
        EnvSpec spec = stepper.Spec;
        int rows = data.Rows, obsSize = spec.ObsSize, stateSize = spec.StateSize;
        var nextObs = new double[rows * obsSize];       // [rows, ObsSize]
        var nextStates = new double[rows * stateSize];  // [rows, StateSize]
        var rewards = new double[rows];                 // [rows]
        var terminated = new bool[rows];                // [rows]
        stepper.Step(rows, data.States, data.Actions, nextObs, nextStates, rewards, terminated);

        bool isReference = precision == ConformancePrecision.Reference;
        double maxObs = 0, maxReward = 0, maxState = data.NextStates is null ? double.NaN : 0;
        long maxUlps = 0;
        int failedRows = 0, terminatedMismatches = 0, excused = 0, truncatedMismatches = 0;
        string? firstFailure = null;

        for (int r = 0; r < rows; r++)
        {
            var problems = new List<string>();

            for (int k = 0; k < obsSize; k++)
            {
                float got = (float)nextObs[r * obsSize + k], expected = data.NextObs[r * obsSize + k];
                double error = Math.Abs((double)got - expected);
                long ulps = FloatUlps(got, expected);
                maxObs = MaxNaN(maxObs, error);
                maxUlps = Math.Max(maxUlps, ulps);
                bool ok = isReference
                    ? ulps <= ConformanceTolerances.ReferenceObsUlps
                    : error <= ConformanceTolerances.FastObs * (1 + Math.Abs(expected));
                if (!ok) problems.Add($"{data.ObsNames[k]} {Show(got)} vs {Show(expected)} ({ulps} ulps)");
            }

            double rewardError = Math.Abs(rewards[r] - data.Rewards[r]);
            maxReward = MaxNaN(maxReward, rewardError);
            double rewardBound = isReference ? ConformanceTolerances.ReferenceReward : ConformanceTolerances.FastReward;
            if (!(rewardError <= rewardBound * (1 + Math.Abs(data.Rewards[r]))))
                problems.Add($"reward {Show(rewards[r])} vs {Show(data.Rewards[r])}");

            if (data.NextStates is { } recorded)
            {
                for (int k = 0; k < stateSize; k++)
                {
                    double got = nextStates[r * stateSize + k], expected = recorded[r * stateSize + k];
                    double error = Math.Abs(got - expected);
                    maxState = MaxNaN(maxState, error);
                    if (isReference && !(error <= ConformanceTolerances.ReferenceState * (1 + Math.Abs(expected))))
                        problems.Add($"next_state_{data.StateNames[k]} {Show(got)} vs {Show(expected)}");
                }
            }

            if (terminated[r] != data.Terminated[r])
            {
                if (!isReference && FlipIsExcused(data, r, reference))
                    excused++;
                else
                {
                    terminatedMismatches++;
                    problems.Add($"terminated {(terminated[r] ? 1 : 0)} vs {(data.Terminated[r] ? 1 : 0)}");
                }
            }

            // Gymnasium's TimeLimit rule, the same for every lane.
            bool truncated = spec.MaxEpisodeSteps > 0 && data.T[r] + 1 >= spec.MaxEpisodeSteps;
            if (truncated != data.Truncated[r])
            {
                truncatedMismatches++;
                problems.Add($"truncated {(truncated ? 1 : 0)} vs {(data.Truncated[r] ? 1 : 0)} (t = {data.T[r]}, max_episode_steps = {spec.MaxEpisodeSteps})");
            }

            if (problems.Count > 0)
            {
                failedRows++;
                firstFailure ??= $"line {ReferenceCsv.LineOf(r)}: {string.Join("; ", problems)} (ours vs reference)";
            }
        }

        return new ConformanceResult(file, spec.Id, precision, stepper.Lane,
            failedRows == 0 ? ConformanceStatus.Pass : ConformanceStatus.Fail, rows,
            maxObs, maxUlps, maxReward, maxState, failedRows, terminatedMismatches, excused, truncatedMismatches,
            failedRows == 0 ? null : $"{failedRows} row(s) out of tolerance; first: {firstFailure}");
    }

    /// <summary>
    /// A float lane's terminated flip is excused when the row sits on a threshold (see
    /// <see cref="ConformanceTolerances"/>): from the recorded state and starts next to it (the
    /// float32-rounded state, or one field moved by ±FlagProbe·(1 + |field|)), the double lane reaches
    /// both the recorded answer and the float lane's answer.
    /// </summary>
    private static bool FlipIsExcused(ReferenceTransitions data, int row, IConformanceStepper reference)
    {
        int stateSize = reference.Spec.StateSize, obsSize = reference.Spec.ObsSize;
        // Probe 0: the recorded state; 1: rounded to float32; 2 + 2k, 3 + 2k: field k moved up, down.
        int probes = 2 + 2 * stateSize;
        var states = new double[probes * stateSize];  // [probes, StateSize]
        ReadOnlySpan<double> start = data.States.AsSpan(row * stateSize, stateSize);
        for (int p = 0; p < probes; p++) start.CopyTo(states.AsSpan(p * stateSize, stateSize));
        for (int k = 0; k < stateSize; k++)
        {
            states[stateSize + k] = (float)start[k];
            double delta = ConformanceTolerances.FlagProbe * (1 + Math.Abs(start[k]));
            states[(2 + 2 * k) * stateSize + k] += delta;
            states[(3 + 2 * k) * stateSize + k] -= delta;
        }
        var actions = new double[probes];             // [probes]
        Array.Fill(actions, data.Actions[row]);
        var terminated = new bool[probes];            // [probes]
        reference.Step(probes, states, actions, new double[probes * obsSize], new double[probes * stateSize], new double[probes], terminated);
        // Both outcomes within reach: the recorded flag and the float lane's (its negation).
        return terminated.Contains(true) && terminated.Contains(false);
    }

    /// <summary>Distance in float32 ulps (representable values between); +0 and −0 are 0 apart, NaN is infinitely far.</summary>
    public static long FloatUlps(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b)) return float.IsNaN(a) && float.IsNaN(b) ? 0 : long.MaxValue;
        return Math.Abs(Ordered(a) - Ordered(b));

        // Maps float bits to integers in the order of the values.
        static long Ordered(float x)
        {
            int bits = BitConverter.SingleToInt32Bits(x);
            return bits < 0 ? (long)int.MinValue - bits : bits;
        }
    }

    private static double MaxNaN(double max, double value) => double.IsNaN(value) ? double.NaN : Math.Max(max, value);

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
