using RlKernels.Kernels.Lanes;
using System.Diagnostics.CodeAnalysis;
using RlKernels.Envs.Registry;

namespace RlKernels.Envs.Tabular;

// CliffWalking-v1 and CliffWalkingSlippery-v1. Source: gymnasium/envs/toy_text/cliffwalking.py
// (Gymnasium 1.4); checked entry for entry against data/reference/gymnasium-toytext.
// 4×12 grid, state = row·12 + col, start 36 = (3, 0), goal 47 = (3, 11), cliff 37..46.
// Actions 0 UP, 1 RIGHT, 2 DOWN, 3 LEFT (not FrozenLake's order); moves clamp at the border.
// Every move costs −1 and terminates when its clamped target is the goal — also from the goal
// itself, which is not absorbing. A move into a cliff cell costs −100 and lands on the start, not
// terminated. Cliff cells have ordinary rows, computed as if the agent stood there.
// Slippery: three outcomes for directions (a−1)%4, a, (a+1)%4, each 1/3 (0.3333333333333333); the
// same next state may appear twice with different rewards (wall: −1, cliff: −100).
// No time limit (Gymnasium registers none). Deviations: none in P.

/// <summary>CliffWalking's P, built as Gymnasium builds it.</summary>
public static class CliffWalking
{
    /// <summary>Grid size (4 × 12; state = row·12 + col), the start state (bottom left) and the goal state (bottom right).</summary>
    public const int Rows = 4, Cols = 12, StartState = 36, GoalState = 47;
    /// <summary>Action indices, as in Gymnasium: 0 up, 1 right, 2 down, 3 left.</summary>
    public const int ActionUp = 0, ActionRight = 1, ActionDown = 2, ActionLeft = 3;
    /// <summary>Action names by index.</summary>
    public static readonly IReadOnlyList<string> ActionNames = ["UP", "RIGHT", "DOWN", "LEFT"];

    /// <summary>The model for Gymnasium options: <c>is_slippery</c> (default <paramref name="defaultSlippery"/>).</summary>
    public static TabularMdp BuildModel(IReadOnlyDictionary<string, string>? options = null, bool defaultSlippery = false)
    {
        var args = options is null ? EnvArgs.Empty : new EnvArgs(options);
        var model = BuildModel(args.GetBool("is_slippery", defaultSlippery));
        args.ThrowIfUnread(defaultSlippery ? "CliffWalkingSlippery-v1" : "CliffWalking-v1");
        return model;
    }

    /// <summary>
    /// The model: 48 states, 4 actions, starting at <see cref="StartState"/>. Reward −1 per step, −100 for
    /// stepping into the cliff (back to the start); reaching the goal terminates. With
    /// <paramref name="isSlippery"/> each action moves in the intended or either perpendicular direction, 1/3 each.
    /// </summary>
    public static TabularMdp BuildModel(bool isSlippery)
    {
        const int stateCount = Rows * Cols;
        var rows = new List<TabularTransition>(stateCount * 4 * 3);
        for (int s = 0; s < stateCount; s++)
        {
            int row = s / Cols, col = s % Cols;
            for (int a = 0; a < 4; a++)
            {
                if (!isSlippery)
                {
                    rows.Add(Move(s, a, 1.0, row, col, a));
                    continue;
                }
                // Gymnasium divides by the number of directions: 1/3 for each.
                double p = 1.0 / 3;
                rows.Add(Move(s, a, p, row, col, (a + 3) % 4));
                rows.Add(Move(s, a, p, row, col, a));
                rows.Add(Move(s, a, p, row, col, (a + 1) % 4));
            }
        }
        return TabularMdp.FromTransitions(stateCount, 4, rows.ToArray(), TabularMdp.OneHot(stateCount, StartState), ActionNames);
    }

    private static bool IsCliff(int row, int col) => row == Rows - 1 && col >= 1 && col <= Cols - 2;

    private static TabularTransition Move(int s, int a, double p, int row, int col, int direction)
    {
        int r = row, c = col;
        switch (direction)
        {
            case ActionUp: r--; break;
            case ActionRight: c++; break;
            case ActionDown: r++; break;
            default: c--; break;
        }
        r = Math.Clamp(r, 0, Rows - 1);
        c = Math.Clamp(c, 0, Cols - 1);
        if (IsCliff(r, c)) return new(s, a, p, StartState, -100, false);
        int next = r * Cols + c;
        return new(s, a, p, next, -1, next == GoalState);
    }
}

/// <summary>Declares CliffWalking-v1: its id, options and model (registered in <see cref="EnvRegistry"/>).</summary>
internal sealed class CliffWalkingDeclaration : IToyTextDeclaration
{
    public static string Id => "CliffWalking-v1";
    public static ToyTextParams Parse(EnvArgs args) => new(CliffWalking.BuildModel(args.GetBool("is_slippery", false)), Id, 0, "gymnasium/envs/toy_text/cliffwalking.py");
}

/// <summary>Declares CliffWalkingSlippery-v1: its id, options and model (registered in <see cref="EnvRegistry"/>).</summary>
internal sealed class CliffWalkingSlipperyDeclaration : IToyTextDeclaration
{
    public static string Id => "CliffWalkingSlippery-v1";
    public static ToyTextParams Parse(EnvArgs args) => new(CliffWalking.BuildModel(args.GetBool("is_slippery", true)), Id, 0, "gymnasium/envs/toy_text/cliffwalking.py");
}
