using RlKernels.Envs.Runner;
using RlKernels.Kernels.Lanes;
using Xunit;

namespace RlKernels.Tests.Envs;

/// <summary>
/// The lane-layout to row-major export writes exactly element j of feature k's lane value to row j, column k, and
/// nothing else: on the permute path (feature counts up to 8, full lane values), the groups of four beyond it and the
/// scalar path alike.
/// </summary>
public sealed class LaneRowExportTests
{
    /// <summary>Every float lane × feature counts on both sides of the permute path's limit × full or partial lane values.</summary>
    public static TheoryData<LaneKind, int, bool> Cases()
    {
        var data = new TheoryData<LaneKind, int, bool>();
        foreach (LaneKind lanes in EnvTestKit.FloatLanes)
            foreach (int features in new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 15, 16, 20, 64 })
                foreach (bool partial in new[] { false, true })
                    data.Add(lanes, features, partial);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rows_match_the_definition(LaneKind lanes, int features, bool partial)
    {
        switch (lanes)
        {
            case LaneKind.F16: Check<F16>(features, partial); break;
            case LaneKind.F8: Check<F8>(features, partial); break;
            case LaneKind.F4: Check<F4>(features, partial); break;
            case LaneKind.F1: Check<F1>(features, partial); break;
            default: throw new ArgumentOutOfRangeException(nameof(lanes), lanes, "a float lane");
        }
    }

    private static void Check<T>(int features, bool partial) where T : struct, ILane<T>
    {
        int seed = features * 2 + (partial ? 1 : 0);
        var rng = new Random(seed);
        const int vec = 2, stride = 5;
        int count = partial ? Math.Max(1, T.Count - 1 - rng.Next(T.Count)) : T.Count;
        var column = new float[T.Count];
        var lanes = new T[features * stride];
        for (int i = 0; i < lanes.Length; i++)
        {
            for (int j = 0; j < T.Count; j++) column[j] = (float)(rng.NextDouble() * 2e6 - 1e6);
            lanes[i] = T.Load(column, 0, T.Count);
        }
        int rowStart = 3 + features; // not aligned to a vector: the stores must not assume it
        foreach (bool fast in new[] { true, false })
        {
            var rows = new float[rowStart + features * T.Count + 7];
            Array.Fill(rows, -7.5f);
            new LaneRowExport<T>(features, fast).Export(lanes, vec, stride, rows, rowStart, count);
            for (int i = 0; i < rows.Length; i++)
            {
                int r = i - rowStart, j = r / features, k = r % features;
                float expected = r >= 0 && j < count ? (float)T.Element(lanes[k * stride + vec], j) : -7.5f;
                Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(rows[i]),
                    $"{typeof(T).Name} features={features} count={count} fast={fast} (supported: {LaneRowExport<T>.Supported}) seed={seed}: rows[{i}] = {rows[i]:R}, expected {expected:R}");
            }
        }
    }
}
