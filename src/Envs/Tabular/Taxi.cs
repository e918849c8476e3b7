using RlKernels.Kernels.Lanes;
using System.Diagnostics.CodeAnalysis;
using RlKernels.Envs.Registry;

namespace RlKernels.Envs.Tabular;

// Taxi-v4. Source: gymnasium/envs/toy_text/taxi.py (Gymnasium 1.4; the dry P equals Taxi-v3's);
// checked entry for entry against data/reference/gymnasium-toytext.
// state = ((taxi_row·5 + taxi_col)·5 + passenger)·4 + destination; passenger 0..3 = R(0,0), G(0,4),
// Y(4,0), B(4,3), 4 = in the taxi. Actions 0 SOUTH, 1 NORTH, 2 EAST, 3 WEST, 4 PICKUP, 5 DROPOFF.
// Moves cost −1; a move into the border or a wall ('|' in the map) is a no-op that still costs −1.
// PICKUP at the passenger's depot: −1, passenger aboard; any other PICKUP: −10, no-op. DROPOFF aboard
// at the destination: +20, terminated, passenger = destination; aboard at another depot: −1,
// passenger left there; anywhere else: −10, no-op. No state is absorbing.
// is_rainy: a move has outcomes intended 0.8, then two lateral moves (1 − 0.8)/2 each
// (0.09999999999999998); laterals of SOUTH are EAST, WEST; of NORTH: WEST, EAST; of EAST: NORTH,
// SOUTH; of WEST: SOUTH, NORTH; each lateral obeys walls and border like a move. A blocked intended
// move gives all three outcomes the current state. PICKUP/DROPOFF stay deterministic.
// Initial distribution: uniform (1/300) over passenger at a depot other than the destination.
// Time limit 200. Deviations: fickle_passenger (applied inside Gymnasium's step(), not in P) is not
// supported.

/// <summary>Taxi's P, built as Gymnasium builds it.</summary>
public static class Taxi
{
    /// <summary>500 states (25 taxi cells × 5 passenger places × 4 destinations), 6 actions, time limit 200 steps.</summary>
    public const int StateCount = 500, ActionCount = 6, MaxEpisodeSteps = 200;
    /// <summary>Action indices, as in Gymnasium: 0 south, 1 north, 2 east, 3 west, 4 pickup, 5 dropoff.</summary>
    public const int ActionSouth = 0, ActionNorth = 1, ActionEast = 2, ActionWest = 3, ActionPickup = 4, ActionDropoff = 5;
    /// <summary>With <c>is_rainy</c>: probability that a move goes where intended (the rest splits between the two lateral moves).</summary>
    public const double RainyIntendedProbability = 0.8;
    /// <summary>Action names by index.</summary>
    public static readonly IReadOnlyList<string> ActionNames = ["SOUTH", "NORTH", "EAST", "WEST", "PICKUP", "DROPOFF"];

    /// <summary>Gymnasium's map: '|' between two columns is a wall, ':' is open.</summary>
    public static readonly IReadOnlyList<string> Map =
    [
        "+---------+",
        "|R: | : :G|",
        "| : | : : |",
        "| : : : : |",
        "| | : | : |",
        "|Y| : |B: |",
        "+---------+",
    ];

    /// <summary>Depots R, G, Y, B as (row, col).</summary>
    public static readonly IReadOnlyList<(int Row, int Col)> Locations = [(0, 0), (0, 4), (4, 0), (4, 3)];

    /// <summary>
    /// State index ((taxiRow·5 + taxiCol)·5 + passenger)·4 + destination. <paramref name="passenger"/> is a depot
    /// index 0..3 (<see cref="Locations"/>) or 4 for in the taxi; <paramref name="destination"/> is a depot index.
    /// </summary>
    public static int Encode(int taxiRow, int taxiCol, int passenger, int destination) =>
        ((taxiRow * 5 + taxiCol) * 5 + passenger) * 4 + destination;

    /// <summary>The model for Gymnasium options: <c>is_rainy</c> (default false).</summary>
    public static TabularMdp BuildModel(IReadOnlyDictionary<string, string>? options = null)
    {
        var args = options is null ? EnvArgs.Empty : new EnvArgs(options);
        var model = BuildModel(args.GetBool("is_rainy", false));
        args.ThrowIfUnread("Taxi-v4");
        return model;
    }

