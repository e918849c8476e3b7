using RlKernels.Algorithms.Device;
using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Deep;

/// <summary>REINFORCE hyperparameters (the shared ones in <see cref="DeepConfig"/>: tanh, rate 3e-3, γ 0.99 for the reward-to-go; clip 1).</summary>
public sealed record ReinforceConfig : DeepConfig
{
    /// <summary>Rollouts of 512 steps: episodes must fit (CartPole: 500 at most) to count in full.</summary>
    public ReinforceConfig()
    {
        RolloutSteps = 512;
        MaxGradNorm = 1f;
    }

    /// <summary>Learn a state-value baseline b(s) = V(s) and weight log π by G − V instead of G.</summary>
    public bool Baseline { get; init; } = true;
    /// <summary>Gradient steps per rollout, each on a disjoint minibatch of it.</summary>
    public int Minibatches { get; init; } = 4;
    /// <summary>Divide the weights G − b of each minibatch by their root mean square (a step-size normalization; no mean is subtracted, so without a baseline this is still plain REINFORCE).</summary>
    public bool ScaleWeights { get; init; } = true;
    /// <summary>Initial log σ of a Gaussian policy.</summary>
    public float InitLogStd { get; init; } = 0f;
}

// REINFORCE (Williams 1992) with the reward-to-go estimate: ∇J ≈ mean_t ∇log π(a_t|s_t) (G_t − b(s_t)),
// G_t = Σ_{k≥t} γ^{k−t} r_k over the rest of the episode, b = 0 or a learned V (the baseline, fitted by
// Monte-Carlo regression on the same returns). Only steps whose episode ends inside the rollout have a
// complete return; the tail of each env's rollout is left out of the update (weight 0), so the estimate stays
// Monte Carlo. Known bias of that cut: a step is kept only if its episode ends before the rollout does, which
// under-samples the early steps of long episodes that start late in a rollout; a rollout of at least the
// time limit (CartPole: 500) keeps it small. (TD(1) in ValueLearning.cs carries episodes across rollouts
// instead; for a policy gradient that would mix in samples of older policies.) P = population, N = envs per member, T = rollout steps, B = T·N.
/// <summary>REINFORCE training loop.</summary>
public static class Reinforce
{
    /// <summary>REINFORCE with a learned baseline in the registry: any action space, the defaults of <see cref="ReinforceConfig"/>.</summary>
    public static DeepAlgorithm WithBaselineEntry { get; } = RegistryEntry("reinforce-baseline", baseline: true);

    /// <summary>Plain REINFORCE (no baseline) in the registry.</summary>
    public static DeepAlgorithm Entry { get; } = RegistryEntry("reinforce", baseline: false);

    // On the gpu and gpu-cpu backends the whole loop runs on the device (DeviceReinforce) where it can (discrete actions, a plain
    // GPU runner), as PPO's and A2C's do; otherwise the envs step on the device and the networks train on the CPU.
    private static DeepAlgorithm RegistryEntry(string name, bool baseline) => new(name, ActionNeed.Any, (run, o) =>
    {
        ReinforceConfig config = o.Apply(new ReinforceConfig { Run = run, Baseline = baseline });
        return (DeviceReinforce.RunsOn(run.Backend) ? DeviceReinforce.TrainIfItRuns(config) : null) ?? Train(config);
    })
    {
        RunsOnDevice = true,
        // Only a device run too big for the device's memory is refused; what the device loop cannot run falls back.
        Problem = (run, o) => DeviceReinforce.MemoryProblem(o.Apply(new ReinforceConfig { Run = run, Baseline = baseline })),
        Defaults = _ => (64, 3_000_000),
        RolloutSteps = _ => new ReinforceConfig().RolloutSteps,
        MemberParams = [.. MemberParam.Common, MemberParam.MaxGradNorm],
    };

