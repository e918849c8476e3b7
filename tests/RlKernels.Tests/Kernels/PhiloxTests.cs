using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;

namespace RlKernels.Tests.Kernels;

/// <summary>Philox4x32-10 known-answer vectors, on the scalar block and on every lane.</summary>
public class PhiloxTests
{
    /// <summary>
    /// Random123's published known answers, tests/kat_vectors (D. E. Shaw Research, Random123 1.14), the
    /// three "philox4x32 10" lines; columns are CTR (4 words), KEY (2 words), EXPECTED (4 words):
    /// <code>
    /// philox4x32 10 00000000 00000000 00000000 00000000 00000000 00000000   6627e8d5 e169c58d bc57ac4c 9b00dbd8
    /// philox4x32 10 ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff   408f276d 41c83b0e a20bc7c6 6d5451fd
    /// philox4x32 10 243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0   d16cfe09 94fdcceb 5001e420 24126ea1
    /// </code>
    /// The third counter/key is the leading hex digits of pi.
    /// </summary>
    public static TheoryData<uint[], uint[], uint[]> KnownAnswers => new()
    {
        { [0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u], [0x00000000u, 0x00000000u], [0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u] },
        { [0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu], [0xffffffffu, 0xffffffffu], [0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu] },
        { [0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u], [0xa4093822u, 0x299f31d0u], [0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u] },
    };

    [Theory]
    [MemberData(nameof(KnownAnswers))]
    public void ScalarBlockMatchesRandom123(uint[] ctr, uint[] key, uint[] expected)
    {
        Philox4x32.Block(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], out uint r0, out uint r1, out uint r2, out uint r3);
        KernelAssert.BitsEqual("philox4x32_10", expected, [r0, r1, r2, r3]);
    }

    [Theory]
    [MemberData(nameof(KnownAnswers))]
    public void EveryLaneMatchesRandom123(uint[] ctr, uint[] key, uint[] expected)
    {
        CheckLane<F1>(ctr, key, expected);
        CheckLane<D1>(ctr, key, expected);
        if (KernelAssert.IsSupported<F4>()) CheckLane<F4>(ctr, key, expected);
        if (KernelAssert.IsSupported<F8>()) CheckLane<F8>(ctr, key, expected);
        if (KernelAssert.IsSupported<F16>()) CheckLane<F16>(ctr, key, expected);
    }

    private static void CheckLane<T>(uint[] ctr, uint[] key, uint[] expected) where T : struct, ILane<T>
    {
        // Every element gets the same counter, so every element must give the known answer.
        T.Philox(T.BitsSplat(ctr[0]), T.BitsSplat(ctr[1]), ctr[2], ctr[3], key[0], key[1],
            out T r0, out T r1, out T r2, out T r3);
        for (int j = 0; j < T.Count; j++)
            KernelAssert.BitsEqual($"{typeof(T).Name}.Philox element {j}", expected,
                [T.BitsElement(r0, j), T.BitsElement(r1, j), T.BitsElement(r2, j), T.BitsElement(r3, j)]);
    }

    [Fact]
    public void KeyFromSeedSplitsLowThenHigh()
    {
        Philox4x32.KeyFromSeed(0x0123456789abcdefUL, out uint k0, out uint k1);
        Assert.Equal(0x89abcdefu, k0);
        Assert.Equal(0x01234567u, k1);
    }
}

/// <summary>Each lane's Philox gives the scalar block's words, bit for bit, on fresh random counters and keys.</summary>
public abstract class PhiloxLaneTests<T> where T : struct, ILane<T>
{
    [Fact]
    public void MatchesScalarBlockOnRandomInputs()
    {
        var (seed, rng) = KernelAssert.FreshRandom<T>();
        int n = T.Count;
        var c0 = new uint[n];
        var c1 = new uint[n];
        var expected = new uint[4 * n];
        var actual = new uint[4 * n];
        for (int trial = 0; trial < 200; trial++)
        {
            for (int j = 0; j < n; j++)
            {
                c0[j] = (uint)rng.NextInt64(0, 1L << 32);
                c1[j] = (uint)rng.NextInt64(0, 1L << 32);
            }
            uint c2 = (uint)rng.NextInt64(0, 1L << 32), c3 = (uint)rng.NextInt64(0, 1L << 32);
            uint k0 = (uint)rng.NextInt64(0, 1L << 32), k1 = (uint)rng.NextInt64(0, 1L << 32);
            // A few trials probe the wrap-around edges of the counter words.
            if (trial == 0) { Array.Fill(c0, uint.MaxValue); Array.Fill(c1, uint.MaxValue); }
            if (trial == 1) { Array.Fill(c0, 0u); Array.Fill(c1, 0u); }

            T.Philox(KernelAssert.FromBits<T>(c0), KernelAssert.FromBits<T>(c1), c2, c3, k0, k1,
                out T r0, out T r1, out T r2, out T r3);
            for (int j = 0; j < n; j++)
            {
                Philox4x32.Block(c0[j], c1[j], c2, c3, k0, k1,
                    out expected[4 * j], out expected[4 * j + 1], out expected[4 * j + 2], out expected[4 * j + 3]);
                actual[4 * j] = T.BitsElement(r0, j);
                actual[4 * j + 1] = T.BitsElement(r1, j);
                actual[4 * j + 2] = T.BitsElement(r2, j);
                actual[4 * j + 3] = T.BitsElement(r3, j);
            }
            KernelAssert.BitsEqual($"{typeof(T).Name}.Philox vs Philox4x32.Block", expected, actual,
                $"seed {seed}, trial {trial}, c2 0x{c2:x8} c3 0x{c3:x8} k0 0x{k0:x8} k1 0x{k1:x8}",
                i => $"(element {i / 4}, word {i % 4}, c0 0x{c0[i / 4]:x8} c1 0x{c1[i / 4]:x8})");
        }
    }
}

public sealed class PhiloxLaneTests_F1 : PhiloxLaneTests<F1>;
public sealed class PhiloxLaneTests_F4 : PhiloxLaneTests<F4>;
public sealed class PhiloxLaneTests_F8 : PhiloxLaneTests<F8>;
public sealed class PhiloxLaneTests_F16 : PhiloxLaneTests<F16>;
public sealed class PhiloxLaneTests_D1 : PhiloxLaneTests<D1>;
