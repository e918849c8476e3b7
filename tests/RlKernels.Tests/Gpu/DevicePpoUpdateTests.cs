using ILGPU;
using ILGPU.Runtime;
using RlKernels.Algorithms.Deep;
using RlKernels.Algorithms.Device;
using RlKernels.Envs;
using RlKernels.Envs.Registry;
using RlKernels.Kernels.Gpu;
using RlKernels.Kernels.Nn;
using RlKernels.Kernels.Threading;
using RlKernels.Tests.Kernels;

namespace RlKernels.Tests.Gpu;

/// <summary>
/// One PPO update on ILGPU's CPU accelerator against the CPU kernels on the same fresh random batch (same
/// minibatch permutations): GAE against a float64 reference, every parameter tensor of actor and critic
/// after the update against the CPU's <c>PolicyGradientStep</c>/<c>NetOptimizer</c> run as <c>Ppo.Train</c>
/// runs them, only the [P, 3] metrics copied back, and every kernel compiled to PTX.
/// </summary>
public class DevicePpoUpdateTests
{
    internal const int Pop = 2, N = 6, T = 8, Obs = 4, Classes = 2;

    internal static double Normal(System.Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    internal static Mlp RandomNet(int[] sizes, System.Random rng, double scale)
    {
        var net = new Mlp(sizes, Activation.Tanh, Activation.Identity, Pop);
        for (int i = 0; i < net.Parameters.Length; i++) net.Parameters[i] = (float)(scale * Normal(rng));
        return net;
    }

    /// <summary>A random trajectory [P, T, N]: obs, actions, old log-probs near the current policy's (so ratios straddle the clip), rewards, flags, values.</summary>
    internal sealed class Batch
    {
        public float[] Obs = new float[Pop * T * N * DevicePpoUpdateTests.Obs], LogProbs = new float[Pop * T * N], Values = new float[Pop * T * N],
            Rewards = new float[Pop * T * N], FinalValues = new float[Pop * T * N], LastValues = new float[Pop * N];
        public int[] Actions = new int[Pop * T * N];
        public byte[] Terminated = new byte[Pop * T * N], Truncated = new byte[Pop * T * N];
    }

    internal static Batch RandomBatch(System.Random rng, Mlp actor)
    {
        var b = new Batch();
        for (int i = 0; i < b.Obs.Length; i++) b.Obs[i] = (float)Normal(rng);
        for (int k = 0; k < b.Actions.Length; k++)
        {
            b.Actions[k] = rng.Next(Classes);
            b.Values[k] = (float)Normal(rng);
            b.Rewards[k] = (float)(1 + 0.5 * Normal(rng));
            b.Terminated[k] = (byte)(rng.NextDouble() < 0.1 ? 1 : 0);
            b.Truncated[k] = (byte)(rng.NextDouble() < 0.1 ? 1 : 0);
            b.FinalValues[k] = b.Truncated[k] == 1 && b.Terminated[k] == 0 ? (float)Normal(rng) : 0f;
        }
        for (int i = 0; i < b.LastValues.Length; i++) b.LastValues[i] = (float)Normal(rng);
        var logits = new float[Pop * T * N * Classes];
        actor.Forward(b.Obs, T * N, logits);
        Categorical.LogProb(logits, b.Actions, Pop * T * N, Classes, b.LogProbs);
        for (int k = 0; k < b.LogProbs.Length; k++) b.LogProbs[k] += (float)(0.3 * Normal(rng));
        return b;
    }

    private static PpoConfig Config(ulong[] seeds) => new()
    {
        Run = new RunSettings
        {
            EnvCount = N, Seeds = seeds, LearningRates = [3e-3f, 1e-3f], Gammas = [0.99f, 0.95f],
            Lambdas = [0.95f, 0.8f], ClipCoefs = [0.2f, 0.1f], EntropyCoefs = [0.01f, 0.02f], MaxGradNorms = [0.05f, 100f], // member 0 always clipped, member 1 never
        },
        RolloutSteps = T, Epochs = 2, Minibatches = 2,
    };

    internal sealed record DeviceResult(float[] Actor, float[] Critic, float[] Advantages, float[] Returns, float[] Metrics, DeviceTransfers Transfers);

    internal static DeviceResult RunDevice(Mlp actor, Mlp critic, DeepConfig config, Batch b, ulong[] seeds)
    {
        using var device = GpuDevice.Open(GpuDeviceKind.CpuAccelerator);
        Accelerator acc = device.Accelerator;
        var transfers = new DeviceTransfers();
        using var obs = acc.Allocate1D(b.Obs);
        using var actions = acc.Allocate1D(b.Actions);
        using var logProbs = acc.Allocate1D(b.LogProbs);
        using var values = acc.Allocate1D(b.Values);
        using var rewards = acc.Allocate1D(b.Rewards);
        using var finalValues = acc.Allocate1D(b.FinalValues);
        using var lastValues = acc.Allocate1D(b.LastValues);
        using var terminated = acc.Allocate1D(b.Terminated);
        using var truncated = acc.Allocate1D(b.Truncated);
        var rollout = new DeviceRolloutViews
        {
            Obs = obs.View, Actions = actions.View, LogProbs = logProbs.View, Values = values.View, Rewards = rewards.View,
            FinalValues = finalValues.View, LastValues = lastValues.View, Terminated = terminated.View, Truncated = truncated.View,
        };
        using var update = new DevicePpoUpdate(acc, actor.Copy(), critic.Copy(), config, N, seeds, transfers);
        transfers.Reset();
        update.Update(rollout);
        float[] metrics = update.ReadMetrics().ToArray();
        var a = actor.Copy();
        var c = critic.Copy();
        update.Actor.Synchronize();
        update.Actor.Parameters.CopyToCPU(a.Parameters);
        update.Critic.Parameters.CopyToCPU(c.Parameters);
        return new DeviceResult(a.Parameters, c.Parameters, update.Batch.Advantages.GetAsArray(), update.Batch.Returns.GetAsArray(), metrics, transfers);
    }

    /// <summary>GAE in float64 with the truncation bootstrap folded into the reward, member p at its own γ.</summary>
    internal static (double[] Adv, double[] Ret) GaeReference(Batch b, float[] gammas, float[] lambdas)
    {
        var adv = new double[Pop * T * N];
        var ret = new double[adv.Length];
        for (int p = 0; p < Pop; p++)
            for (int i = 0; i < N; i++)
            {
                double next = b.LastValues[p * N + i], a = 0, g = gammas[p], lambda = lambdas[p];
                for (int t = T - 1; t >= 0; t--)
                {
                    int k = (p * T + t) * N + i;
                    bool term = b.Terminated[k] == 1, trunc = b.Truncated[k] == 1;
                    double r = b.Rewards[k] + (trunc && !term ? g * b.FinalValues[k] : 0);
                    double notDone = term || trunc ? 0 : 1;
                    a = r + g * notDone * next - b.Values[k] + g * lambda * notDone * a;
                    adv[k] = a;
                    ret[k] = a + b.Values[k];
                    next = b.Values[k];
                }
            }
        return (adv, ret);
    }

    /// <summary>
    /// The CPU side of an update from initial networks and a batch, as the CPU <c>ActorCritic</c> sets it up: copies of the
    /// networks, the actor's <c>PolicyGradientStep</c> and the critic's optimizer (for M rows per member), and the batch's
    /// GAE advantages and λ-returns [P, T·N] with the truncation bootstrap folded into the rewards as the CPU rollout does.
    /// </summary>
    internal sealed class CpuUpdate : IDisposable
    {
        private readonly WorkerPool _pool = new(1);
        private readonly float[] _value, _dValue;
        private readonly float _valueCoef;
        public readonly Mlp Actor, Critic;
        public readonly PolicyGradientStep Step;
        public readonly NetOptimizer CriticOptimizer;
        public readonly float[] Advantages, Returns;

        public CpuUpdate(Mlp actor0, Mlp critic0, ActorCriticConfig config, Batch b, int m)
        {
            int batch = T * N;
            Actor = actor0.Copy();
            Critic = critic0.Copy();
            using var env = EnvRegistry.Make("CartPole-v1", 1);
            var optimizers = new Optimizers(_pool);
            Step = new PolicyGradientStep(new PolicyNet(env.Spec, Actor, 0f), optimizers, config.MemberLearningRates(), config.MemberMaxGradNorms(), m);
            CriticOptimizer = optimizers.Add(Critic, config.MemberLearningRates(), config.MemberMaxGradNorms());
            float[] gammas = config.MemberGammas();
            var rewards = new float[b.Rewards.Length];
            var done = new bool[b.Rewards.Length];
            for (int k = 0; k < rewards.Length; k++)
            {
                int p = k / batch;
                bool term = b.Terminated[k] == 1, trunc = b.Truncated[k] == 1;
                rewards[k] = b.Rewards[k] + (trunc && !term ? gammas[p] * b.FinalValues[k] : 0f);
                done[k] = term || trunc;
            }
            Advantages = new float[Pop * batch];
            Returns = new float[Pop * batch];
            RlKernels.Algorithms.Deep.Returns.Gae(Pop, rewards, b.Values, done, b.LastValues, T, N, gammas, config.Run.Lambdas, Advantages, Returns);
            (_value, _dValue, _valueCoef) = (new float[Pop * m], new float[Pop * m], config.ValueCoef);
        }

        /// <summary>One critic step on c_V·½(V − G)² over M rows per member, as <c>ActorCritic.CriticStep</c>.</summary>
        public void CriticStep(float[] obs, float[] targets, int m)
        {
            Critic.Forward(obs, m, _value);
            for (int r = 0; r < Pop * m; r++) _dValue[r] = _valueCoef * (_value[r] - targets[r]) / m;
            CriticOptimizer.Descend(_dValue);
        }

        public void Dispose() => _pool.Dispose();
    }

    /// <summary>
    /// The CPU update, exactly as <c>Ppo.Train</c>'s loop body runs it (its kernels, its minibatch order); EdgeGap is the
    /// smallest distance of a probability ratio from a clip edge 1 ± ε.
    /// </summary>
    private static (Mlp Actor, Mlp Critic, float[] Loss, double EdgeGap) RunCpu(Mlp actor0, Mlp critic0, PpoConfig config, Batch b)
    {
        double edgeGap = double.PositiveInfinity;
        RunSettings run = config.Run;
        int batch = T * N, m = batch / config.Minibatches;
        using var cpu = new CpuUpdate(actor0, critic0, config, b, m);
        PolicyGradientStep step = cpu.Step;
        var minibatches = new Minibatches(run, batch, m);
        float[] mbObs = new float[Pop * m * Obs], mbOld = new float[Pop * m], mbAdv = new float[Pop * m], mbRet = new float[Pop * m];
        float[] loss = new float[Pop];
        int[] mbActions = new int[Pop * m];
        for (int epoch = 0; epoch < config.Epochs; epoch++)
        {
            minibatches.Shuffle();
            for (int mb = 0; mb < config.Minibatches; mb++)
            {
                minibatches.Gather<float>(b.Obs, mbObs, mb, Obs);
                minibatches.Gather<int>(b.Actions, mbActions, mb);
                minibatches.Gather<float>(b.LogProbs, mbOld, mb);
                minibatches.Gather<float>(cpu.Advantages, mbAdv, mb);
                minibatches.Gather<float>(cpu.Returns, mbRet, mb);
                for (int p = 0; p < Pop; p++) Returns.Normalize(mbAdv.AsSpan(p * m, m));
                step.Evaluate(mbObs, mbActions, [], m);
                Array.Clear(loss);
                for (int r = 0; r < Pop * m; r++)
                {
                    float ratio = MathF.Exp(step.LogProb[r] - mbOld[r]), a = mbAdv[r];
                    float eps = run.ClipCoefs![r / m], unclipped = ratio * a, clipped = Math.Clamp(ratio, 1f - eps, 1f + eps) * a;
                    edgeGap = Math.Min(edgeGap, Math.Min(Math.Abs(ratio - (1f - eps)), Math.Abs(ratio - (1f + eps))));
                    step.DLogProb[r] = unclipped <= clipped ? -unclipped / m : 0f;
                    loss[r / m] -= MathF.Min(unclipped, clipped) / m + run.EntropyCoefs![r / m] * step.Entropy[r] / m;
                }
                step.Step(mbActions, [], m, run.EntropyCoefs!.Select(c => -c / m).ToArray());
                cpu.CriticStep(mbObs, mbRet, m);
            }
        }
        return (cpu.Actor, cpu.Critic, loss, edgeGap);
    }

    internal static double[] D(float[] xs) => xs.Select(v => (double)v).ToArray();

    [Fact]
    public void OneUpdateMatchesTheCpuKernelsPerTensor()
    {
        int seed = KernelAssert.FreshSeed();
        var rng = new System.Random(seed);
        Mlp actor, critic;
        ulong[] seeds;
        PpoConfig config;
        Batch b;
        Mlp cpuActor, cpuCritic;
        float[] cpuLoss;
        double edgeGap;
        int draws = 0;
        // A ratio within float32 rounding of a clip edge may fall on either side on the device and the CPU (both
        // right, but one passes the gradient and the other blocks it): draw again until every ratio is clear of both.
        do
        {
            Assert.True(++draws <= 20, $"seed {seed}: no draw with every ratio clear of the clip edges in 20 tries");
            actor = RandomNet([Obs, 16, 16, Classes], rng, 0.5);
            critic = RandomNet([Obs, 16, 16, 1], rng, 0.5);
            seeds = [(ulong)rng.NextInt64(), (ulong)rng.NextInt64()];
            config = Config(seeds);
            b = RandomBatch(rng, actor);
            (cpuActor, cpuCritic, cpuLoss, edgeGap) = RunCpu(actor, critic, config, b);
        } while (edgeGap < 1e-5);

        DeviceResult d = RunDevice(actor, critic, config, b, seeds);

        AssertMatchesCpu(seed, config, b, actor, critic, (cpuActor, cpuCritic, cpuLoss), d);
    }

    /// <summary>
    /// The device update <paramref name="d"/> against the CPU's (<paramref name="cpu"/>) from the same initial networks and
    /// batch: GAE against a float64 reference; every tensor moved and equals the CPU's; the same loss per member, gradient
    /// norms reported; and per update one copy back of the [P, 3] metrics, nothing up.
    /// </summary>
    internal static void AssertMatchesCpu(int seed, ActorCriticConfig config, Batch b, Mlp actor, Mlp critic, (Mlp Actor, Mlp Critic, float[] Loss) cpu, DeviceResult d)
    {
        var (adv, ret) = GaeReference(b, config.MemberGammas(), config.Run.Lambdas!);
        KernelAssert.AllClose($"seed {seed}: advantages", adv, D(d.Advantages), 1e-5, 1e-5);
        KernelAssert.AllClose($"seed {seed}: λ-returns", ret, D(d.Returns), 1e-5, 1e-5);
        AssertTensorsMatch(seed, "actor", actor, cpu.Actor, d.Actor);
        AssertTensorsMatch(seed, "critic", critic, cpu.Critic, d.Critic);
        AssertMetricsMatch(seed, cpu.Loss, d);
    }

    /// <summary>The CPU update moved every tensor of <paramref name="initial"/> into <paramref name="after"/>, and <paramref name="device"/>'s parameters equal <paramref name="after"/>'s per tensor.</summary>
    internal static void AssertTensorsMatch(int seed, string name, Mlp initial, Mlp after, float[] device)
    {
        // The update moved every tensor (so the comparison is not of the initial values) ...
        for (int t = 0; t < after.Layout.TensorCount; t++)
        {
            int o = after.Layout.Offset(t), len = Pop * after.Layout.MemberSize(t);
            double moved = 0;
            for (int i = o; i < o + len; i++) moved = Math.Max(moved, Math.Abs(after.Parameters[i] - initial.Parameters[i]));
            Assert.True(moved > 1e-4, $"seed {seed}: {name} {after.Layout.Name(t)} did not move ({moved})");
            // ... and the device's update equals the CPU's per tensor.
            KernelAssert.AllClose($"seed {seed}: {name} {after.Layout.Name(t)}", D(after.Parameters.AsSpan(o, len).ToArray()), D(device.AsSpan(o, len).ToArray()), 2e-5, 1e-4);
        }
    }

    /// <summary>The same loss per member as the CPU's, gradient norms reported (the critic's only where it trains), and per update one copy back of the [P, 3] metrics, nothing up.</summary>
    internal static void AssertMetricsMatch(int seed, float[] cpuLoss, DeviceResult d, bool critic = true)
    {
        for (int p = 0; p < Pop; p++)
        {
            Assert.True(Math.Abs(cpuLoss[p] - d.Metrics[3 * p]) <= 1e-5 + 1e-4 * Math.Abs(cpuLoss[p]), $"seed {seed}: member {p} loss {cpuLoss[p]} vs {d.Metrics[3 * p]}");
            Assert.True(d.Metrics[3 * p + 1] > 0 && (d.Metrics[3 * p + 2] > 0) == critic, $"seed {seed}: gradient norms {d.Metrics[3 * p + 1]}, {d.Metrics[3 * p + 2]}");
        }
        // Per update: launches, then one read of the [P, 3] metrics; nothing goes up.
        Assert.Equal(1, d.Transfers.ToHostCopies);
        Assert.Equal(3L * Pop * sizeof(float), d.Transfers.ToHostBytes);
        Assert.Equal(0, d.Transfers.ToDeviceCopies);
    }

    [Fact]
    public void UpdateKernelsCompileToPtxWithoutExterns()
    {
        var kernels = DevicePpoKernels.All().Concat(typeof(DeviceOptimizerKernels).GetMethods()
            .Where(k => k.IsStatic && k.Name.EndsWith("Kernel", StringComparison.Ordinal))).ToList();
        Assert.Equal(12, kernels.Count);
        foreach (var kernel in kernels) PtxAssert.CompilesWithoutExterns(kernel, "update");
    }
}

internal static class MlpCopy
{
    /// <summary>A network of the same shape holding a copy of <paramref name="net"/>'s parameters.</summary>
    public static Mlp Copy(this Mlp net)
    {
        var copy = new Mlp(net.LayerSizes, net.ActivationOf(0), net.ActivationOf(net.LayerCount - 1), net.Population);
        net.Parameters.CopyTo(copy.Parameters, 0);
        return copy;
    }
}
