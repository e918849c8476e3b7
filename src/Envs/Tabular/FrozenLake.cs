using RlKernels.Kernels.Lanes;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using RlKernels.Envs.Registry;

namespace RlKernels.Envs.Tabular;

// FrozenLake-v1 and FrozenLake8x8-v1. Source: gymnasium/envs/toy_text/frozen_lake.py (Gymnasium 1.4),
// which builds P in its constructor; checked entry for entry against data/reference/gymnasium-toytext.
// State = row·ncol + col (row 0 = the map's top line). Actions 0 LEFT, 1 DOWN, 2 RIGHT, 3 UP; moves
// clamp at the border. Holes and the goal are absorbing: every action is (1.0, s, 0, terminated).
// From any other tile, moving in direction b lands on a tile whose letter sets the outcome: reward
// reward_schedule = (goal, hole, frozen) = (1, 0, 0) by default, terminated on G or H. Slippery: three
// outcomes for directions (a−1)%4, a, (a+1)%4 with probabilities fail, success, fail where
// success = success_rate (1/3) and fail = (1 − success)/2 — one ulp above 1/3 in double. Walls can
// make two outcomes share a next state; they stay separate. The initial distribution is uniform
// over the 'S' tiles. Time limit 100 (also for map_name=8x8, as gymnasium.make gives it);
// FrozenLake8x8-v1: 200.
// Deviations: the random map (desc=None, map_name=None) is not supported; a map with an unknown
// letter, no 'S' or no 'G', or ragged rows is an error (Gymnasium does not check).

/// <summary>FrozenLake's maps and its P, built as Gymnasium builds it.</summary>
public static class FrozenLake
{
    /// <summary>Action indices, as in Gymnasium: 0 left, 1 down, 2 right, 3 up.</summary>
    public const int ActionLeft = 0, ActionDown = 1, ActionRight = 2, ActionUp = 3;
    /// <summary>Time limits in steps: FrozenLake-v1 (100) and FrozenLake8x8-v1 (200).</summary>
    public const int MaxEpisodeSteps = 100, MaxEpisodeSteps8x8 = 200;
    /// <summary>Action names by index.</summary>
    public static readonly IReadOnlyList<string> ActionNames = ["LEFT", "DOWN", "RIGHT", "UP"];

    /// <summary>Gymnasium's MAPS.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Maps = new Dictionary<string, string[]>
    {
        ["4x4"] = ["SFFF", "FHFH", "FFFH", "HFFG"],
        ["8x8"] = ["SFFFFFFF", "FFFFFFFF", "FFFHFFFF", "FFFFFHFF", "FFFHFFFF", "FHHFFFHF", "FHFFHFHF", "FFFHFFFG"],
    };

    /// <summary>
    /// The model for Gymnasium options: <c>desc</c> ("SFFF,FHFH,FFFH,HFFG"; wins over map_name, as in
    /// Gymnasium), <c>map_name</c> ("4x4" default, "8x8"), <c>is_slippery</c> (true),
    /// <c>success_rate</c> (1/3), <c>reward_schedule</c> ("1,0,0": goal, hole, frozen).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown option or a bad value.</exception>
    public static TabularMdp BuildModel(IReadOnlyDictionary<string, string>? options = null, string defaultMapName = "4x4")
    {
        var args = options is null ? EnvArgs.Empty : new EnvArgs(options);
        var model = BuildModelFromArgs(args, defaultMapName);
        args.ThrowIfUnread("FrozenLake-v1");
        return model;
    }

