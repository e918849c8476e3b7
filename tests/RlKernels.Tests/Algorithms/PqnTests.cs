using RlKernels.Algorithms.Deep;
using RlKernels.Envs.Registry;
using RlKernels.Kernels.Nn;
using RlKernels.Kernels.Threading;
using RlKernels.Tests.Kernels;
using RlKernels.Tests.Nn;
using RlKernels.Tests.Reference;
using Xunit;

namespace RlKernels.Tests.Algorithms;

/// <summary>PQN: its LayerNorm Q network against a float64 composition of the reference ops, its Q(λ) returns, its model file, a short run.</summary>
public class PqnTests(ITestOutputHelper log) : NnTest
{
    [Theory]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Tanh)]
    public void LayerNormNetMatchesTheReferenceOpsForwardAndBackward(Activation activation)
    {
        const int P = 2, B = 7;
        int[] sizes = [5, 16, 12, 3];
        using var pool = new WorkerPool(1);
        var mlp = new Mlp(sizes, activation, Activation.Identity, P, pool);
        mlp.Initialize((ulong)_data.Seed);
        var net = new LayerNormNet(mlp);
        float[] normInit = NnTestData.ToFloat(_data.Uniform(net.Norms.Length));
        normInit.CopyTo(net.Norms, 0);
        var (x, xd) = _data.Pair(P * B * sizes[0], 2);
        var (dY, dYd) = _data.Pair(P * B * sizes[^1]);
        var y = NnTestData.Poisoned(P * B * sizes[^1]);
        net.Forward(x, B, y);
        net.ZeroGradients();
        net.Backward(dY);

        // The same network in float64, op by op, kept for the backward pass.
        double[] D(Span<float> s) => NnTestData.ToDouble(s.ToArray());
        var hs = new List<double[]> { xd };
        var zs = new List<double[]>();
        double[] h = xd;
        for (int l = 0; l < sizes.Length - 2; l++)
        {
            double[] z = LinearReference.Forward(h, D(mlp.Weight(l)), D(mlp.Bias(l)), P, B, sizes[l], sizes[l + 1]);
            zs.Add(z);
            h = ActivationReference.Forward(activation, LayerNormReference.Forward(z, D(net.Gain(l)), D(net.NormBias(l)), P, B, sizes[l + 1], LayerNorm.DefaultEpsilon));
            hs.Add(h);
        }
        int last = sizes.Length - 2;
        _data.Close(LinearReference.Forward(h, D(mlp.Weight(last)), D(mlp.Bias(last)), P, B, sizes[last], sizes[last + 1]), y, "y", 1e-4, 1e-5);

        var (dH, dW, dBias) = LinearReference.Backward(hs[last], D(mlp.Weight(last)), dYd, P, B, sizes[last], sizes[last + 1]);
        _data.Close(dW, mlp.WeightGradient(last), $"dW{last}", 1e-3, 1e-4);
        _data.Close(dBias, mlp.BiasGradient(last), $"db{last}", 1e-3, 1e-4);
        for (int l = last - 1; l >= 0; l--)
        {
            double[] dU = ActivationReference.Backward(activation, hs[l + 1], dH);
            var (dZ, dGain, dNormBias) = LayerNormReference.Backward(zs[l], D(net.Gain(l)), dU, P, B, sizes[l + 1], LayerNorm.DefaultEpsilon);
            _data.Close(dGain, net.NormGradients.AsSpan(net.NormLayout.Offset(2 * l), P * sizes[l + 1]), $"dGain{l}", 1e-3, 1e-4);
            _data.Close(dNormBias, net.NormGradients.AsSpan(net.NormLayout.Offset(2 * l + 1), P * sizes[l + 1]), $"dNormBias{l}", 1e-3, 1e-4);
            (dH, dW, dBias) = LinearReference.Backward(hs[l], D(mlp.Weight(l)), dZ, P, B, sizes[l], sizes[l + 1]);
            _data.Close(dW, mlp.WeightGradient(l), $"dW{l}", 1e-3, 1e-4);
            _data.Close(dBias, mlp.BiasGradient(l), $"db{l}", 1e-3, 1e-4);
        }
    }

    [Fact]
    public void LambdaReturnsMatchHandWorkedCases()
    {
        // One member, one env, T = 4: steps 0, 1 live, step 1 ends by truncation, step 2 live, step 3 terminates.
        float[] r = [1, 2, 3, 4];
        bool[] term = [false, false, false, true];
        bool[] trunc = [false, true, false, false];
        float[] maxQ = [10, 20, 30, 40, 50];     // max Q(s_t), t = 0..4
        float[] finalMaxQ = [0, 7, 0, 0];        // max Q(s_final) of the truncated step
        const float g = 0.9f, lam = 0.5f;
        var ret = new float[4];
        Pqn.LambdaReturns(r, term, trunc, maxQ, finalMaxQ, 1, 4, 1, [g], [lam], ret);
        float g3 = 4;                                  // terminated: r alone
        float g2 = 3 + g * ((1 - lam) * 40 + lam * g3); // live: mixes max Q(s_3) and G_3
        float g1 = 2 + g * 7;                          // truncated: bootstraps from the final observation
        float g0 = 1 + g * ((1 - lam) * 20 + lam * g1);
        Assert.Equal([g0, g1, g2, g3], ret);

        // λ = 0 is the one-step target everywhere; the last step bootstraps from s_T when the episode goes on.
        term[3] = false;
        Pqn.LambdaReturns(r, term, trunc, maxQ, finalMaxQ, 1, 4, 1, [g], [0f], ret);
        Assert.Equal([1 + g * 20, 2 + g * 7, 3 + g * 40, 4 + g * 50], ret);
    }

    [Fact]
    public void LambdaOneIsTheDiscountedReturnToTheEpisodeOrRolloutEnd()
    {
        int seed = KernelAssert.FreshSeed();
        var rng = new System.Random(seed);
        const int P = 2, T = 9, N = 3;
        float[] r = Enumerable.Range(0, P * T * N).Select(_ => (float)rng.NextDouble()).ToArray();
        bool[] term = Enumerable.Range(0, P * T * N).Select(_ => rng.Next(5) == 0).ToArray();
        bool[] trunc = Enumerable.Range(0, P * T * N).Select(i => !term[i] && rng.Next(6) == 0).ToArray();
        float[] maxQ = Enumerable.Range(0, P * (T + 1) * N).Select(_ => (float)rng.NextDouble() * 5).ToArray();
        float[] finalMaxQ = Enumerable.Range(0, P * T * N).Select(_ => (float)rng.NextDouble() * 5).ToArray();
        var ret = new float[P * T * N];
        float[] gammas = [0.95f, 0.8f]; // each member its own γ
        Pqn.LambdaReturns(r, term, trunc, maxQ, finalMaxQ, P, T, N, gammas, [1f, 1f], ret);
        for (int p = 0; p < P; p++)
            for (int i = 0; i < N; i++)
                for (int s = 0; s < T; s++)
                {
                    // Forward from s: Σ γ^k r until the episode ends (0 or final max Q) or the rollout does (max Q(s_T)).
                    double sum = 0, disc = 1;
                    for (int u = s; ; u++)
                    {
                        int j = (p * T + u) * N + i;
                        sum += disc * r[j];
                        disc *= gammas[p];
                        if (term[j]) break;
                        if (trunc[j]) { sum += disc * finalMaxQ[j]; break; }
                        if (u == T - 1) { sum += disc * maxQ[(p * (T + 1) + T) * N + i]; break; }
                    }
                    float got = ret[(p * T + s) * N + i];
                    Assert.True(Math.Abs(got - sum) < 1e-4 * Math.Max(1, Math.Abs(sum)), $"p {p} i {i} s {s}: {got} vs {sum} (seed {seed})");
                }
    }

    [Fact]
    public void ClippingBoundsTheJointNormOfLinearAndNormGradients()
    {
        using var pool = new WorkerPool(1);
        var net = new LayerNormNet(new Mlp([3, 8, 2], Activation.Relu, Activation.Identity, 2, pool));
        NnTestData.ToFloat(_data.Uniform(net.Linear.Gradients.Length, 3)).CopyTo(net.Linear.Gradients, 0);
        NnTestData.ToFloat(_data.Uniform(net.NormGradients.Length, 3)).CopyTo(net.NormGradients, 0);
        float[] before = [.. net.Linear.Gradients, .. net.NormGradients];
        var norms = new float[2];
        Pqn.ClipGlobalNorm(net, 1f, norms);
        Assert.True(norms[0] > 1 && norms[1] > 1);
        float[] after = [.. net.Linear.Gradients, .. net.NormGradients];
        for (int p = 0; p < 2; p++)
        {
            double sq = 0;
            for (int t = 0; t < net.Linear.Layout.TensorCount; t++)
                foreach (float v in net.Linear.Gradients.AsSpan(net.Linear.Layout.MemberOffset(t, p), net.Linear.Layout.MemberSize(t))) sq += v * v;
            for (int t = 0; t < net.NormLayout.TensorCount; t++)
                foreach (float v in net.NormGradients.AsSpan(net.NormLayout.MemberOffset(t, p), net.NormLayout.MemberSize(t))) sq += v * v;
            Assert.Equal(1.0, Math.Sqrt(sq), 4);
        }
        // Same direction: every element scaled by its member's factor 1/norm.
        Assert.Equal(before[0] / norms[0], after[0], 5);
    }

    private static PqnConfig Short(ulong seed, long steps) => new()
    {
        Run = new() { EnvId = "CartPole-v1", EnvCount = 16, TotalSteps = steps, Seed = seed, TargetReturn = null, Threads = 1 },
        RolloutSteps = 32, Hidden = [64, 64], Minibatches = 4, LearningRate = 5e-4f,
    };

    [Fact]
    public void AShortRunLearnsCartPoleAndItsModelFileKeepsTheNorms()
    {
        var result = Pqn.Train(Short(2, 81_920));
        var policy = result.Policy!;
        Assert.NotNull(policy.Normed);
        double greedy = Evaluation.MeanReturns(policy, 20, 77)[0];
        log.WriteLine($"pqn CartPole-v1 81 920 steps seed 2: greedy mean return {greedy:F1}");
        Assert.True(greedy > 100, $"greedy mean return {greedy:F1} (a random policy gets about 22)");

        string dir = Directory.CreateTempSubdirectory("rlk-pqn-").FullName;
        try
        {
            string path = Path.Combine(dir, "model.safetensors");
            policy.Save(path, new Dictionary<string, string>());
            var loaded = PolicyNet.Load(path, EnvRegistry.Make("CartPole-v1", 1).Spec);
            Assert.NotNull(loaded.Normed);
            Assert.Equal(policy.Normed!.Norms, loaded.Normed!.Norms);
            Assert.Equal(greedy, Evaluation.MeanReturns(loaded, 20, 77)[0]);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void TrainingIsDeterministicInItsSeed()
    {
        var a = Pqn.Train(Short(3, 2_048));
        var b = Pqn.Train(Short(3, 2_048));
        Assert.Equal(a.Policy!.Net.Parameters, b.Policy!.Net.Parameters);
        Assert.Equal(a.Policy!.Normed!.Norms, b.Policy!.Normed!.Norms);
        Assert.Throws<ArgumentException>(() => Pqn.Train(new PqnConfig { Lambda = 2 }));
        Assert.Contains("discrete", Assert.Throws<ArgumentException>(() => Pqn.Train(new PqnConfig { Run = new() { EnvId = "Pendulum-v1", EnvCount = 2, TotalSteps = 100 } })).Message);
    }
}
