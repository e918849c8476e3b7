using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Deep;

// Proximal policy optimization (Schulman et al. 2017), clipped objective, after CleanRL ppo.py and
// PureJaxRL ppo.py. Separate actor and critic networks. Works with categorical (discrete) and Gaussian
// (continuous) policies. P = population, N = envs per member, T = rollout steps, B = T·N, M = B / minibatches.

/// <summary>
/// PPO hyperparameters (the shared ones in <see cref="DeepConfig"/>: tanh as in the PPO paper's MuJoCo setup,
/// rollouts of 32 steps, rate 3e-3, γ 0.99, clip 0.5); the defaults solve CartPole-v1 in a few seconds on two cores.
/// </summary>
public sealed record PpoConfig : DeepConfig
{
    /// <summary>Defaults as <see cref="DeepConfig"/>, but rollouts of 32 steps.</summary>
    public PpoConfig() => RolloutSteps = 32;

    /// <summary>Passes over each rollout.</summary>
    public int Epochs { get; init; } = 4;
    /// <summary>Minibatches per pass.</summary>
    public int Minibatches { get; init; } = 4;
    /// <summary>Anneal the learning rate linearly to 0 over <see cref="RunSettings.TotalSteps"/>.</summary>
    public bool AnnealLearningRate { get; init; } = false;
    /// <summary>GAE λ.</summary>
    public float Lambda { get; init; } = 0.95f;
    /// <summary>Ratio clip ε: the objective is min(ρA, clip(ρ, 1−ε, 1+ε)A).</summary>
    public float ClipCoef { get; init; } = 0.2f;
    /// <summary>Weight of the value loss ½(V − G)² (scales the critic's gradient).</summary>
    public float ValueCoef { get; init; } = 0.5f;
    /// <summary>Weight of the entropy bonus.</summary>
    public float EntropyCoef { get; init; } = 0.0f;
    /// <summary>Normalize advantages per minibatch to mean 0, std 1.</summary>
    public bool NormalizeAdvantages { get; init; } = true;
    /// <summary>Initial log σ of a Gaussian policy.</summary>
    public float InitLogStd { get; init; } = 0f;
}

/// <summary>PPO training loop.</summary>
public static class Ppo
{
    /// <summary>PPO in the registry: any action space; the CartPole defaults of <see cref="PpoConfig"/>, tuned ones on Pendulum-v1.</summary>
    public static DeepAlgorithm Entry { get; } = new("ppo", ActionNeed.Any, (run, lr) => Train(DefaultConfig(run, lr)))
    {
        Defaults = env => env switch { "CartPole-v1" => (32, 1_000_000), "Pendulum-v1" => (64, 2_000_000), _ => (64, 1_000_000) },
        RolloutSteps = env => DefaultConfig(new RunSettings { EnvId = env }, null).RolloutSteps,
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
        float[] lr = config.MemberLearningRates();

        var policy = PolicyNet.Create(training.Spec, config.Hidden, config.Activation, run, training.Pool, outputGain: 0.01f, config.InitLogStd);
        Mlp critic = PolicyNet.NewMlp(o, config.Hidden, 1, config.Activation, run, training.Pool, outputGain: 1f, salt: 1);
        var optimizers = new Optimizers(training.Pool);
        var actor = new PolicyGradientStep(policy, optimizers, lr, config.MaxGradNorm, m);
        var criticOpt = optimizers.Add(critic, lr, config.MaxGradNorm);
        var rollout = new Rollout(training.Env, policy, critic, run, t, config.Gamma, training.Stats);
        var minibatches = new Minibatches(run, batch, m);

        var advantages = new float[pop * batch];    // [P, T, N]
        var returns = new float[pop * batch];       // [P, T, N]
        var mbObs = new float[pop * m * o];         // [P, M, obsSize]
        var mbActions = new int[pop * m];           // [P, M]
        var mbRaw = new float[policy.IsDiscrete ? 0 : pop * m * policy.ActionWidth];
        var mbOldLogProb = new float[pop * m];      // [P, M]
        var mbAdv = new float[pop * m];             // [P, M]
        var mbReturns = new float[pop * m];         // [P, M]
        var value = new float[pop * m];
        var dValue = new float[pop * m];

        long steps = 0;
        float loss = 0;
        while (steps < run.TotalSteps)
        {
            // COLLECT ROLLOUT
            rollout.Collect();
            rollout.ComputeLastValues();
            steps += batch;

            // COMPUTE RETURNS (GAE advantages and λ-returns, no gradient)
            rollout.Gae(config.Lambda, advantages, returns);

            // UPDATE
            if (config.AnnealLearningRate) optimizers.Anneal(steps, run.TotalSteps);
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
                    minibatches.Gather<float>(advantages, mbAdv, mb);
                    minibatches.Gather<float>(returns, mbReturns, mb);
                    if (config.NormalizeAdvantages)
                        for (int p = 0; p < pop; p++) Returns.Normalize(mbAdv.AsSpan(p * m, m));

                    // Actor: maximize mean min(ρA, clip(ρ)A) + c_H·H, i.e. descend its negative.
                    actor.Evaluate(mbObs, mbActions, mbRaw, m);
                    loss = 0;
                    for (int r = 0; r < pop * m; r++)
                    {
                        float ratio = MathF.Exp(actor.LogProb[r] - mbOldLogProb[r]), a = mbAdv[r];
                        float unclipped = ratio * a, clipped = Math.Clamp(ratio, 1f - config.ClipCoef, 1f + config.ClipCoef) * a;
                        // d/dlogπ of −min(…): −ρA where the unclipped term is the minimum, else 0 (the clip blocks the gradient).
                        actor.DLogProb[r] = unclipped <= clipped ? -unclipped / m : 0f;
                        if (r < m) loss -= MathF.Min(unclipped, clipped) / m + config.EntropyCoef * actor.Entropy[r] / m;
                    }
                    actor.Step(mbActions, mbRaw, m, -config.EntropyCoef / m);

                    // Critic: minimize c_V · ½(V − G)².
                    critic.Forward(mbObs, m, value);
                    for (int r = 0; r < pop * m; r++) dValue[r] = config.ValueCoef * (value[r] - mbReturns[r]) / m;
                    criticOpt.Descend(dValue);
                    policy.CheckFinite(steps, loss, ("actor", policy.Net), ("critic", critic));
                }
            }

            if (training.EndUpdate(steps, loss, policy)) break;
        }
        return training.Result("ppo", steps, policy, critic);
    }
}
