using ILGPU;
using ILGPU.Runtime;
using RlKernels.Algorithms.Deep;
using RlKernels.Kernels.Gpu;
using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Device;

/// <summary>
/// PPO's update on the device: GAE over a <see cref="DeviceRolloutViews"/> trajectory, then per epoch a fresh
/// permutation and per minibatch {gather, advantage normalization, actor forward, clipped-surrogate gradient,
/// backward, clip, Adam; critic forward, value gradient, backward, clip, Adam}: the CPU <c>Ppo.Train</c> loop
/// body in the same order with the same minibatch permutations, every step a launch. Given an <see cref="A2cConfig"/>
/// it is A2C's update, the CPU <c>A2c.Train</c> loop body: the same launches once, over the whole rollout in its
/// order (no permutation), with the plain policy gradient −A·∇log π (PPO's at a ratio of 1) in place of the clipped
/// surrogate. Given a <see cref="ReinforceConfig"/> it is REINFORCE's update, the CPU <c>Reinforce.Train</c> loop body:
/// reward-to-go in place of GAE, one pass of permuted minibatches, per minibatch the weights of
/// <see cref="DevicePpoKernels.ReinforceWeightKernel"/> (from the critic's V with a baseline, else from the returns alone),
/// the actor step on them and (with a baseline) the critic step on w·½(V − G)²/count. The host reads back only <see cref="ReadMetrics"/>'s [P, 3] scalars. Owns the actor and critic
/// <see cref="GpuMlp"/>s (the rollout reads their <see cref="GpuMlp.Parameters"/>). P = population, N = envs per
/// member, T = steps, M = rows per minibatch (A2C: M = T·N).
/// </summary>
/// <remarks>Categorical policies only; no learning-rate annealing (the config must not ask for it).</remarks>
public sealed class DevicePpoUpdate : IDisposable
{
    private readonly DeviceUpdatePlan _plan;
    private readonly bool _normalizeAdvantages;
    private readonly DeviceTransfers _transfers;
    private readonly DeviceNetOptimizer _actorOpt, _criticOpt;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _advantages, _returns, _oldLogProbs, _mbAdv, _mbReturns, _dLogits, _dValues, _rowLoss, _members, _metrics;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _permutation, _actions;
    private readonly MemoryBuffer1D<uint, Stride1D.Dense> _keys;
    private readonly DevicePpoBatchViews _b;
    private readonly DevicePpoArgs _args;
    private readonly float[] _hostMetrics;
    private readonly Action<Index1D, DeviceRolloutViews, DevicePpoBatchViews, DevicePpoArgs> _gae, _rewardToGo;
    private readonly Action<Index1D, ArrayView<uint>, uint, int, ArrayView<int>> _permute;
    private readonly Action<Index1D, DeviceRolloutViews, DevicePpoBatchViews, int, DevicePpoArgs> _gather;
    private readonly Action<Index1D, ArrayView<float>, int> _normalize;
    private readonly Action<Index1D, ArrayView<float>, DevicePpoBatchViews, DevicePpoArgs> _surrogate, _valueGrad, _reinforceWeights;
    private readonly Action<Index1D, ArrayView<float>, int, ArrayView<float>, ArrayView<float>, ArrayView<float>> _updateMetrics;
    private uint _round;

    /// <summary>Population size P.</summary>
    public int Population { get; }
    /// <summary>Rows per minibatch and member M.</summary>
    public int Rows { get; }
    /// <summary>The actor (obs → logits) on the device.</summary>
    public GpuMlp Actor { get; }
    /// <summary>The critic (obs → V) on the device.</summary>
    public GpuMlp Critic { get; }

