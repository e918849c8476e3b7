using System.Diagnostics;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Deep;

// Proximal policy optimization (Schulman et al. 2017), clipped objective, after CleanRL ppo.py and
// PureJaxRL ppo.py. Separate actor and critic networks. Works with categorical (discrete) and Gaussian
// (continuous) policies. P = population, N = envs per member, T = rollout steps, B = T·N, M = B / minibatches.

/// <summary>PPO hyperparameters; the defaults solve CartPole-v1 in a few seconds on two cores.</summary>
public sealed record PpoConfig
{
    /// <summary>Env, envs, steps, seeds and the stopping target.</summary>
    public RunSettings Run { get; init; } = new();
    /// <summary>Hidden layer widths of the actor and of the critic.</summary>
    public int[] Hidden { get; init; } = [64, 64];
    /// <summary>Hidden activation (tanh, as in the PPO paper's MuJoCo setup).</summary>
    public Activation Activation { get; init; } = Activation.Tanh;
    /// <summary>Steps T each env runs per rollout; a rollout is T·N samples per member.</summary>
    public int RolloutSteps { get; init; } = 32;
    /// <summary>Passes over each rollout.</summary>
    public int Epochs { get; init; } = 4;
    /// <summary>Minibatches per pass.</summary>
    public int Minibatches { get; init; } = 4;
    /// <summary>Adam learning rate of actor and critic.</summary>
    public float LearningRate { get; init; } = 3e-3f;
    /// <summary>Per-member learning rates (length P); overrides <see cref="LearningRate"/>.</summary>
    public float[]? LearningRates { get; init; }
    /// <summary>Anneal the learning rate linearly to 0 over <see cref="RunSettings.TotalSteps"/>.</summary>
    public bool AnnealLearningRate { get; init; } = false;
    /// <summary>Discount γ.</summary>
    public float Gamma { get; init; } = 0.99f;
    /// <summary>GAE λ.</summary>
    public float Lambda { get; init; } = 0.95f;
    /// <summary>Ratio clip ε: the objective is min(ρA, clip(ρ, 1−ε, 1+ε)A).</summary>
    public float ClipCoef { get; init; } = 0.2f;
    /// <summary>Weight of the value loss ½(V − G)² (scales the critic's gradient).</summary>
    public float ValueCoef { get; init; } = 0.5f;
    /// <summary>Weight of the entropy bonus.</summary>
    public float EntropyCoef { get; init; } = 0.0f;
    /// <summary>Global-norm gradient clip per network (≤ 0: none).</summary>
    public float MaxGradNorm { get; init; } = 0.5f;
    /// <summary>Normalize advantages per minibatch to mean 0, std 1.</summary>
    public bool NormalizeAdvantages { get; init; } = true;
    /// <summary>Initial log σ of a Gaussian policy.</summary>
    public float InitLogStd { get; init; } = 0f;
}

