using RlKernels.Kernels.Random;

namespace RlKernels.Algorithms.Deep;

/// <summary>Deterministic minibatch shuffles from Philox.</summary>
public static class Shuffle
{
    /// <summary>Purpose word of the Philox counter for minibatch permutations.</summary>
    public const uint Purpose = 0x53484646; // "SHFF"

    /// <summary>Fisher–Yates permutation of [0, n) drawn from (seed, round).</summary>
    public static void Permutation(Span<int> indices, ulong seed, uint round)
    {
        Philox4x32.KeyFromSeed(seed, out uint k0, out uint k1);
        for (int i = 0; i < indices.Length; i++) indices[i] = i;
        for (int i = indices.Length - 1; i > 0; i--)
        {
            Philox4x32.Block((uint)i, round, Purpose, 0, k0, k1, out uint bits, out _, out _, out _);
            int j = (int)(((ulong)bits * (uint)(i + 1)) >> 32);
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }
    }
}
