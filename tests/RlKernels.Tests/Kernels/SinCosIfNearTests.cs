using RlKernels.Kernels.Lanes;

namespace RlKernels.Tests.Kernels;

/// <summary>
/// <see cref="ILane{TSelf}.SinCosIfNear"/>: the same bits as <see cref="ILane{TSelf}.SinCos"/> when every element lies within
/// the float lanes' polynomial, false as soon as one element lies beyond it (on every lane width), and always true in
/// reference precision (the C library's sin and cos there).
/// </summary>
public class SinCosIfNearTests
{
    public static TheoryData<int> Widths => new(1, 4, 8, 16);

    [Theory]
    [MemberData(nameof(Widths))]
    public void NearGivesSinCosBitsAndOneFarElementSaysFalse(int width)
    {
        Assert.SkipWhen(width > 1 && !LaneSelection.IsAccelerated(width), $"{width}-float lanes are not accelerated here.");
        int seed = KernelAssert.FreshSeed();
        switch (width)
        {
            case 1: Check<F1>(seed); break;
            case 4: Check<F4>(seed); break;
            case 8: Check<F8>(seed); break;
            default: Check<F16>(seed); break;
        }
    }

    private static void Check<T>(int seed) where T : struct, ILane<T>
    {
        var rng = new System.Random(seed);
        var x = new float[T.Count];
        for (int trial = 0; trial < 200; trial++)
        {
            // Near: up to the limit itself, both signs (the limit is inside: |x| > limit is far).
            for (int j = 0; j < T.Count; j++)
                x[j] = trial == 0 ? (j % 2 == 0 ? LaneTrig.ReductionLimit : -LaneTrig.ReductionLimit)
                    : (float)((rng.NextDouble() * 2 - 1) * (trial % 2 == 0 ? 10 : LaneTrig.ReductionLimit));
            T v = T.Load(x, 0, T.Count);
            Assert.True(T.SinCosIfNear(v, out T sin, out T cos), $"near input said far; trial {trial}, seed {seed}");
            T.SinCos(v, out T sinRef, out T cosRef);
            for (int j = 0; j < T.Count; j++)
            {
                Assert.Equal(BitConverter.SingleToUInt32Bits((float)T.Element(sinRef, j)), BitConverter.SingleToUInt32Bits((float)T.Element(sin, j)));
                Assert.Equal(BitConverter.SingleToUInt32Bits((float)T.Element(cosRef, j)), BitConverter.SingleToUInt32Bits((float)T.Element(cos, j)));
            }
            // One element beyond the limit (just past it, or far past it), at a random position.
            int far = rng.Next(T.Count);
            x[far] = (trial % 2 == 0 ? 1 : -1) * (trial % 3 == 0 ? MathF.BitIncrement(LaneTrig.ReductionLimit) : 1e30f);
            Assert.False(T.SinCosIfNear(T.Load(x, 0, T.Count), out _, out _), $"element {far} = {x[far]} said near; seed {seed}");
        }
    }

    [Fact]
    public void ReferencePrecisionIsAlwaysNearAndExact()
    {
        foreach (double x in new[] { 0.0, 1.0, -3.5, 1e6, -1e30 })
        {
            Assert.True(D1.SinCosIfNear(D1.Splat(x), out D1 sin, out D1 cos));
            Assert.Equal(Math.Sin(x), D1.Element(sin, 0));
            Assert.Equal(Math.Cos(x), D1.Element(cos, 0));
        }
    }
}
