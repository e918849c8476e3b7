using RlKernels.Algorithms.Device;
using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Deep;

/// <summary>
/// PPO hyperparameters (the shared ones in <see cref="ActorCriticConfig"/> and <see cref="DeepConfig"/>: tanh as in the PPO paper's MuJoCo setup,
/// rollouts of 32 steps, rate 3e-3, γ 0.99, clip 0.5); the defaults solve CartPole-v1 in a few seconds on two cores.
/// </summary>
public sealed record PpoConfig : ActorCriticConfig
{
    /// <summary>Defaults as <see cref="DeepConfig"/>, but rollouts of 32 steps.</summary>
    public PpoConfig() => RolloutSteps = 32;

    /// <summary>Passes over each rollout.</summary>
    public int Epochs { get; init; } = 4;
    /// <summary>Minibatches per pass.</summary>
    public int Minibatches { get; init; } = 4;
    /// <summary>Anneal the learning rate linearly to 0 over <see cref="RunSettings.TotalSteps"/>.</summary>
    public bool AnnealLearningRate { get; init; } = false;
    /// <summary>Ratio clip ε: the objective is min(ρA, clip(ρ, 1−ε, 1+ε)A).</summary>
    public float ClipCoef { get; init; } = 0.2f;
}

// Proximal policy optimization (Schulman et al. 2017), clipped objective, after CleanRL ppo.py and
// PureJaxRL ppo.py. Separate actor and critic networks. Works with categorical (discrete) and Gaussian
// (continuous) policies. P = population, N = envs per member, T = rollout steps, B = T·N, M = B / minibatches.
/// <summary>PPO training loop.</summary>
public static class Ppo
{
    /// <summary>
    /// PPO in the registry: any action space; the CartPole defaults of <see cref="PpoConfig"/>, tuned ones on Pendulum-v1.
    /// On the gpu and gpu-cpu backends the whole loop runs on the device (<see cref="DevicePpo"/>) where it can (discrete
    /// actions, a plain GPU runner); otherwise, as every other deep algorithm there, the envs step on the device and
    /// the networks train on the CPU, so a run that worked before the device path existed still works.
    /// </summary>
    public static DeepAlgorithm Entry { get; } = new("ppo", ActionNeed.Any, (run, o) =>
    {
        PpoConfig config = o.Apply(DefaultConfig(run, o.LearningRate));
        return (DevicePpo.RunsOn(run.Backend) ? DevicePpo.TrainIfItRuns(config) : null) ?? Train(config);
    })
    {
        RunsOnDevice = true,
        // Only a device run too big for the device's memory is refused; what the device loop cannot run falls back.
        Problem = (run, o) => DevicePpo.MemoryProblem(o.Apply(DefaultConfig(run, o.LearningRate))),
        Defaults = env => env switch { "CartPole-v1" => (32, 1_000_000), "Pendulum-v1" => (64, 2_000_000), _ => (64, 1_000_000) },
        RolloutSteps = env => DefaultConfig(new RunSettings { EnvId = env }, null).RolloutSteps,
        MemberParams = [.. MemberParam.Common, MemberParam.Lambda, MemberParam.EntropyCoef, MemberParam.ClipCoef, MemberParam.MaxGradNorm],
    };

    /// <summary>The configuration <c>rlk train ENV --algo ppo</c> uses.</summary>
    public static PpoConfig DefaultConfig(RunSettings run, float? learningRate)
    {
        var c = new PpoConfig { Run = run };
        if (run.EnvId == "Pendulum-v1")
            c = c with { RolloutSteps = 256, Epochs = 10, Minibatches = 32, LearningRate = 1e-3f, Gamma = 0.95f, Lambda = 0.95f, InitLogStd = 0f, AnnealLearningRate = true };
        return learningRate is { } v ? c with { LearningRate = v } : c;
    }