    /// <summary>
    /// Trains a policy per member with REINFORCE (and a value baseline when <see cref="ReinforceConfig.Baseline"/>) until <see cref="RunSettings.TotalSteps"/> env steps per member, or until the
    /// <see cref="StopRule"/> stops it (every member at <see cref="RunSettings.TargetReturn"/>, with <see cref="RunSettings.StopAtTarget"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The run settings or the config (a count &lt; 1, fewer samples than minibatches) are invalid.</exception>
    /// <exception cref="TrainingDivergedException">A loss, gradient or parameter went non-finite.</exception>
    public static TrainResult Train(ReinforceConfig config)
    {
        using var training = TrainingRun.Start(config.Run,
            config.RolloutSteps < 1 || config.Minibatches < 1 || config.Run.EnvCount * config.RolloutSteps < config.Minibatches
                ? "REINFORCE needs RolloutSteps, Minibatches ≥ 1 and at least one sample per minibatch." : null);
        RunSettings run = training.Settings;
        int pop = run.Population, n = run.EnvCount, t = config.RolloutSteps, batch = n * t, m = batch / config.Minibatches;
        int o = training.Spec.ObsSize;
        float[] lr = config.MemberLearningRates();

        var policy = PolicyNet.Create(training.Spec, config.Hidden, config.Activation, run, training.Pool, outputGain: 0.01f, config.InitLogStd);
        int w = policy.ActionWidth;
        Mlp? baseline = config.Baseline ? PolicyNet.NewMlp(o, config.Hidden, 1, config.Activation, run, training.Pool, outputGain: 1f, salt: 1) : null;
        var optimizers = new Optimizers(training.Pool);
        float[] maxNorms = config.MemberMaxGradNorms();
        var actor = new PolicyGradientStep(policy, optimizers, lr, maxNorms, m);
        var baselineOpt = baseline is null ? null : optimizers.Add(baseline, lr, maxNorms);
        // No critic in the rollout: truncated episodes bootstrap from 0 (CartPole's time limit is part of the task).
        var rollout = new Rollout(training.Env, policy, critic: null, run, t, config.Gamma, training.Stats);
        var minibatches = new Minibatches(run, batch, m);

        var returns = new float[pop * batch];   // [P, T, N] reward-to-go
        var complete = new bool[pop * batch];   // [P, T, N] the episode ends inside the rollout
        var mbObs = new float[pop * m * o];
        var mbActions = new int[pop * m];
        var mbRaw = new float[policy.IsDiscrete ? 0 : pop * m * w];
        var mbReturns = new float[pop * m];
        var mbComplete = new bool[pop * m];
        var value = new float[pop * m];
        var dValue = new float[pop * m];
        var adv = new float[pop * m];

        long steps = 0;
        float loss = 0;
        while (steps < run.TotalSteps)
        {
            // COLLECT ROLLOUT
            rollout.Collect();
            steps += batch;

            // COMPUTE RETURNS (reward-to-go per episode, no gradient)
            rollout.RewardToGo(returns, complete);

            // UPDATE: minibatch steps on −Σ w·(G − b)·log π(a|s) / Σ w (w = 1 where the return is complete, else 0),
            // and ½(V − G)² for the baseline
            policy.KeepGood();
            minibatches.Shuffle();
            for (int mb = 0; mb < config.Minibatches; mb++)
            {
                minibatches.Gather<float>(rollout.Obs, mbObs, mb, o);
                minibatches.Gather<int>(rollout.Actions, mbActions, mb);
                if (!policy.IsDiscrete) minibatches.Gather<float>(rollout.RawActions, mbRaw, mb, w);
                minibatches.Gather<float>(returns, mbReturns, mb);
                minibatches.Gather<bool>(complete, mbComplete, mb);

                if (baseline is not null) baseline.Forward(mbObs, m, value);
                Weights(pop, m, mbReturns, mbComplete, baseline is null ? default : value, config.ScaleWeights, adv, actor.DLogProb, dValue);

                actor.Evaluate(mbObs, mbActions, mbRaw, m);
                loss = 0;
                for (int r = 0; r < m; r++) loss += actor.DLogProb[r] * actor.LogProb[r];
                actor.Step(mbActions, mbRaw, m);

                if (baseline is not null)
                {
                    baselineOpt!.Descend(dValue);
                    policy.CheckFinite(steps, loss, ("policy", policy.Net), ("baseline", baseline));
                }
                else
                    policy.CheckFinite(steps, loss, ("policy", policy.Net));
            }

            if (training.EndUpdate(steps, loss, policy)) break;
        }
        return training.Result(config.Baseline ? "reinforce-baseline" : "reinforce", steps, policy, baseline);
    }

    /// <summary>
    /// The weights of one minibatch, per member p of its [P, M] rows: w = 1 where the return is complete (else 0), count = Σ w,
    /// A = w·(G − V) (V = 0 without a baseline), s = 1/(rms(A) + 1e-8) when <paramref name="scaleWeights"/> and count &gt; 1
    /// (else 1); dLoss/dlog π = −A·s/count and the baseline's dLoss/dV = w·(V − G)/count (0 where count is 0, or without a baseline).
    /// </summary>
    /// <param name="pop">Population P.</param>
    /// <param name="m">Rows per member M.</param>
    /// <param name="returns">The rows' reward-to-go G [P, M].</param>
    /// <param name="complete">The rows' episode ends inside the rollout [P, M].</param>
    /// <param name="values">The baseline's V [P, M]; empty: no baseline.</param>
    /// <param name="scaleWeights">Divide by the root mean square of A (<see cref="ReinforceConfig.ScaleWeights"/>).</param>
    /// <param name="adv">Scratch [P, M]: A.</param>
    /// <param name="dLogProb">dLoss/dlog π [P, M].</param>
    /// <param name="dValue">dLoss/dV of the baseline [P, M].</param>
    internal static void Weights(int pop, int m, ReadOnlySpan<float> returns, ReadOnlySpan<bool> complete, ReadOnlySpan<float> values, bool scaleWeights,
        Span<float> adv, Span<float> dLogProb, Span<float> dValue)
    {
        bool hasBaseline = !values.IsEmpty;
        for (int p = 0; p < pop; p++)
        {
            float count = 0;
            for (int j = 0; j < m; j++) count += complete[p * m + j] ? 1f : 0f;
            double sq = 0;
            for (int j = 0; j < m; j++)
            {
                int r = p * m + j;
                adv[r] = (complete[r] ? 1f : 0f) * (returns[r] - (hasBaseline ? values[r] : 0f));
                sq += (double)adv[r] * adv[r];
            }
            float scale = scaleWeights && count > 1 ? 1f / (MathF.Sqrt((float)(sq / count)) + 1e-8f) : 1f;
            for (int j = 0; j < m; j++)
            {
                int r = p * m + j;
                dLogProb[r] = count > 0 ? -adv[r] * scale / count : 0f;
                dValue[r] = count > 0 && hasBaseline ? (complete[r] ? 1f : 0f) * (values[r] - returns[r]) / count : 0f;
            }
        }
    }
}
