using RlKernels.Kernels.Random;

namespace RlKernels.Envs.Runner;

/// <summary>
/// How <see cref="IVectorEnv.Reset(ReadOnlySpan{ulong})"/> turns one seed per env into that env's random stream. All
/// envs of a runner share one Philox key, and an env's stream is the key's blocks at (counter, env index); a per-env
/// seed therefore sets the key to a fixed one and starts env i's counter at a position drawn from its seed. Env i's
/// randomness then depends only on (i, seeds[i]): the same seeds give the same episodes whatever came before.
/// </summary>
/// <remarks>Two different seeds of one env start at two of 2^32 positions of its stream: their draws overlap only if
/// the env uses more blocks than the distance between them (probability about 2·blocks / 2^32).</remarks>
public static class PerEnvSeeds
{
    /// <summary>The seed whose key every per-env-seeded runner uses.</summary>
    public const ulong KeySeed = 0x5EED_5EED_5EED_5EEDul;

    /// <summary>The key words of <see cref="KeySeed"/>.</summary>
    public static (uint Key0, uint Key1) Key()
    {
        Philox4x32.KeyFromSeed(KeySeed, out uint k0, out uint k1);
        return (k0, k1);
    }

    /// <summary>The starting RNG counter of an env seeded with <paramref name="seed"/>: the high half of SplitMix64's
    /// output function (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014).</summary>
    public static uint Counter(ulong seed)
    {
        ulong z = seed + 0x9E3779B97F4A7C15ul;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ul;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBul;
        return (uint)((z ^ (z >> 31)) >> 32);
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless there is one seed per env.</summary>
    public static void CheckLength(ReadOnlySpan<ulong> seeds, int envCount)
    {
        if (seeds.Length != envCount)
            throw new ArgumentException($"Expected {envCount} seeds (one per env), got {seeds.Length}.", nameof(seeds));
    }
}