/// <summary>PPO training loop.</summary>
public static class Ppo
{
    public static TrainResult Train(PpoConfig config)
    {
        RunSettings run = config.Run;
        run.Validate();
        if (config.RolloutSteps < 1 || config.Epochs < 1 || config.Minibatches < 1 || run.EnvCount * config.RolloutSteps < config.Minibatches)
            throw new ArgumentException("PPO needs RolloutSteps, Epochs, Minibatches ≥ 1 and at least one sample per minibatch.");
        var watch = Stopwatch.StartNew();
        Func<double> clock = run.Clock ?? Clocks.Since(watch);
        using IVectorEnv env = run.MakeEnv();
        var pool = run.MakePool(); // outlives training: the returned networks run on it
        int pop = run.Population, n = run.EnvCount, t = config.RolloutSteps, batch = n * t, m = batch / config.Minibatches;
        int o = env.Spec.ObsSize;
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

        var advantages = new float[pop * batch];    // [P, T, N]
        var returns = new float[pop * batch];       // [P, T, N]
        var perm = new int[pop * batch];            // [P, B]
        var mbObs = new float[pop * m * o];         // [P, M, obsSize]
        var mbActions = new int[pop * m];           // [P, M]
        var mbRaw = new float[policy.IsDiscrete ? 0 : pop * m * policy.ActionWidth];
        var mbOldLogProb = new float[pop * m];      // [P, M]
        var mbAdv = new float[pop * m];             // [P, M]
        var mbReturns = new float[pop * m];         // [P, M]
        var output = new float[pop * m * policy.ActionWidth];
        var dOutput = new float[output.Length];
        var logProb = new float[pop * m];
        var entropy = new float[pop * m];
        var dLogProb = new float[pop * m];
        var value = new float[pop * m];
        var dValue = new float[pop * m];

        long steps = 0;
        uint globalStep = 0, round = 0;
        var stop = new StopRule(run, stats, clock);
        float loss = 0;
        while (steps < run.TotalSteps)
        {
            // COLLECT ROLLOUT
            for (int s = 0; s < t; s++) rollout.CollectStep(s, globalStep++);
            rollout.ComputeLastValues();
            steps += batch;

            // COMPUTE RETURNS (GAE advantages and λ-returns, no gradient)
            for (int p = 0; p < pop; p++)
                Returns.Gae(rollout.Rewards.AsSpan(p * batch, batch), rollout.Values.AsSpan(p * batch, batch),
                    rollout.Done.AsSpan(p * batch, batch), rollout.LastValues.AsSpan(p * n, n), t, n, config.Gamma, config.Lambda,
                    advantages.AsSpan(p * batch, batch), returns.AsSpan(p * batch, batch));

            // UPDATE
            if (config.AnnealLearningRate) optimizers.Anneal(steps, run.TotalSteps);
            policy.KeepGood();
            for (int epoch = 0; epoch < config.Epochs; epoch++)
            {
                for (int p = 0; p < pop; p++) Shuffle.Permutation(perm.AsSpan(p * batch, batch), run.SeedOf(p), round);
                round++;
                for (int mb = 0; mb < config.Minibatches; mb++)
                {
                    // Gather minibatch mb of every member into [P, M, ...].
                    for (int p = 0; p < pop; p++)
                    {
                        for (int j = 0; j < m; j++)
                        {
                            int src = p * batch + perm[p * batch + mb * m + j], dst = p * m + j;
                            rollout.Obs.AsSpan(src * o, o).CopyTo(mbObs.AsSpan(dst * o, o));
                            mbActions[dst] = rollout.Actions[src];
                            if (!policy.IsDiscrete)
                                rollout.RawActions.AsSpan(src * policy.ActionWidth, policy.ActionWidth).CopyTo(mbRaw.AsSpan(dst * policy.ActionWidth));
                            mbOldLogProb[dst] = rollout.LogProbs[src];
                            mbAdv[dst] = advantages[src];
                            mbReturns[dst] = returns[src];
                        }
                        if (config.NormalizeAdvantages) Returns.Normalize(mbAdv.AsSpan(p * m, m));
                    }

                    // Actor: maximize mean min(ρA, clip(ρ)A) + c_H·H, i.e. descend its negative.
                    policy.Net.Forward(mbObs, m, output);
                    head.LogProbAndEntropy(output, mbActions, mbRaw, m, logProb, entropy);
                    loss = 0;
                    for (int r = 0; r < pop * m; r++)
                    {
                        float ratio = MathF.Exp(logProb[r] - mbOldLogProb[r]), a = mbAdv[r];
                        float unclipped = ratio * a, clipped = Math.Clamp(ratio, 1f - config.ClipCoef, 1f + config.ClipCoef) * a;
                        // d/dlogπ of −min(…): −ρA where the unclipped term is the minimum, else 0 (the clip blocks the gradient).
                        dLogProb[r] = unclipped <= clipped ? -unclipped / m : 0f;
                        if (r < m) loss -= MathF.Min(unclipped, clipped) / m + config.EntropyCoef * entropy[r] / m;
                    }
                    Array.Clear(dOutput);
                    head.Backward(output, mbActions, mbRaw, m, dLogProb, -config.EntropyCoef / m, dOutput);
                    policy.Net.ZeroGradients();
                    policy.Net.Backward(dOutput, default);
                    actorOpt.Step();
                    logStdOpt?.Step();

                    // Critic: minimize c_V · ½(V − G)².
                    critic.Forward(mbObs, m, value);
                    for (int r = 0; r < pop * m; r++) dValue[r] = config.ValueCoef * (value[r] - mbReturns[r]) / m;
                    critic.ZeroGradients();
                    critic.Backward(dValue, default);
                    criticOpt.Step();
                    policy.CheckFinite(steps, loss, ("actor", policy.Net), ("critic", critic));
                }
            }

            for (int p = 0; p < pop; p++) curve.Add(new CurvePoint(steps, watch.Elapsed.TotalSeconds, p, stats.RecentMean(p), stats.Count(p)));
            run.Progress?.Invoke(new TrainProgress(steps, watch.Elapsed.TotalSeconds, stats.RecentMean(0), stats.Count(0), loss));
            if (stop.ShouldStop(policy, steps)) break;
        }

        return new TrainResult
        {
            Algorithm = "ppo", Settings = run, Policy = policy, Critic = critic, Curve = curve, EnvSteps = steps,
            Seconds = watch.Elapsed.TotalSeconds, SolvedAtSeconds = stop.SolvedAt, SolvedAtStep = stop.SolvedStep,
            FinalRecentMean = Enumerable.Range(0, pop).Select(stats.RecentMean).ToArray(),
        };
    }
}