    internal static TabularMdp BuildModelFromArgs(EnvArgs args, string defaultMapName)
    {
        string? desc = args.GetString("desc");
        string mapName = args.GetString("map_name") ?? defaultMapName;
        bool slippery = args.GetBool("is_slippery", true);
        double successRate = args.GetDouble("success_rate", 1.0 / 3.0);
        (double goal, double hole, double frozen) schedule = (1, 0, 0);
        string? scheduleText = args.GetString("reward_schedule");
        if (scheduleText is not null)
        {
            string[] parts = scheduleText.Trim('(', ')', '[', ']').Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length != 3 || !parts.All(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)))
                throw new ArgumentException($"Env argument reward_schedule='{scheduleText}' must be three numbers: goal,hole,frozen.");
            schedule = (Parse(parts[0]), Parse(parts[1]), Parse(parts[2]));
        }
        string[] map;
        if (desc is not null)
            map = desc.Split(',', StringSplitOptions.TrimEntries);
        else if (!Maps.TryGetValue(mapName, out map!))
            throw new ArgumentException($"Env argument map_name='{mapName}' is unknown; known maps: {string.Join(", ", Maps.Keys)} (or give desc=ROW,ROW,...).");
        return BuildModel(map, slippery, successRate, schedule);
    }

    private static double Parse(string t) => double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>The model of map <paramref name="desc"/> (rows of S, F, H, G; row 0 at the top).</summary>
    public static TabularMdp BuildModel(IReadOnlyList<string> desc, bool isSlippery = true, double successRate = 1.0 / 3.0,
        (double Goal, double Hole, double Frozen)? rewardSchedule = null)
    {
        var (goalReward, holeReward, frozenReward) = rewardSchedule ?? (1, 0, 0);
        CheckMap(desc);
        if (!(successRate >= 0 && successRate <= 1))
            throw new ArgumentException($"success_rate must be in [0, 1], got {successRate}.", nameof(successRate));
        int nrow = desc.Count, ncol = desc[0].Length, stateCount = nrow * ncol;
        double failRate = (1.0 - successRate) / 2.0;

        var rows = new List<TabularTransition>(stateCount * 4 * 3);
        for (int row = 0; row < nrow; row++)
            for (int col = 0; col < ncol; col++)
            {
                int s = row * ncol + col;
                char letter = desc[row][col];
                for (int a = 0; a < 4; a++)
                {
                    if (letter is 'G' or 'H')
                    {
                        rows.Add(new(s, a, 1.0, s, 0, true));
                        continue;
                    }
                    if (!isSlippery)
                    {
                        rows.Add(Move(s, a, 1.0, row, col, a));
                        continue;
                    }
                    rows.Add(Move(s, a, failRate, row, col, (a + 3) % 4));
                    rows.Add(Move(s, a, successRate, row, col, a));
                    rows.Add(Move(s, a, failRate, row, col, (a + 1) % 4));
                }
            }

        int starts = 0;
        foreach (string line in desc) starts += line.Count(c => c == 'S');
        var initial = new double[stateCount];
        for (int s = 0; s < stateCount; s++)
            if (desc[s / ncol][s % ncol] == 'S') initial[s] = 1.0 / starts;
        return TabularMdp.FromTransitions(stateCount, 4, rows.ToArray(), initial, ActionNames);

        TabularTransition Move(int s, int a, double p, int row, int col, int direction)
        {
            int r = row, c = col;
            switch (direction)
            {
                case ActionLeft: c = Math.Max(c - 1, 0); break;
                case ActionDown: r = Math.Min(r + 1, nrow - 1); break;
                case ActionRight: c = Math.Min(c + 1, ncol - 1); break;
                default: r = Math.Max(r - 1, 0); break;
            }
            char to = desc[r][c];
            double reward = to == 'G' ? goalReward : to == 'H' ? holeReward : frozenReward;
            return new(s, a, p, r * ncol + c, reward, to is 'G' or 'H');
        }
    }

    private static void CheckMap(IReadOnlyList<string> desc)
    {
        if (desc.Count == 0 || desc[0].Length == 0)
            throw new ArgumentException("A FrozenLake map needs at least one row and one column.", nameof(desc));
        bool start = false, goal = false;
        for (int r = 0; r < desc.Count; r++)
        {
            if (desc[r].Length != desc[0].Length)
                throw new ArgumentException($"FrozenLake map row {r} ('{desc[r]}') has {desc[r].Length} tiles; row 0 has {desc[0].Length}.", nameof(desc));
            for (int c = 0; c < desc[r].Length; c++)
            {
                char t = desc[r][c];
                if (t is not ('S' or 'F' or 'H' or 'G'))
                    throw new ArgumentException($"FrozenLake map tile ({r}, {c}) is '{t}'; tiles are S (start), F (frozen), H (hole), G (goal).", nameof(desc));
                start |= t == 'S';
                goal |= t == 'G';
            }
        }
        if (!start) throw new ArgumentException("A FrozenLake map needs a start tile 'S'.", nameof(desc));
        if (!goal) throw new ArgumentException("A FrozenLake map needs a goal tile 'G'.", nameof(desc));
    }
}

/// <summary>Declares FrozenLake-v1: its id, options and model (registered in <see cref="EnvRegistry"/>).</summary>
internal sealed class FrozenLakeDeclaration : IToyTextDeclaration
{
    public static string Id => "FrozenLake-v1";
    public static ToyTextParams Parse(EnvArgs args) => new(FrozenLake.BuildModelFromArgs(args, "4x4"), Id, FrozenLake.MaxEpisodeSteps, "gymnasium/envs/toy_text/frozen_lake.py");
}

/// <summary>Declares FrozenLake8x8-v1: its id, options and model (registered in <see cref="EnvRegistry"/>).</summary>
internal sealed class FrozenLake8x8Declaration : IToyTextDeclaration
{
    public static string Id => "FrozenLake8x8-v1";
    public static ToyTextParams Parse(EnvArgs args) => new(FrozenLake.BuildModelFromArgs(args, "8x8"), Id, FrozenLake.MaxEpisodeSteps8x8, "gymnasium/envs/toy_text/frozen_lake.py");
}
