using RlKernels.Envs.Tabular;

namespace RlKernels.Tests.Tabular;

/// <summary>The random 8x8 FrozenLake maps used by <c>rlk bench qiter</c> and the batched Q-iteration tests.</summary>
public class RandomFrozenLakeMapsTests
{
    [Fact]
    public void MapsAreWellFormedAndTheGoalIsReachable()
    {
        var maps = RandomFrozenLakeMaps.Maps(40, 11);
        Assert.Equal(40, maps.Count);
        foreach (var rows in maps)
        {
            Assert.Equal(8, rows.Length);
            Assert.All(rows, row => Assert.Equal(8, row.Length));
            string cells = string.Concat(rows);
            Assert.Equal('S', cells[0]);
            Assert.Equal('G', cells[63]);
            Assert.All(cells[1..63], c => Assert.Contains(c, "FH"));
            Assert.True(Reachable(cells), string.Join("/", rows));
        }
        // Holes are drawn with probability 0.2: 40 maps × 62 cells ≈ 496 holes (less after redraws); far from 0 and from all.
        int holes = maps.Sum(rows => string.Concat(rows).Count(c => c == 'H'));
        Assert.InRange(holes, 250, 700);
    }

    [Fact]
    public void TheSameSeedGivesTheSameMapsAndAnotherSeedOthers()
    {
        var a = RandomFrozenLakeMaps.Maps(10, 3);
        Assert.Equal(a, RandomFrozenLakeMaps.Maps(10, 3));
        Assert.NotEqual(a.Select(rows => string.Concat(rows)), RandomFrozenLakeMaps.Maps(10, 4).Select(rows => string.Concat(rows)));
        // A longer list starts with the shorter one: map m depends only on (seed, m).
        Assert.Equal(a, RandomFrozenLakeMaps.Maps(12, 3).Take(10));
    }

    [Fact]
    public void ModelsAreTheSlipperyFrozenLakeOfEachMap()
    {
        var maps = RandomFrozenLakeMaps.Maps(3, 5);
        var models = RandomFrozenLakeMaps.Models(3, 5);
        for (int m = 0; m < 3; m++)
        {
            var expected = FrozenLake.BuildModel(maps[m], isSlippery: true);
            Assert.Equal(expected.StateCount, models[m].StateCount);
            Assert.Equal(Csv(expected), Csv(models[m]));
        }
    }

    [Fact]
    public void ANegativeCountIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RandomFrozenLakeMaps.Maps(-1, 0));

    private static string Csv(TabularMdp model)
    {
        var w = new StringWriter();
        model.WriteCsv(w);
        return w.ToString();
    }

    /// <summary>Breadth-first search over non-hole cells (independent of the generator's own depth-first check).</summary>
    private static bool Reachable(string cells)
    {
        var seen = new bool[64];
        var queue = new Queue<int>([0]);
        seen[0] = true;
        while (queue.TryDequeue(out int at))
        {
            if (at == 63) return true;
            int r = at / 8, c = at % 8;
            int[] next = [r > 0 ? at - 8 : -1, r < 7 ? at + 8 : -1, c > 0 ? at - 1 : -1, c < 7 ? at + 1 : -1];
            foreach (int to in next)
                if (to >= 0 && !seen[to] && cells[to] != 'H') { seen[to] = true; queue.Enqueue(to); }
        }
        return false;
    }
}