    /// <param name="accelerator">Where everything lives (the env runner's accelerator).</param>
    /// <param name="actor">The actor's shape and initial parameters (obs → logits, P members).</param>
    /// <param name="critic">The critic's shape and initial parameters (obs → 1).</param>
    /// <param name="config">
    /// A <see cref="PpoConfig"/> (PPO's update), an <see cref="A2cConfig"/> (A2C's) or a <see cref="ReinforceConfig"/> (REINFORCE's):
    /// epochs and minibatches (PPO; REINFORCE's minibatches), value weight, advantage normalization (PPO, A2C), baseline and weight
    /// scaling (REINFORCE), rollout length T; per member (its <c>Run</c>'s arrays or the scalars) γ, λ (PPO, A2C), clip ε (PPO),
    /// entropy weight (PPO, A2C), learning rate and gradient-norm limit.
    /// </param>
    /// <param name="envsPerMember">N: the rollout has B = T·N samples per member.</param>
    /// <param name="seeds">Each member's seed [P] (keys its minibatch permutations, as the CPU's <c>RunSettings.SeedOf</c>).</param>
    /// <param name="transfers">Counts the copies (a few uploads here, once).</param>
    /// <exception cref="ArgumentException">A config the device update does not run (another algorithm's, annealing, fewer samples than minibatches) or shapes that disagree.</exception>
    public DevicePpoUpdate(Accelerator accelerator, Mlp actor, Mlp critic, DeepConfig config, int envsPerMember, ReadOnlySpan<ulong> seeds, DeviceTransfers transfers)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(critic);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(transfers);
        DeviceUpdatePlan plan = DeviceUpdatePlan.Of(config);
        int pop = actor.Population, t = config.RolloutSteps, batch = t * envsPerMember;
        if (plan.Anneals) throw new ArgumentException($"The device {plan.Label} update does not anneal the learning rate.", nameof(config));
        if (plan.Epochs < 1 || plan.Minibatches < 1 || t < 1 || envsPerMember < 1 || batch < plan.Minibatches)
            throw new ArgumentException($"{plan.Label} needs RolloutSteps, Epochs, Minibatches, envs ≥ 1 and at least one sample per minibatch.", nameof(config));
        if (critic.Population != pop || seeds.Length != pop || critic.InputSize != actor.InputSize || critic.OutputSize != 1)
            throw new ArgumentException($"Population {pop}: the critic has {critic.Population} members, {seeds.Length} seeds; the critic must map {actor.InputSize} inputs to 1.");
        _plan = plan;
        var ac = config as ActorCriticConfig; // null for REINFORCE: no λ, entropy, value weight or advantage normalization
        _normalizeAdvantages = ac is { NormalizeAdvantages: true };
        _transfers = transfers;
        Population = pop;
        Rows = batch / plan.Minibatches;
        int m = Rows, obs = actor.InputSize, w = actor.OutputSize;
        Actor = new GpuMlp(accelerator, actor, m);
        Critic = new GpuMlp(accelerator, critic, m);
        float[] lr = config.MemberLearningRates();
        RunSettings run = config.Run;
        float[] clip = config is PpoConfig ppo ? MemberParam.ClipCoef.Of(run, ppo.ClipCoef) : new float[pop]; // A2C: unread
        float[] lambdas = ac is null ? new float[pop] : MemberParam.Lambda.Of(run, ac.Lambda), entropy = ac is null ? new float[pop] : MemberParam.EntropyCoef.Of(run, ac.EntropyCoef);
        float[] members = [.. config.MemberGammas(), .. lambdas, .. clip, .. entropy]; // [4, P]
        float[] maxNorms = config.MemberMaxGradNorms();
        _actorOpt = new DeviceNetOptimizer(accelerator, Actor, actor.Layout.TensorCount, lr, maxNorms, transfers);
        _criticOpt = new DeviceNetOptimizer(accelerator, Critic, critic.Layout.TensorCount, lr, maxNorms, transfers);

        long all = (long)pop * batch, rows = (long)pop * m;
        MemoryBuffer1D<float, Stride1D.Dense> Floats(long n) => accelerator.Allocate1D<float>(n);
        (_advantages, _returns, _permutation) = (Floats(all), Floats(all), accelerator.Allocate1D<int>(plan.Permuted ? all : 1)); // A2C reads no permutation
        (_actions, _oldLogProbs, _mbAdv, _mbReturns) = (accelerator.Allocate1D<int>(rows), Floats(rows), Floats(rows), Floats(rows));
        (_dLogits, _dValues, _rowLoss) = (Floats(rows * w), Floats(rows), Floats(rows));
        (_members, _metrics, _keys) = (Floats((long)DevicePpoBatchViews.MemberRows * pop), Floats(3L * pop), accelerator.Allocate1D<uint>(2L * pop));
        transfers.ToDevice<uint>(DeviceSeeds.Keys(seeds), _keys.View);
        transfers.ToDevice<float>(members, _members.View);
        _hostMetrics = new float[3 * pop];

