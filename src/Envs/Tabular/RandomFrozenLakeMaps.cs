using RlKernels.Kernels.Random;

namespace RlKernels.Envs.Tabular;

/// <summary>
/// Random slippery 8x8 FrozenLake maps as Gymnasium's generate_random_map draws them: S at the top
/// left, G at the bottom right, every other cell a hole with probability 0.2, redrawn until a path of
/// non-hole cells joins S and G (a map whose goal is unreachable converges in one sweep). One Philox
/// block per (map, attempt, cell), so the same (count, seed) gives the same maps on every machine.
/// Used by <c>rlk bench qiter</c> and by the batched Q-iteration tests as a family of MDPs that share
/// their shape but not their transitions.
/// </summary>
public static class RandomFrozenLakeMaps
{
    private const int Side = 8;
    private const int Cells = Side * Side;
    private const float FrozenProbability = 0.8f;
    private const uint Stream = 0xF207E1A4u;

    /// <summary>The rows (8 strings of 8 letters S/F/H/G) of <paramref name="count"/> random maps drawn from <paramref name="seed"/>.</summary>
    public static List<string[]> Maps(int count, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Philox4x32.KeyFromSeed(seed, out uint k0, out uint k1);
        var maps = new List<string[]>(count);
        var cells = new char[Cells];
        for (int m = 0; m < count; m++)
        {
            for (uint attempt = 0; ; attempt++)
            {
                for (int c = 0; c < Cells; c++)
                {
                    Philox4x32.Block((uint)m, (uint)c, attempt, Stream, k0, k1, out uint bits, out _, out _, out _);
                    cells[c] = Philox4x32.ToUnit(bits) < FrozenProbability ? 'F' : 'H';
                }
                cells[0] = 'S';
                cells[Cells - 1] = 'G';
                if (GoalReachable(cells)) break;
            }
            var rows = new string[Side];
            for (int r = 0; r < Side; r++) rows[r] = new string(cells, r * Side, Side);
            maps.Add(rows);
        }
        return maps;
    }

    /// <summary>The slippery FrozenLake model of each map of <see cref="Maps"/>.</summary>
    public static List<TabularMdp> Models(int count, ulong seed) =>
        Maps(count, seed).Select(rows => FrozenLake.BuildModel(rows, isSlippery: true)).ToList();

    /// <summary>Depth-first search from the first cell to the last over non-hole cells.</summary>
    private static bool GoalReachable(char[] cells)
    {
        var seen = new bool[Cells];
        var stack = new Stack<int>();
        stack.Push(0);
        seen[0] = true;
        while (stack.Count > 0)
        {
            int at = stack.Pop();
            if (at == Cells - 1) return true;
            int r = at / Side, c = at % Side;
            foreach (var (dr, dc) in new[] { (1, 0), (-1, 0), (0, 1), (0, -1) })
            {
                int nr = r + dr, nc = c + dc;
                if (nr < 0 || nr >= Side || nc < 0 || nc >= Side) continue;
                int to = nr * Side + nc;
                if (seen[to] || cells[to] == 'H') continue;
                seen[to] = true;
                stack.Push(to);
            }
        }
        return false;
    }
}
