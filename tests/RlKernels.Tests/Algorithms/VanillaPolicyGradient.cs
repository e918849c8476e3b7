using RlKernels.Algorithms.Deep;

namespace RlKernels.Tests.Algorithms;

// The algorithm docs/adding-an-algorithm.md walks through, written by following it: vanilla policy gradient
// (REINFORCE without baseline or minibatches), one gradient step per rollout on
// −mean(Ĝ · log π(a|s)), Ĝ the reward-to-go normalized per member over the steps whose episode ends inside the
// rollout (the others get weight 0). Everything but that math comes from the shared pieces.
// P = population, N = envs per member, T = rollout steps, B = T·N.

/// <summary>Vanilla policy gradient hyperparameters (the shared ones in <see cref="DeepConfig"/>; rollouts of 128 steps).</summary>
public sealed record VanillaPolicyGradientConfig : DeepConfig
{
    public VanillaPolicyGradientConfig() => RolloutSteps = 128;
}

/// <summary>Vanilla policy gradient training loop: the test algorithm of the deep registry.</summary>
public static class VanillaPolicyGradient
{
    /// <summary>Its registry entry: any action space, 16 envs and 20 000 steps by default.</summary>
    public static DeepAlgorithm Entry { get; } = new("test-vpg", ActionNeed.Any,
        (run, o) => Train(o.Apply(new VanillaPolicyGradientConfig { Run = run })))
    {
        Defaults = _ => (16, 20_000),
        RolloutSteps = _ => new VanillaPolicyGradientConfig().RolloutSteps,
    };

    public static TrainResult Train(VanillaPolicyGradientConfig config)
    {
        using var training = TrainingRun.Start(config.Run, config.RolloutSteps < 1 ? "Vanilla policy gradient needs RolloutSteps ≥ 1." : null);
        RunSettings run = training.Settings;
        int pop = run.Population, n = run.EnvCount, t = config.RolloutSteps, batch = n * t;

        var policy = PolicyNet.Create(training.Spec, config.Hidden, config.Activation, run, training.Pool, outputGain: 0.01f, initLogStd: 0f);
        var actor = new PolicyGradientStep(policy, new Optimizers(training.Pool), config.MemberLearningRates(), config.MaxGradNorm, batch);
        var rollout = new Rollout(training.Env, policy, critic: null, run, t, config.Gamma, training.Stats);
        var returns = new float[pop * batch];   // [P, T, N] reward-to-go
        var complete = new bool[pop * batch];   // [P, T, N] the episode ends inside the rollout
        var kept = new float[batch];            // [B] one member's complete returns

        long steps = 0;
        float loss = 0;
        while (steps < run.TotalSteps)
        {
            // COLLECT ROLLOUT
            rollout.Collect();
            steps += batch;

            // COMPUTE RETURNS: reward-to-go, normalized per member over the complete steps, 0 elsewhere
            rollout.RewardToGo(returns, complete);
            for (int p = 0; p < pop; p++)
            {
                Span<float> g = returns.AsSpan(p * batch, batch);
                Span<bool> done = complete.AsSpan(p * batch, batch);
                int count = 0;
                for (int i = 0; i < batch; i++) if (done[i]) kept[count++] = g[i];
                Returns.Normalize(kept.AsSpan(0, count));
                for (int i = 0, k = 0; i < batch; i++) g[i] = done[i] ? kept[k++] : 0f;
            }

            // UPDATE: one step on −mean(Ĝ · log π(a|s))
            policy.KeepGood();
            actor.Evaluate(rollout.Obs, rollout.Actions, rollout.RawActions, batch);
            loss = 0;
            for (int r = 0; r < pop * batch; r++)
            {
                actor.DLogProb[r] = -returns[r] / batch;
                if (r < batch) loss += actor.DLogProb[r] * actor.LogProb[r];
            }
            actor.Step(rollout.Actions, rollout.RawActions, batch);
            policy.CheckFinite(steps, loss, ("policy", policy.Net));

            if (training.EndUpdate(steps, loss, policy)) break;
        }
        return training.Result("test-vpg", steps, policy, critic: null);
    }
}
