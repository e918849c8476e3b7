using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Deep;

// Advantage actor-critic (A2C, the synchronous A3C of Mnih et al. 2016) with GAE(λ) advantages: a learned
// V is the critic, one gradient step per short rollout. P = population, N = envs per member, T = rollout
// steps, B = T·N.

/// <summary>A2C hyperparameters (the shared ones in <see cref="DeepConfig"/>: tanh, rollouts of 16 steps, rate 3e-3, γ 0.99, clip 0.5).</summary>
public sealed record A2cConfig : DeepConfig
{
    /// <summary>GAE λ (1: Monte-Carlo advantages bootstrapped at the rollout end; 0: one-step TD error).</summary>
    public float Lambda { get; init; } = 0.95f;
    /// <summary>Weight of the value loss ½(V − G)².</summary>
    public float ValueCoef { get; init; } = 0.5f;
    /// <summary>Weight of the entropy bonus.</summary>
    public float EntropyCoef { get; init; } = 0.0f;
    /// <summary>Normalize each rollout's advantages to mean 0, std 1.</summary>
    public bool NormalizeAdvantages { get; init; } = true;
    /// <summary>Initial log σ of a Gaussian policy.</summary>
    public float InitLogStd { get; init; } = 0f;
}

/// <summary>A2C training loop.</summary>
public static class A2c
{
    /// <summary>A2C in the registry: any action space, the defaults of <see cref="A2cConfig"/>.</summary>
    public static DeepAlgorithm Entry { get; } = new("a2c", ActionNeed.Any,
        (run, lr) => Train(new A2cConfig { Run = run } is var c && lr is { } v ? c with { LearningRate = v } : c))
    {
        Defaults = _ => (32, 2_000_000),
        RolloutSteps = _ => new A2cConfig().RolloutSteps,
    };

    /// <summary>
    /// Trains an actor and a critic per member with A2C until <see cref="RunSettings.TotalSteps"/> env steps per member, or until the
    /// <see cref="StopRule"/> stops it (every member at <see cref="RunSettings.TargetReturn"/>, with <see cref="RunSettings.StopAtTarget"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The run settings or the config (RolloutSteps &lt; 1) are invalid.</exception>
    /// <exception cref="TrainingDivergedException">A loss, gradient or parameter went non-finite.</exception>
    public static TrainResult Train(A2cConfig config)
    {
        using var training = TrainingRun.Start(config.Run, config.RolloutSteps < 1 ? "A2C needs RolloutSteps ≥ 1." : null);
        RunSettings run = training.Settings;
        int pop = run.Population, t = config.RolloutSteps, batch = run.EnvCount * t, o = training.Spec.ObsSize;
        float[] lr = config.MemberLearningRates();

        var policy = PolicyNet.Create(training.Spec, config.Hidden, config.Activation, run, training.Pool, outputGain: 0.01f, config.InitLogStd);
        Mlp critic = PolicyNet.NewMlp(o, config.Hidden, 1, config.Activation, run, training.Pool, outputGain: 1f, salt: 1);
        var optimizers = new Optimizers(training.Pool);
        var actor = new PolicyGradientStep(policy, optimizers, lr, config.MaxGradNorm, batch);
        var criticOpt = optimizers.Add(critic, lr, config.MaxGradNorm);
        var rollout = new Rollout(training.Env, policy, critic, run, t, config.Gamma, training.Stats);

        var advantages = new float[pop * batch];   // [P, T, N]
        var returns = new float[pop * batch];      // [P, T, N]
        var value = new float[pop * batch];
        var dValue = new float[pop * batch];

        long steps = 0;
        float loss = 0;
        while (steps < run.TotalSteps)
        {
            // COLLECT ROLLOUT
            rollout.Collect();
            rollout.ComputeLastValues();
            steps += batch;

            // COMPUTE RETURNS (GAE advantages and λ-returns as value targets, no gradient)
            rollout.Gae(config.Lambda, advantages, returns);
            if (config.NormalizeAdvantages)
                for (int p = 0; p < pop; p++) Returns.Normalize(advantages.AsSpan(p * batch, batch));

            // UPDATE: one step on −mean(A · log π(a|s)) − c_H·H for the actor, c_V·½(V − G)² for the critic
            policy.KeepGood();
            actor.Evaluate(rollout.Obs, rollout.Actions, rollout.RawActions, batch);
            loss = 0;
            for (int r = 0; r < pop * batch; r++)
            {
                actor.DLogProb[r] = -advantages[r] / batch;
                if (r < batch) loss -= (advantages[r] * actor.LogProb[r] + config.EntropyCoef * actor.Entropy[r]) / batch;
            }
            actor.Step(rollout.Actions, rollout.RawActions, batch, -config.EntropyCoef / batch);

            critic.Forward(rollout.Obs, batch, value);
            for (int r = 0; r < pop * batch; r++) dValue[r] = config.ValueCoef * (value[r] - returns[r]) / batch;
            criticOpt.Descend(dValue);
            policy.CheckFinite(steps, loss, ("actor", policy.Net), ("critic", critic));

            if (training.EndUpdate(steps, loss, policy)) break;
        }
        return training.Result("a2c", steps, policy, critic);
    }
}
