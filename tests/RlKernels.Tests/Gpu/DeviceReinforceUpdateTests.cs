using RlKernels.Algorithms.Deep;
using RlKernels.Algorithms.Device;
using RlKernels.Envs.Registry;
using RlKernels.Kernels.Nn;
using RlKernels.Kernels.Threading;
using RlKernels.Tests.Kernels;
using static RlKernels.Tests.Gpu.DevicePpoUpdateTests;

namespace RlKernels.Tests.Gpu;

/// <summary>
/// One REINFORCE update (<c>DevicePpoUpdate</c> given a <see cref="ReinforceConfig"/>) on ILGPU's CPU accelerator against
/// the CPU run as <c>Reinforce.Train</c>'s loop body runs it, on a fresh random trajectory with terminations, truncations (whose
/// final values the CPU rollout without a critic does not add, and neither may the device) and episodes still running at the
/// tail (weight 0): the reward-to-go and complete flags against <see cref="Returns.RewardToGo(int, ReadOnlySpan{float}, ReadOnlySpan{bool}, int, int, ReadOnlySpan{float}, Span{float}, Span{bool})"/>
/// (what <c>Rollout.RewardToGo</c> runs), every parameter tensor of the policy and the baseline, the loss, only the [P, 3]
/// metrics copied back, and PTX for the new kernels.
/// </summary>
public class DeviceReinforceUpdateTests
{
    private const int Minibatches = 2;

    private static ReinforceConfig Config(ulong[] seeds, bool baseline, bool scale = true) => new()
    {
        Run = new RunSettings
        {
            EnvCount = N, Seeds = seeds, LearningRates = [3e-3f, 1e-3f], Gammas = [0.99f, 0.95f],
            MaxGradNorms = [0.05f, 100f], // member 0 always clipped, member 1 never
        },
        RolloutSteps = T, Minibatches = Minibatches, Baseline = baseline, ScaleWeights = scale,
    };

    /// <summary>The trajectory's rewards and done flags as the CPU rollout without a critic stores them (no truncation bootstrap), and its reward-to-go.</summary>
    private static (float[] Returns, bool[] Complete) CpuRewardToGo(Batch b, ReinforceConfig config)
    {
        var done = new bool[b.Rewards.Length];
        for (int k = 0; k < done.Length; k++) done[k] = b.Terminated[k] == 1 || b.Truncated[k] == 1;
        var returns = new float[done.Length];
        var complete = new bool[done.Length];
        Returns.RewardToGo(Pop, b.Rewards, done, T, N, config.MemberGammas(), returns, complete);
        return (returns, complete);
    }

    /// <summary>
    /// The CPU update, as <c>Reinforce.Train</c>'s loop body runs it: one shuffle, per minibatch the gather, the baseline's V,
    /// <c>Reinforce.Weights</c>, the policy step and the baseline step; the loss per member Σ dLoss/dlog π · log π of the last minibatch.
    /// </summary>
    private static (Mlp Actor, Mlp Baseline, float[] Loss) RunCpu(Mlp actor0, Mlp critic0, ReinforceConfig config, Batch b)
    {
        int batch = T * N, m = batch / config.Minibatches;
        using var pool = new WorkerPool(1);
        Mlp actor = actor0.Copy(), baseline = critic0.Copy();
        using var env = EnvRegistry.Make("CartPole-v1", 1);
        var optimizers = new Optimizers(pool);
        float[] lr = config.MemberLearningRates(), maxNorms = config.MemberMaxGradNorms();
        var step = new PolicyGradientStep(new PolicyNet(env.Spec, actor, 0f), optimizers, lr, maxNorms, m);
        NetOptimizer? baselineOpt = config.Baseline ? optimizers.Add(baseline, lr, maxNorms) : null;
        var (returns, complete) = CpuRewardToGo(b, config);
        var minibatches = new Minibatches(config.Run, batch, m);
        float[] mbObs = new float[Pop * m * Obs], mbRet = new float[Pop * m], value = new float[Pop * m], dValue = new float[Pop * m], adv = new float[Pop * m];
        int[] mbActions = new int[Pop * m];
        bool[] mbComplete = new bool[Pop * m];
        var loss = new float[Pop];
        minibatches.Shuffle();
        for (int mb = 0; mb < config.Minibatches; mb++)
        {
            minibatches.Gather<float>(b.Obs, mbObs, mb, Obs);
            minibatches.Gather<int>(b.Actions, mbActions, mb);
            minibatches.Gather<float>(returns, mbRet, mb);
            minibatches.Gather<bool>(complete, mbComplete, mb);
            if (config.Baseline) baseline.Forward(mbObs, m, value);
            Reinforce.Weights(Pop, m, mbRet, mbComplete, config.Baseline ? value : default, config.ScaleWeights, adv, step.DLogProb, dValue);
            step.Evaluate(mbObs, mbActions, [], m);
            Array.Clear(loss);
            for (int r = 0; r < Pop * m; r++) loss[r / m] += step.DLogProb[r] * step.LogProb[r];
            step.Step(mbActions, [], m);
            baselineOpt?.Descend(dValue);
        }
        return (actor, baseline, loss);
    }