        _b = new DevicePpoBatchViews
        {
            Advantages = _advantages.View, Returns = _returns.View, Permutation = _permutation.View,
            ActorInput = Actor.Input, CriticInput = Critic.Input, Actions = _actions.View, OldLogProbs = _oldLogProbs.View,
            MinibatchAdvantages = _mbAdv.View, MinibatchReturns = _mbReturns.View, DLogits = _dLogits.View, DValues = _dValues.View,
            RowLoss = _rowLoss.View, Members = _members.View,
        };
        _args = new DevicePpoArgs
        {
            Steps = t, EnvsPerMember = envsPerMember, Rows = m, ObsSize = obs, ActionCount = w, ValueCoef = ac?.ValueCoef ?? 1f, Loss = plan.Loss, Permuted = plan.Permuted ? 1 : 0,
            Baseline = config is ReinforceConfig { Baseline: true } ? 1 : 0, ScaleWeights = config is ReinforceConfig { ScaleWeights: true } ? 1 : 0,
        };
        _gae = accelerator.LoadAutoGroupedStreamKernel<Index1D, DeviceRolloutViews, DevicePpoBatchViews, DevicePpoArgs>(DevicePpoKernels.GaeKernel);
        _rewardToGo = accelerator.LoadAutoGroupedStreamKernel<Index1D, DeviceRolloutViews, DevicePpoBatchViews, DevicePpoArgs>(DevicePpoKernels.RewardToGoKernel);
        _reinforceWeights = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, DevicePpoBatchViews, DevicePpoArgs>(DevicePpoKernels.ReinforceWeightKernel);
        _permute = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<uint>, uint, int, ArrayView<int>>(DevicePpoKernels.PermutationKernel);
        _gather = accelerator.LoadAutoGroupedStreamKernel<Index1D, DeviceRolloutViews, DevicePpoBatchViews, int, DevicePpoArgs>(DevicePpoKernels.GatherKernel);
        _normalize = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int>(DevicePpoKernels.NormalizeKernel);
        _surrogate = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, DevicePpoBatchViews, DevicePpoArgs>(DevicePpoKernels.SurrogateGradKernel);
        _valueGrad = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, DevicePpoBatchViews, DevicePpoArgs>(DevicePpoKernels.ValueGradKernel);
        _updateMetrics = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(DevicePpoKernels.UpdateMetricsKernel);
    }

    /// <summary>The GAE outputs and minibatch buffers (for tests and fused callers).</summary>
    public DevicePpoBatchViews Batch => _b;

    /// <summary>Queues one whole PPO (A2C, REINFORCE) update on the trajectory in <paramref name="rollout"/> (launches only, no copy).</summary>
    /// <param name="rollout">A trajectory of T steps of P·N envs, [P, T, N] (e.g. <see cref="DeviceRollout{TEnv, TParams}.Views"/>).</param>
    public void Update(DeviceRolloutViews rollout)
    {
        int pop = Population, m = Rows, batch = _args.Steps * _args.EnvsPerMember;
        bool reinforce = _plan.Loss == DevicePpoArgs.ReinforceLoss;
        (reinforce ? _rewardToGo : _gae)(pop * _args.EnvsPerMember, rollout, _b, _args);
        for (int epoch = 0; epoch < _plan.Epochs; epoch++)
        {
            if (_plan.Permuted) _permute(pop, _keys.View, _round++, batch, _permutation.View);
            for (int mb = 0; mb < _plan.Minibatches; mb++)
            {
                _gather(pop * m, rollout, _b, mb, _args);
                if (_normalizeAdvantages) _normalize(pop, _mbAdv.View, m);
                if (reinforce)
                {
                    // The baseline's V before either step (its forward pass stays for its backward below), then the weights.
                    if (_plan.TrainsCritic) Critic.Forward();
                    _reinforceWeights(pop, Critic.Output, _b, _args);
                }

                // Actor: descend −mean min(ρA, clip(ρ)A) − c_H·H (A2C: −mean A·log π − c_H·H; REINFORCE: the weights' −w·(G − b)·s·log π / count).
                Actor.Forward();
                _surrogate(pop * m, Actor.Output, _b, _args);
                Actor.ZeroGradients();
                Actor.Backward(_dLogits.View);
                _actorOpt.Step();

                // Critic: descend c_V·½(V − G)² (REINFORCE's baseline: w·½(V − G)²/count, its gradient from the weight kernel).
                if (!_plan.TrainsCritic) continue;
                if (!reinforce)
                {
                    Critic.Forward();
                    _valueGrad(pop * m, Critic.Output, _b, _args);
                }
                Critic.ZeroGradients();
                Critic.Backward(_dValues.View);
                _criticOpt.Step();
            }
        }
    }

    /// <summary>
    /// Each member's [actor loss, actor gradient norm, critic gradient norm] of the last minibatch, [P, 3]: one
    /// small launch and the update's only copy back (waits for the queued work). Valid until the next call.
    /// </summary>
    public ReadOnlySpan<float> ReadMetrics()
    {
        _updateMetrics(Population, _rowLoss.View, Rows, _actorOpt.Norms, _criticOpt.Norms, _metrics.View);
        _transfers.ToHost(_metrics.View.AsContiguous(), _hostMetrics);
        return _hostMetrics;
    }

    /// <summary>Frees the networks and every buffer of the update.</summary>
    public void Dispose()
    {
        _actorOpt.Dispose();
        _criticOpt.Dispose();
        Actor.Dispose();
        Critic.Dispose();
        foreach (var b in new[] { _advantages, _returns, _oldLogProbs, _mbAdv, _mbReturns, _dLogits, _dValues, _rowLoss, _members, _metrics }) b.Dispose();
        _permutation.Dispose();
        _actions.Dispose();
        _keys.Dispose();
    }
}
