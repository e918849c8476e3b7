using RlKernels.Kernels.Random;

namespace RlKernels.Algorithms.Deep;

/// <summary>
/// ε-greedy actions of the Q-learning family (network SARSA, DQN, PQN): env i of member p explores when
/// u &lt; ε, with (u, pick) from Philox(counter = (i, step, purpose, 0), key = seed_p), so a member's choices depend
/// only on its own seed, never on the population around it.
/// </summary>
public static class EpsilonGreedy
{
    /// <summary>Fills <paramref name="chosen"/> ([P, N]) with uniform actions where exploring, else the arg-max of
    /// <paramref name="qValues"/> ([P, N, K]; not read when <paramref name="epsilon"/> ≥ 1, since every env explores).</summary>
    public static void Choose(ReadOnlySpan<float> qValues, int n, int k, float epsilon, RunSettings run, uint step, uint purpose, Span<int> chosen)
    {
        for (int p = 0; p < run.Population; p++)
        {
            Philox4x32.KeyFromSeed(run.SeedOf(p), out uint k0, out uint k1);
            for (int i = 0; i < n; i++)
            {
                int e = p * n + i;
                Philox4x32.Block((uint)i, step, purpose, 0, k0, k1, out uint explore, out uint pick, out _, out _);
                chosen[e] = Philox4x32.ToUnit(explore) < epsilon ? (int)(((ulong)pick * (uint)k) >> 32) : ArgMax(qValues.Slice(e * k, k));
            }
        }
    }

    /// <summary>The first index of the largest value of <paramref name="row"/>.</summary>
    public static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int c = 1; c < row.Length; c++) if (row[c] > row[best]) best = c;
        return best;
    }
}