    /// <summary>
    /// Trains an actor and a critic per member with PPO until <see cref="RunSettings.TotalSteps"/> env steps per member, or until the
    /// <see cref="StopRule"/> stops it (every member at <see cref="RunSettings.TargetReturn"/>, with <see cref="RunSettings.StopAtTarget"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The run settings or the config (a count &lt; 1, fewer samples than minibatches) are invalid.</exception>
    /// <exception cref="TrainingDivergedException">A loss, gradient or parameter went non-finite.</exception>
    public static TrainResult Train(PpoConfig config)
    {
        using var training = TrainingRun.Start(config.Run,
            config.RolloutSteps < 1 || config.Epochs < 1 || config.Minibatches < 1 || config.Run.EnvCount * config.RolloutSteps < config.Minibatches
                ? "PPO needs RolloutSteps, Epochs, Minibatches ≥ 1 and at least one sample per minibatch." : null);
        RunSettings run = training.Settings;
        int pop = run.Population, t = config.RolloutSteps, batch = run.EnvCount * t, m = batch / config.Minibatches;
        int o = training.Spec.ObsSize;
        var ac = new ActorCritic(training, config, rows: m);
        PolicyNet policy = ac.Policy;
        PolicyGradientStep actor = ac.Actor;
        Rollout rollout = ac.Rollout;
        var minibatches = new Minibatches(run, batch, m);
        float[] clip = MemberParam.ClipCoef.Of(run, config.ClipCoef);        // [P] each member's ε
        float[] dEntropy = ac.EntropyCoefs.Select(c => -c / m).ToArray();   // [P] dLoss/dH per row

        var mbObs = new float[pop * m * o];         // [P, M, obsSize]
        var mbActions = new int[pop * m];           // [P, M]
        var mbRaw = new float[policy.IsDiscrete ? 0 : pop * m * policy.ActionWidth];
        var mbOldLogProb = new float[pop * m];      // [P, M]
        var mbAdv = new float[pop * m];             // [P, M]
        var mbReturns = new float[pop * m];         // [P, M]

        long steps = 0;
        float loss = 0;
        while (steps < run.TotalSteps)
        {
            // COLLECT ROLLOUT, COMPUTE RETURNS (GAE advantages and λ-returns, no gradient)
            ac.CollectWithGae();
            steps += batch;

            // UPDATE
            if (config.AnnealLearningRate) ac.Optimizers.Anneal(steps, run.TotalSteps);
            policy.KeepGood();
            for (int epoch = 0; epoch < config.Epochs; epoch++)
            {
                minibatches.Shuffle();
                for (int mb = 0; mb < config.Minibatches; mb++)
                {
                    minibatches.Gather<float>(rollout.Obs, mbObs, mb, o);
                    minibatches.Gather<int>(rollout.Actions, mbActions, mb);
                    if (!policy.IsDiscrete) minibatches.Gather<float>(rollout.RawActions, mbRaw, mb, policy.ActionWidth);
                    minibatches.Gather<float>(rollout.LogProbs, mbOldLogProb, mb);
                    minibatches.Gather<float>(ac.Advantages, mbAdv, mb);
                    minibatches.Gather<float>(ac.Returns, mbReturns, mb);
                    if (config.NormalizeAdvantages)
                        for (int p = 0; p < pop; p++) Returns.Normalize(mbAdv.AsSpan(p * m, m));

                    // Actor: maximize mean min(ρA, clip(ρ)A) + c_H·H, i.e. descend its negative.
                    actor.Evaluate(mbObs, mbActions, mbRaw, m);
                    loss = 0;
                    for (int r = 0; r < pop * m; r++)
                    {
                        float ratio = MathF.Exp(actor.LogProb[r] - mbOldLogProb[r]), a = mbAdv[r];
                        float eps = clip[r / m], unclipped = ratio * a, clipped = Math.Clamp(ratio, 1f - eps, 1f + eps) * a;
                        // d/dlogπ of −min(…): −ρA where the unclipped term is the minimum, else 0 (the clip blocks the gradient).
                        actor.DLogProb[r] = unclipped <= clipped ? -unclipped / m : 0f;
                        if (r < m) loss -= MathF.Min(unclipped, clipped) / m + ac.EntropyCoefs[0] * actor.Entropy[r] / m;
                    }
                    actor.Step(mbActions, mbRaw, m, dEntropy);

                    // Critic: minimize c_V · ½(V − G)².
                    ac.CriticStep(mbObs, mbReturns, m, config.ValueCoef);
                    ac.CheckFinite(steps, loss);
                }
            }

            if (training.EndUpdate(steps, loss, policy)) break;
        }
        return training.Result("ppo", steps, policy, ac.Critic);
    }
}