    /// <summary>
    /// The model, with Gymnasium's rewards (−1 per step, −10 for an illegal pickup or dropoff, +20 for delivering)
    /// and initial distribution (uniform over passenger at a depot other than the destination).
    /// <paramref name="isRainy"/>: moves succeed with <see cref="RainyIntendedProbability"/>, else slip sideways.
    /// </summary>
    public static TabularMdp BuildModel(bool isRainy)
    {
        var rows = new List<TabularTransition>(StateCount * ActionCount * 3);
        var initial = new double[StateCount];
        int startCount = 0;
        for (int row = 0; row < 5; row++)
            for (int col = 0; col < 5; col++)
                for (int pass = 0; pass < 5; pass++)
                    for (int dest = 0; dest < 4; dest++)
                    {
                        int s = Encode(row, col, pass, dest);
                        if (pass < 4 && pass != dest)
                        {
                            initial[s] = 1;
                            startCount++;
                        }
                        for (int a = 0; a < ActionCount; a++)
                        {
                            if (a <= ActionWest)
                            {
                                var (r, c) = Step(row, col, a);
                                if (!isRainy || (r == row && c == col))
                                {
                                    if (!isRainy)
                                        rows.Add(new(s, a, 1.0, Encode(r, c, pass, dest), -1, false));
                                    else
                                        for (int k = 0; k < 3; k++)
                                            rows.Add(new(s, a, k == 0 ? RainyIntendedProbability : LateralProbability, s, -1, false));
                                    continue;
                                }
                                rows.Add(new(s, a, RainyIntendedProbability, Encode(r, c, pass, dest), -1, false));
                                var (l1, l2) = Laterals(a);
                                var (r1, c1) = Step(row, col, l1);
                                rows.Add(new(s, a, LateralProbability, Encode(r1, c1, pass, dest), -1, false));
                                var (r2, c2) = Step(row, col, l2);
                                rows.Add(new(s, a, LateralProbability, Encode(r2, c2, pass, dest), -1, false));
                            }
                            else if (a == ActionPickup)
                            {
                                bool canPick = pass < 4 && Locations[pass] == (row, col);
                                rows.Add(canPick
                                    ? new(s, a, 1.0, Encode(row, col, 4, dest), -1, false)
                                    : new(s, a, 1.0, s, -10, false));
                            }
                            else
                            {
                                int depot = IndexOf((row, col));
                                if (pass == 4 && depot == dest)
                                    rows.Add(new(s, a, 1.0, Encode(row, col, dest, dest), 20, true));
                                else if (pass == 4 && depot >= 0)
                                    rows.Add(new(s, a, 1.0, Encode(row, col, depot, dest), -1, false));
                                else
                                    rows.Add(new(s, a, 1.0, s, -10, false));
                            }
                        }
                    }
        for (int s = 0; s < StateCount; s++) initial[s] /= startCount;
        return TabularMdp.FromTransitions(StateCount, ActionCount, rows.ToArray(), initial, ActionNames);
    }

    private static readonly double LateralProbability = (1.0 - RainyIntendedProbability) / 2.0;

    private static int IndexOf((int, int) cell)
    {
        for (int i = 0; i < Locations.Count; i++)
            if (Locations[i] == cell) return i;
        return -1;
    }

    private static (int, int) Laterals(int move) => move switch
    {
        ActionSouth => (ActionEast, ActionWest),
        ActionNorth => (ActionWest, ActionEast),
        ActionEast => (ActionNorth, ActionSouth),
        _ => (ActionSouth, ActionNorth),
    };

    /// <summary>Where a move takes the taxi: the border and walls leave it in place.</summary>
    private static (int Row, int Col) Step(int row, int col, int move) => move switch
    {
        ActionSouth => (Math.Min(row + 1, 4), col),
        ActionNorth => (Math.Max(row - 1, 0), col),
        ActionEast => (row, Map[1 + row][2 * col + 2] == ':' ? Math.Min(col + 1, 4) : col),
        _ => (row, Map[1 + row][2 * col] == ':' ? Math.Max(col - 1, 0) : col),
    };
}

/// <summary>Declares Taxi-v4: its id, options and model (registered in <see cref="EnvRegistry"/>).</summary>
internal sealed class TaxiDeclaration : IToyTextDeclaration
{
    public static string Id => "Taxi-v4";
    public static ToyTextParams Parse(EnvArgs args) => new(Taxi.BuildModel(args.GetBool("is_rainy", false)), Id, Taxi.MaxEpisodeSteps, "gymnasium/envs/toy_text/taxi.py");
}
