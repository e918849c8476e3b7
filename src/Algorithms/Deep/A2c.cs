using System.Diagnostics;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Deep;

// Advantage actor-critic (A2C, the synchronous A3C of Mnih et al. 2016) with GAE(λ) advantages: a learned
// V is the critic, one gradient step per short rollout. P = population, N = envs per member, T = rollout
// steps, B = T·N.

/// <summary>A2C hyperparameters.</summary>
public sealed record A2cConfig
{
    /// <summary>Env, envs, steps, seeds and the stopping target.</summary>
    public RunSettings Run { get; init; } = new();
    /// <summary>Hidden layer widths of the actor and of the critic.</summary>
    public int[] Hidden { get; init; } = [64, 64];
    /// <summary>Hidden activation.</summary>
    public Activation Activation { get; init; } = Activation.Tanh;
    /// <summary>Steps T each env runs per update (the n of the n-step returns GAE mixes).</summary>
    public int RolloutSteps { get; init; } = 16;
    /// <summary>Adam learning rate of actor and critic.</summary>
    public float LearningRate { get; init; } = 3e-3f;
    /// <summary>Per-member learning rates (length P); overrides <see cref="LearningRate"/>.</summary>
    public float[]? LearningRates { get; init; }
    /// <summary>Discount γ.</summary>
    public float Gamma { get; init; } = 0.99f;
    /// <summary>GAE λ (1: Monte-Carlo advantages bootstrapped at the rollout end; 0: one-step TD error).</summary>
    public float Lambda { get; init; } = 0.95f;
    /// <summary>Weight of the value loss ½(V − G)².</summary>
    public float ValueCoef { get; init; } = 0.5f;
    /// <summary>Weight of the entropy bonus.</summary>
    public float EntropyCoef { get; init; } = 0.0f;
    /// <summary>Global-norm gradient clip per network (≤ 0: none).</summary>
    public float MaxGradNorm { get; init; } = 0.5f;
    /// <summary>Normalize each rollout's advantages to mean 0, std 1.</summary>
    public bool NormalizeAdvantages { get; init; } = true;
    /// <summary>Initial log σ of a Gaussian policy.</summary>
    public float InitLogStd { get; init; } = 0f;
}

/// <summary>A2C training loop.</summary>
public static class A2c
{
    public static TrainResult Train(A2cConfig config)
    {
        RunSettings run = config.Run;
        run.Validate();
        if (config.RolloutSteps < 1) throw new ArgumentException("A2C needs RolloutSteps ≥ 1.");
        var watch = Stopwatch.StartNew();
        Func<double> clock = run.Clock ?? Clocks.Since(watch);
        using IVectorEnv env = run.MakeEnv();
        var pool = run.MakePool(); // outlives training: the returned networks run on it
        int pop = run.Population, n = run.EnvCount, t = config.RolloutSteps, batch = n * t, o = env.Spec.ObsSize;
        float[] lr = run.PerMember(config.LearningRate, config.LearningRates, "LearningRates");

        var policy = PolicyNet.Create(env.Spec, config.Hidden, config.Activation, run, pool, outputGain: 0.01f, config.InitLogStd);
        Mlp critic = PolicyNet.NewMlp(o, config.Hidden, 1, config.Activation, run, pool, outputGain: 1f, salt: 1);
        var optimizers = new Optimizers(pool);
        var actorOpt = optimizers.Add(policy.Net, lr, config.MaxGradNorm);
        var criticOpt = optimizers.Add(critic, lr, config.MaxGradNorm);
        var logStdOpt = optimizers.AddLogStd(policy, lr);
        var head = new PolicyHead(policy);
        var stats = new EpisodeStats(pop, run.RecentEpisodes);
        var rollout = new Rollout(env, policy, critic, run, t, config.Gamma, stats);
        var curve = new List<CurvePoint>();

        var advantages = new float[pop * batch];   // [P, T, N]
        var returns = new float[pop * batch];      // [P, T, N]
        var output = new float[pop * batch * policy.ActionWidth];
        var dOutput = new float[output.Length];
        var logProb = new float[pop * batch];
        var entropy = new float[pop * batch];
        var dLogProb = new float[pop * batch];
        var value = new float[pop * batch];
        var dValue = new float[pop * batch];

        long steps = 0;
        uint globalStep = 0;
        var stop = new StopRule(run, stats, clock);
        float loss = 0;
        while (steps < run.TotalSteps)
        {
            // COLLECT ROLLOUT
            for (int s = 0; s < t; s++) rollout.CollectStep(s, globalStep++);
            rollout.ComputeLastValues();
            steps += batch;

            // COMPUTE RETURNS (GAE advantages and λ-returns as value targets, no gradient)
            for (int p = 0; p < pop; p++)
            {
                Returns.Gae(rollout.Rewards.AsSpan(p * batch, batch), rollout.Values.AsSpan(p * batch, batch),
                    rollout.Done.AsSpan(p * batch, batch), rollout.LastValues.AsSpan(p * n, n), t, n, config.Gamma, config.Lambda,
                    advantages.AsSpan(p * batch, batch), returns.AsSpan(p * batch, batch));
                if (config.NormalizeAdvantages) Returns.Normalize(advantages.AsSpan(p * batch, batch));
            }

            // UPDATE: one step on −mean(A · log π(a|s)) − c_H·H for the actor, c_V·½(V − G)² for the critic
            policy.KeepGood();
            policy.Net.Forward(rollout.Obs, batch, output);
            head.LogProbAndEntropy(output, rollout.Actions, rollout.RawActions, batch, logProb, entropy);
            loss = 0;
            for (int r = 0; r < pop * batch; r++)
            {
                dLogProb[r] = -advantages[r] / batch;
                if (r < batch) loss -= (advantages[r] * logProb[r] + config.EntropyCoef * entropy[r]) / batch;
            }
            Array.Clear(dOutput);
            head.Backward(output, rollout.Actions, rollout.RawActions, batch, dLogProb, -config.EntropyCoef / batch, dOutput);
            policy.Net.ZeroGradients();
            policy.Net.Backward(dOutput, default);
            actorOpt.Step();
            logStdOpt?.Step();

            critic.Forward(rollout.Obs, batch, value);
            for (int r = 0; r < pop * batch; r++) dValue[r] = config.ValueCoef * (value[r] - returns[r]) / batch;
            critic.ZeroGradients();
            critic.Backward(dValue, default);
            criticOpt.Step();
            policy.CheckFinite(steps, loss, ("actor", policy.Net), ("critic", critic));

            for (int p = 0; p < pop; p++) curve.Add(new CurvePoint(steps, watch.Elapsed.TotalSeconds, p, stats.RecentMean(p), stats.Count(p)));
            run.Progress?.Invoke(new TrainProgress(steps, watch.Elapsed.TotalSeconds, stats.RecentMean(0), stats.Count(0), loss));
            if (stop.ShouldStop(policy, steps)) break;
        }

        return new TrainResult
        {
            Algorithm = "a2c", Settings = run, Policy = policy, Critic = critic, Curve = curve, EnvSteps = steps,
            Seconds = watch.Elapsed.TotalSeconds, SolvedAtSeconds = stop.SolvedAt, SolvedAtStep = stop.SolvedStep,
            FinalRecentMean = Enumerable.Range(0, pop).Select(stats.RecentMean).ToArray(),
        };
    }
}
