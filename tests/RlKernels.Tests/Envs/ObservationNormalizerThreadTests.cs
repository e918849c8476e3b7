using RlKernels.Envs.Wrappers;

namespace RlKernels.Tests.Envs;

/// <summary>
/// The running observation statistics sum over fixed blocks of rows, added in block order: the same bits
/// for any thread count, on batches large enough (several blocks, a ragged tail) to be split.
/// </summary>
public class ObservationNormalizerThreadTests
{
    [Fact]
    public void StatisticsAndOutputsAreBitIdenticalForAnyThreadCount()
    {
        int seed = Random.Shared.Next();
        var random = new Random(seed);
        // 8192 rows make at least two blocks of 256 16-row chunks; 37 more leave a partial chunk and block.
        const int envs = 3 * 8192 + 37, obs = 5;
        var batches = new float[3][];
        for (int b = 0; b < batches.Length; b++)
        {
            batches[b] = new float[envs * obs];
            for (int i = 0; i < batches[b].Length; i++) batches[b][i] = (float)(random.NextDouble() * 40 - 7 + i % obs);
        }
        (long[] Stats, int[] Output)? reference = null;
        foreach (int threads in new[] { 1, 2, 3, 5 })
        {
            using var normalizer = new ObservationNormalizer(envs, obs, new ObservationNormalization(), threads);
            var output = new float[envs * obs];
            foreach (float[] batch in batches)
            {
                normalizer.Update(batch);
                normalizer.Normalize(batch, output);
            }
            long[] stats = [.. normalizer.Mean.ToArray().Select(BitConverter.DoubleToInt64Bits), .. normalizer.Variance.ToArray().Select(BitConverter.DoubleToInt64Bits)];
            int[] outputBits = Array.ConvertAll(output, BitConverter.SingleToInt32Bits);
            if (reference is null) { reference = (stats, outputBits); continue; }
            Assert.True(reference.Value.Stats.SequenceEqual(stats), $"mean/variance differ between 1 and {threads} threads (seed {seed})");
            Assert.True(reference.Value.Output.SequenceEqual(outputBits), $"normalized observations differ between 1 and {threads} threads (seed {seed})");
        }
    }
}
