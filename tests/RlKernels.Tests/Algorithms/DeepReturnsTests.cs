using RlKernels.Algorithms.Deep;
using RlKernels.Kernels.Nn;

namespace RlKernels.Tests.Algorithms;

/// <summary>Return and advantage estimators against naive loops written from the definitions (CleanRL test_jax_compute_gae.py).</summary>
public class DeepReturnsTests
{
    private static (float[] Rewards, float[] Values, bool[] Done, float[] Last) RandomRollout(int t, int n, int seed)
    {
        var rng = new System.Random(seed); // test data only; the library samples from Philox
        var rewards = Enumerable.Range(0, t * n).Select(_ => (float)rng.NextDouble() * 2 - 1).ToArray();
        var values = Enumerable.Range(0, t * n).Select(_ => (float)rng.NextDouble() * 4 - 2).ToArray();
        var done = Enumerable.Range(0, t * n).Select(_ => rng.NextDouble() < 0.1).ToArray();
        var last = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
        return (rewards, values, done, last);
    }

    [Theory]
    [InlineData(1, 1, 0.99f, 0.95f)]
    [InlineData(37, 5, 0.9f, 0.0f)]
    [InlineData(64, 3, 1.0f, 1.0f)]
    public void GaeMatchesTheDefinitionSumOfDiscountedTdErrors(int t, int n, float gamma, float lambda)
    {
        var (rewards, values, done, last) = RandomRollout(t, n, t * 31 + n);
        var adv = new float[t * n];
        var ret = new float[t * n];
        Returns.Gae(rewards, values, done, last, t, n, gamma, lambda, adv, ret);
        for (int i = 0; i < n; i++)
            for (int s = 0; s < t; s++)
            {
                // A_s = Σ_{k ≥ s} (γλ)^{k−s} δ_k up to and including the first done step.
                double a = 0, w = 1;
                for (int k = s; k < t; k++)
                {
                    double next = k + 1 < t ? values[(k + 1) * n + i] : last[i];
                    double delta = rewards[k * n + i] + (done[k * n + i] ? 0 : gamma * next) - values[k * n + i];
                    a += w * delta;
                    if (done[k * n + i]) break;
                    w *= gamma * lambda;
                }
                Assert.Equal(a, adv[s * n + i], 1e-4);
                Assert.Equal(a + values[s * n + i], ret[s * n + i], 1e-4);
            }
    }

    [Fact]
    public void PopulationGaeGivesEachMemberItsOwnGammaAndLambda()
    {
        // Member p's block of the population call equals the one-member call with its own γ and λ, bit for bit.
        const int pop = 3, t = 20, n = 4, b = t * n;
        float[] gammas = [0.9f, 0.99f, 1f], lambdas = [0f, 0.95f, 0.5f];
        var rollouts = Enumerable.Range(0, pop).Select(p => RandomRollout(t, n, 100 + p)).ToArray();
        float[] rewards = [.. rollouts.SelectMany(r => r.Rewards)], values = [.. rollouts.SelectMany(r => r.Values)];
        bool[] done = [.. rollouts.SelectMany(r => r.Done)];
        float[] last = [.. rollouts.SelectMany(r => r.Last)];
        var adv = new float[pop * b];
        var ret = new float[pop * b];
        Returns.Gae(pop, rewards, values, done, last, t, n, gammas, lambdas, adv, ret);
        for (int p = 0; p < pop; p++)
        {
            var own = new float[b];
            var ownRet = new float[b];
            var r = rollouts[p];
            Returns.Gae(r.Rewards, r.Values, r.Done, r.Last, t, n, gammas[p], lambdas[p], own, ownRet);
            Assert.Equal(own, adv.AsSpan(p * b, b).ToArray());
            Assert.Equal(ownRet, ret.AsSpan(p * b, b).ToArray());
        }
        Assert.Throws<ArgumentException>(() => Returns.Gae(pop, rewards, values, done, last, t, n, gammas, [0.5f], adv, ret));
    }

    [Fact]
    public void RewardToGoRestartsAtEpisodeEndsAndFlagsIncompleteTails()
    {
        const int t = 50, n = 4;
        const float gamma = 0.97f;
        var (rewards, _, done, _) = RandomRollout(t, n, 5);
        var g = new float[t * n];
        var complete = new bool[t * n];
        Returns.RewardToGo(rewards, done, t, n, gamma, g, complete);
        for (int i = 0; i < n; i++)
            for (int s = 0; s < t; s++)
            {
                double sum = 0, w = 1;
                bool ended = false;
                for (int k = s; k < t; k++)
                {
                    sum += w * rewards[k * n + i];
                    w *= gamma;
                    if (done[k * n + i]) { ended = true; break; }
                }
                Assert.Equal(sum, g[s * n + i], 1e-4);
                Assert.Equal(ended, complete[s * n + i]);
            }
    }

    [Fact]
    public void SafetensorsRoundTripsAndChecksShapes()
    {
        string path = Path.Combine(Path.GetTempPath(), $"rlk-{Guid.NewGuid():N}.safetensors");
        try
        {
            var a = new SafeTensor("a.weight", [2, 3], [1, 2, 3, 4, 5, 6]);
            var b = new SafeTensor("b", [1], [float.Pi]);
            Safetensors.Save(path, [a, b], new Dictionary<string, string> { ["k"] = "v" });
            var (tensors, meta) = Safetensors.Load(path);
            Assert.Equal("v", meta["k"]);
            Assert.Equal(a.Data, Safetensors.Require(tensors, "a.weight", [2, 3]));
            Assert.Equal(b.Data, tensors["b"].Data);
            // The header length is a multiple of 8 and the data follows it (the format's alignment rule).
            ulong headerLength = BitConverter.ToUInt64(File.ReadAllBytes(path), 0);
            Assert.Equal(0UL, headerLength % 8);
            Assert.Equal(8 + (long)headerLength + 4 * 7, new FileInfo(path).Length);
            Assert.Throws<SafetensorsFormatException>(() => Safetensors.Require(tensors, "a.weight", [3, 2]));
            Assert.Throws<SafetensorsFormatException>(() => Safetensors.Require(tensors, "missing", [1]));
        }
        finally { File.Delete(path); }
    }
}