    private static (int Seed, Batch B, Mlp Actor, Mlp Critic, ulong[] Seeds) Draw()
    {
        int seed = KernelAssert.FreshSeed();
        var rng = new System.Random(seed);
        Mlp actor = RandomNet([Obs, 16, 16, Classes], rng, 0.5);
        Mlp critic = RandomNet([Obs, 16, 16, 1], rng, 0.5);
        ulong[] seeds = [(ulong)rng.NextInt64(), (ulong)rng.NextInt64()];
        return (seed, RandomBatch(rng, actor), actor, critic, seeds);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void OneUpdateMatchesTheCpuReinforcePerTensor(bool baseline, bool scaleWeights)
    {
        var (seed, b, actor, critic, seeds) = Draw();
        ReinforceConfig config = Config(seeds, baseline, scaleWeights);

        var cpu = RunCpu(actor, critic, config, b);
        DeviceResult d = RunDevice(actor, critic, config, b, seeds);

        AssertTensorsMatch(seed, "policy", actor, cpu.Actor, d.Actor);
        if (baseline) AssertTensorsMatch(seed, "baseline", critic, cpu.Baseline, d.Critic);
        else Assert.Equal(critic.Parameters, d.Critic); // no baseline: the critic-shaped net is never trained
        AssertMetricsMatch(seed, cpu.Loss, d, critic: baseline);
    }

    [Fact]
    public void TheRewardToGoKernelEqualsTheCpuRewardToGo()
    {
        var (seed, b, actor, critic, seeds) = Draw();
        ReinforceConfig config = Config(seeds, baseline: true);
        var (returns, complete) = CpuRewardToGo(b, config);
        // The draw has what the test is about: episode ends of both kinds, and steps after an env's last end (incomplete).
        Assert.Contains((byte)1, b.Terminated);
        Assert.Contains(b.Truncated.Select((x, k) => x == 1 && b.Terminated[k] == 0), x => x);
        Assert.Contains(false, complete);

        DeviceResult d = RunDevice(actor, critic, config, b, seeds);

        KernelAssert.AllClose($"seed {seed}: reward-to-go", D(returns), D(d.Returns), 1e-6, 1e-6);
        Assert.Equal(complete.Select(c => c ? 1f : 0f), d.Advantages);
    }

    [Fact]
    public void ReinforceKernelsCompileToPtxWithoutExterns()
    {
        foreach (string name in new[] { nameof(DevicePpoKernels.RewardToGoKernel), nameof(DevicePpoKernels.ReinforceWeightKernel) })
            PtxAssert.CompilesWithoutExterns(typeof(DevicePpoKernels).GetMethod(name)!, "reinforce update");
    }
}
