using System.Runtime.Intrinsics.X86;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Tests.Envs;

/// <summary>The packed resets' list building (<see cref="ResetPacking"/>) against a loop over the mask's bits, on random masks and counters.</summary>
public class ResetPackingTests
{
    [Fact]
    public void CompressAppendsTheNamedEnvsAndCountersInOrder()
    {
        Assert.SkipUnless(Avx512F.IsSupported, "The packed form needs AVX-512.");
        var rng = new Random(391);
        const int lanes = 16, values = 40;
        var envs = new uint[(values + 1) * lanes];
        var counters = new uint[envs.Length];
        var expectedEnvs = new List<uint>();
        var expectedCounters = new List<uint>();
        int count = 0;
        var flags = new float[lanes];
        var counterColumn = new uint[lanes];
        for (int v = 0; v < values; v++)
        {
            // Masks from empty to full, the rest random.
            int density = v switch { 0 => 0, 1 => lanes, _ => rng.Next(lanes + 1) };
            for (int j = 0; j < lanes; j++)
            {
                flags[j] = rng.Next(lanes) < density ? 1f : 0f;
                counterColumn[j] = (uint)rng.Next();
            }
            F16 mask = F16.NonZero(F16.Load(flags, 0, lanes));
            ulong bits = F16.MaskBits(mask);
            uint firstEnv = (uint)(v * lanes + rng.Next(3));
            for (int j = 0; j < lanes; j++)
                if ((bits >> j & 1) != 0)
                {
                    expectedEnvs.Add(firstEnv + (uint)j);
                    expectedCounters.Add(counterColumn[j]);
                }
            Assert.True(ResetPacking.TryPack(mask, bits, firstEnv, ref counterColumn[0], envs, counters, ref count));
            Assert.Equal(expectedEnvs.Count, count);
        }
        Assert.Equal(expectedEnvs, envs.Take(count));
        Assert.Equal(expectedCounters, counters.Take(count));
    }

    [Fact]
    public void OtherLanesAreLeftToTheLoop()
    {
        var envs = new uint[32];
        int count = 0;
        uint counter = 7;
        Assert.False(ResetPacking.TryPack(F8.TrueMask, 0xFF, 0, ref counter, envs, envs, ref count));
        Assert.False(ResetPacking.TryPack(D1.TrueMask, 1, 0, ref counter, envs, envs, ref count));
        Assert.Equal(0, count);
        Assert.All(envs, e => Assert.Equal(0u, e));
    }
}
