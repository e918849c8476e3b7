using RlKernels.Algorithms.Deep;
using RlKernels.Kernels.Nn;
using RlKernels.Tests.Kernels;
using static RlKernels.Tests.Gpu.DevicePpoUpdateTests;

namespace RlKernels.Tests.Gpu;

/// <summary>
/// One A2C update (<c>DevicePpoUpdate</c> given an <see cref="A2cConfig"/>) on ILGPU's CPU accelerator against the CPU
/// kernels run as <c>A2c.Train</c>'s loop body runs them, on a fresh random batch: GAE against a float64 reference,
/// every parameter tensor of actor and critic, the loss, and only the [P, 3] metrics copied back. The batch's stored
/// log-probabilities are off the policy's (as PPO's test draws them), so an update that took a probability ratio
/// instead of A2C's plain −A·∇log π would not match.
/// </summary>
public class DeviceA2cUpdateTests
{
    private static A2cConfig Config(ulong[] seeds, bool normalize) => new()
    {
        Run = new RunSettings
        {
            EnvCount = N, Seeds = seeds, LearningRates = [3e-3f, 1e-3f], Gammas = [0.99f, 0.95f],
            Lambdas = [0.95f, 0.8f], EntropyCoefs = [0.01f, 0.02f], MaxGradNorms = [0.05f, 100f], // member 0 always clipped, member 1 never
        },
        RolloutSteps = T, NormalizeAdvantages = normalize, ValueCoef = 0.7f,
    };

    /// <summary>
    /// The CPU update, as <c>A2c.Train</c>'s loop body runs it: advantages normalized per member over its whole rollout
    /// (when configured), one actor step on −mean(A·log π) − c_H·H over all T·N rows in rollout order, one critic step.
    /// </summary>
    private static (Mlp Actor, Mlp Critic, float[] Loss) RunCpu(Mlp actor0, Mlp critic0, A2cConfig config, Batch b)
    {
        int batch = T * N;
        using var cpu = new CpuUpdate(actor0, critic0, config, b, batch);
        float[] advantages = cpu.Advantages, entropyCoefs = config.Run.EntropyCoefs!;
        if (config.NormalizeAdvantages)
            for (int p = 0; p < Pop; p++) Returns.Normalize(advantages.AsSpan(p * batch, batch));
        PolicyGradientStep actor = cpu.Step;
        actor.Evaluate(b.Obs, b.Actions, [], batch);
        var loss = new float[Pop];
        for (int r = 0; r < Pop * batch; r++)
        {
            actor.DLogProb[r] = -advantages[r] / batch;
            loss[r / batch] -= (advantages[r] * actor.LogProb[r] + entropyCoefs[r / batch] * actor.Entropy[r]) / batch;
        }
        actor.Step(b.Actions, [], batch, entropyCoefs.Select(c => -c / batch).ToArray());
        cpu.CriticStep(b.Obs, cpu.Returns, batch);
        return (cpu.Actor, cpu.Critic, loss);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OneUpdateMatchesTheCpuA2cPerTensor(bool normalizeAdvantages)
    {
        int seed = KernelAssert.FreshSeed();
        var rng = new System.Random(seed);
        Mlp actor = RandomNet([Obs, 16, 16, Classes], rng, 0.5);
        Mlp critic = RandomNet([Obs, 16, 16, 1], rng, 0.5);
        ulong[] seeds = [(ulong)rng.NextInt64(), (ulong)rng.NextInt64()];
        A2cConfig config = Config(seeds, normalizeAdvantages);
        Batch b = RandomBatch(rng, actor);

        var cpu = RunCpu(actor, critic, config, b);
        DeviceResult d = RunDevice(actor, critic, config, b, seeds);

        AssertMatchesCpu(seed, config, b, actor, critic, cpu, d);
    }
}
