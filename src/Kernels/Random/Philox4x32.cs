using System.Runtime.CompilerServices;

namespace RlKernels.Kernels.Random;

/// <summary>
/// Philox4x32-10, the counter-based generator of Salmon et al., "Parallel Random Numbers: As Easy as
/// 1, 2, 3" (SC 2011). A block maps (counter[4], key[2]) to four 32-bit words; the same inputs give the
/// same words on every backend, so randomness depends only on what goes into the counter.
/// </summary>
/// <remarks>
/// Constants and round structure follow the paper and the Random123 reference (philox.h): multipliers
/// 0xD2511F53 / 0xCD9E8D57, Weyl key increments 0x9E3779B9 / 0xBB67AE85. This scalar form is written
/// with plain uint arithmetic so it also runs inside ILGPU kernels.
/// </remarks>
public static class Philox4x32
{
    /// <summary>Round multiplier applied to counter word 0.</summary>
    public const uint M0 = 0xD2511F53u;
    /// <summary>Round multiplier applied to counter word 2.</summary>
    public const uint M1 = 0xCD9E8D57u;
    /// <summary>Weyl increment added to key word 0 after each round.</summary>
    public const uint W0 = 0x9E3779B9u;
    /// <summary>Weyl increment added to key word 1 after each round.</summary>
    public const uint W1 = 0xBB67AE85u;
    /// <summary>Number of rounds (Philox4x32-10).</summary>
    public const int Rounds = 10;

    /// <summary>One Philox4x32-10 block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1,
        out uint r0, out uint r1, out uint r2, out uint r3)
    {
        for (int round = 0; round < Rounds; round++)
        {
            ulong p0 = (ulong)M0 * c0;
            ulong p1 = (ulong)M1 * c2;
            uint hi0 = (uint)(p0 >> 32), lo0 = (uint)p0;
            uint hi1 = (uint)(p1 >> 32), lo1 = (uint)p1;
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
            k0 += W0;
            k1 += W1;
        }
        r0 = c0; r1 = c1; r2 = c2; r3 = c3;
    }

    /// <summary>The two key words derived from a 64-bit seed.</summary>
    public static void KeyFromSeed(ulong seed, out uint k0, out uint k1)
    {
        k0 = (uint)seed;
        k1 = (uint)(seed >> 32);
    }

    /// <summary>Uniform in [0, 1) with 24 random bits: exactly representable in float and double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToUnit(uint bits) => (bits >> 8) * (1.0f / 16777216.0f);

    /// <summary>
    /// Uniform in (0, 1) with 23 random bits: ((bits >> 9) + 0.5) · 2^-23, from 2^-24 to 1 − 2^-24, never 0 or 1,
    /// so safe for a logarithm. Only 23 bits, because k + 0.5 must stay exact in float's 24-bit significand
    /// (with 24 bits, k + 0.5 rounds to even for k ≥ 2^23, and 0xffffffff maps to exactly 1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToOpenUnit(uint bits) => ((bits >> 9) + 0.5f) * (1.0f / 8388608.0f);
}
