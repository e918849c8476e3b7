namespace RlKernels.Envs.Conformance;

/// <summary>
/// The columns of a <see cref="ReferenceCsv"/> that one env's check needs, validated against its
/// <see cref="EnvSpec"/> and laid out as the stepper's buffers.
/// </summary>
internal sealed class ReferenceTransitions
{
    public required int Rows { get; init; }
    public required int[] T { get; init; }                 // [Rows] step index within the episode
    public required double[] States { get; init; }         // [Rows, StateSize] state_* before the step
    public required double[] Actions { get; init; }        // [Rows]
    public required double[] Rewards { get; init; }        // [Rows]
    public required bool[] Terminated { get; init; }       // [Rows]
    public required bool[] Truncated { get; init; }        // [Rows]
    public required float[] NextObs { get; init; }         // [Rows, ObsSize] float32
    public required double[]? NextStates { get; init; }    // [Rows, StateSize], null if the file has no next_state_* columns
    public required string[] ObsNames { get; init; }       // [ObsSize] next_obs_* column names
    public required string[] StateNames { get; init; }     // [StateSize]

    /// <summary>Extracts and checks the columns for <paramref name="spec"/>; problems throw <see cref="ReferenceCsvException"/>.</summary>
    public static ReferenceTransitions From(ReferenceCsv csv, EnvSpec spec)
    {
        int rows = csv.RowCount, stateSize = spec.StateSize;
        int tCol = csv.GetColumn("t"), actionCol = csv.GetColumn("action"), rewardCol = csv.GetColumn("reward");
        int terminatedCol = csv.GetColumn("terminated"), truncatedCol = csv.GetColumn("truncated");
        int[] stateCols = spec.StateNames.Select(n => csv.GetColumn("state_" + n)).ToArray();

        // The spec has no feature names, so the observation is every next_obs_* column in header order.
        string[] obsNames = csv.Columns.Where(c => c.StartsWith("next_obs_", StringComparison.Ordinal)).ToArray();
        if (obsNames.Length != spec.ObsSize)
            throw new ReferenceCsvException(csv.File, 1, null,
                $"{spec.Id} observes {spec.ObsSize} features but the header has {obsNames.Length} next_obs_* columns ({string.Join(", ", obsNames)}).");
        int[] obsCols = obsNames.Select(csv.GetColumn).ToArray();

        int[]? nextStateCols = null;
        if (spec.StateNames.All(n => csv.TryGetColumn("next_state_" + n, out _)))
            nextStateCols = spec.StateNames.Select(n => csv.GetColumn("next_state_" + n)).ToArray();

        var data = new ReferenceTransitions
        {
            Rows = rows,
            T = new int[rows],
            States = new double[rows * stateSize],
            Actions = new double[rows],
            Rewards = new double[rows],
            Terminated = new bool[rows],
            Truncated = new bool[rows],
            NextObs = new float[rows * spec.ObsSize],
            NextStates = nextStateCols is null ? null : new double[rows * stateSize],
            ObsNames = obsNames,
            StateNames = spec.StateNames,
        };

        for (int r = 0; r < rows; r++)
        {
            double t = csv[r, tCol];
            if (!(t >= 0 && t == Math.Floor(t) && t <= int.MaxValue))
                throw Bad(csv, r, "t", $"{t} is not a step index (a non-negative integer).");
            data.T[r] = (int)t;

            double action = csv[r, actionCol];
            if (spec.Action.IsDiscrete && !(action >= 0 && action < spec.Action.Count && action == Math.Floor(action)))
                throw Bad(csv, r, "action", $"{action} is not an action of {spec.Id}'s {spec.Action}.");
            if (!spec.Action.IsDiscrete && !double.IsFinite(action))
                throw Bad(csv, r, "action", $"{action} is not a finite number.");
            data.Actions[r] = action;

            data.Rewards[r] = csv[r, rewardCol];
            data.Terminated[r] = Flag(csv, r, terminatedCol);
            data.Truncated[r] = Flag(csv, r, truncatedCol);
            for (int k = 0; k < stateSize; k++) data.States[r * stateSize + k] = csv[r, stateCols[k]];
            for (int k = 0; k < obsCols.Length; k++) data.NextObs[r * obsCols.Length + k] = (float)csv[r, obsCols[k]];
            if (nextStateCols is not null)
                for (int k = 0; k < stateSize; k++) data.NextStates![r * stateSize + k] = csv[r, nextStateCols[k]];
        }
        return data;
    }

    private static bool Flag(ReferenceCsv csv, int row, int column)
    {
        double value = csv[row, column];
        return value switch
        {
            0 => false,
            1 => true,
            _ => throw Bad(csv, row, csv.Columns[column], $"{value} is not a flag (0 or 1)."),
        };
    }

    private static ReferenceCsvException Bad(ReferenceCsv csv, int row, string column, string problem) =>
        new(csv.File, ReferenceCsv.LineOf(row), column, problem);
}
