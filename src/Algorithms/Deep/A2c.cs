using RlKernels.Algorithms.Device;
using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Deep;

/// <summary>A2C hyperparameters (all shared: <see cref="ActorCriticConfig"/>, and <see cref="DeepConfig"/>: tanh, rollouts of 16 steps, rate 3e-3, γ 0.99, clip 0.5).</summary>
public sealed record A2cConfig : ActorCriticConfig;

// Advantage actor-critic (A2C, the synchronous A3C of Mnih et al. 2016) with GAE(λ) advantages: a learned
// V is the critic, one gradient step per short rollout. P = population, N = envs per member, T = rollout
// steps, B = T·N.
/// <summary>A2C training loop.</summary>
public static class A2c
{
    /// <summary>
    /// A2C in the registry: any action space, the defaults of <see cref="A2cConfig"/>. On the gpu and gpu-cpu backends the
    /// whole loop runs on the device (<see cref="DeviceA2c"/>) where it can (discrete actions, a plain GPU runner), as PPO's
    /// does; otherwise the envs step on the device and the networks train on the CPU.
    /// </summary>
    public static DeepAlgorithm Entry { get; } = new("a2c", ActionNeed.Any, (run, o) =>
    {
        A2cConfig config = o.Apply(new A2cConfig { Run = run });
        return (DeviceA2c.RunsOn(run.Backend) ? DeviceA2c.TrainIfItRuns(config) : null) ?? Train(config);
    })
    {
        RunsOnDevice = true,
        // Only a device run too big for the device's memory is refused; what the device loop cannot run falls back.
        Problem = (run, o) => DeviceA2c.MemoryProblem(o.Apply(new A2cConfig { Run = run })),
        Defaults = _ => (32, 2_000_000),
        RolloutSteps = _ => new A2cConfig().RolloutSteps,
        MemberParams = [.. MemberParam.Common, MemberParam.Lambda, MemberParam.EntropyCoef, MemberParam.MaxGradNorm],
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
        int pop = run.Population, batch = run.EnvCount * config.RolloutSteps;
        var ac = new ActorCritic(training, config, rows: batch);
        PolicyNet policy = ac.Policy;
        PolicyGradientStep actor = ac.Actor;
        Rollout rollout = ac.Rollout;
        float[] advantages = ac.Advantages;   // [P, T, N]
        float[] dEntropy = ac.EntropyCoefs.Select(c => -c / batch).ToArray(); // [P] dLoss/dH per row

        long steps = 0;
        float loss = 0;
        while (steps < run.TotalSteps)
        {
            // COLLECT ROLLOUT, COMPUTE RETURNS (GAE advantages and λ-returns as value targets, no gradient)
            ac.CollectWithGae();
            steps += batch;
            if (config.NormalizeAdvantages)
                for (int p = 0; p < pop; p++) Returns.Normalize(advantages.AsSpan(p * batch, batch));

            // UPDATE: one step on −mean(A · log π(a|s)) − c_H·H for the actor, c_V·½(V − G)² for the critic
            policy.KeepGood();
            actor.Evaluate(rollout.Obs, rollout.Actions, rollout.RawActions, batch);
            loss = 0;
            for (int r = 0; r < pop * batch; r++)
            {
                actor.DLogProb[r] = -advantages[r] / batch;
                if (r < batch) loss -= (advantages[r] * actor.LogProb[r] + ac.EntropyCoefs[0] * actor.Entropy[r]) / batch;
            }
            actor.Step(rollout.Actions, rollout.RawActions, batch, dEntropy);
            ac.CriticStep(rollout.Obs, ac.Returns, batch, config.ValueCoef);
            ac.CheckFinite(steps, loss);

            if (training.EndUpdate(steps, loss, policy)) break;
        }
        return training.Result("a2c", steps, policy, ac.Critic);
    }
}
