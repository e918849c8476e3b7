using System.Diagnostics;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Deep;

// REINFORCE (Williams 1992) with the reward-to-go estimate: ∇J ≈ mean_t ∇log π(a_t|s_t) (G_t − b(s_t)),
// G_t = Σ_{k≥t} γ^{k−t} r_k over the rest of the episode, b = 0 or a learned V (the baseline, fitted by
// Monte-Carlo regression on the same returns). Only steps whose episode ends inside the rollout have a
// complete return; the tail of each env's rollout is left out of the update (weight 0), so the estimate stays
// Monte Carlo. Known bias of that cut: a step is kept only if its episode ends before the rollout does, which
// under-samples the early steps of long episodes that start late in a rollout; a rollout of at least the
// time limit (CartPole: 500) keeps it small. (TD(1) in ValueLearning.cs carries episodes across rollouts
// instead; for a policy gradient that would mix in samples of older policies.) P = population, N = envs per member, T = rollout steps, B = T·N.

/// <summary>REINFORCE hyperparameters.</summary>
public sealed record ReinforceConfig
{
    /// <summary>Env, envs, steps, seeds and the stopping target.</summary>
    public RunSettings Run { get; init; } = new();
    /// <summary>Learn a state-value baseline b(s) = V(s) and weight log π by G − V instead of G.</summary>
    public bool Baseline { get; init; } = true;
    /// <summary>Hidden layer widths of the policy and of the baseline.</summary>
    public int[] Hidden { get; init; } = [64, 64];
    /// <summary>Hidden activation.</summary>
    public Activation Activation { get; init; } = Activation.Tanh;
    /// <summary>Steps T each env runs per update; episodes must fit (CartPole: 500 at most) to count in full.</summary>
    public int RolloutSteps { get; init; } = 512;
    /// <summary>Gradient steps per rollout, each on a disjoint minibatch of it.</summary>
    public int Minibatches { get; init; } = 4;
    /// <summary>Adam learning rate of policy and baseline.</summary>
    public float LearningRate { get; init; } = 3e-3f;
    /// <summary>Per-member learning rates (length P); overrides <see cref="LearningRate"/>.</summary>
    public float[]? LearningRates { get; init; }
    /// <summary>Discount γ of the reward-to-go (1: undiscounted).</summary>
    public float Gamma { get; init; } = 0.99f;
    /// <summary>Divide the weights G − b of each minibatch by their root mean square (a step-size normalization; no mean is subtracted, so without a baseline this is still plain REINFORCE).</summary>
    public bool ScaleWeights { get; init; } = true;
    /// <summary>Global-norm gradient clip per network (≤ 0: none).</summary>
    public float MaxGradNorm { get; init; } = 1f;
    /// <summary>Initial log σ of a Gaussian policy.</summary>
    public float InitLogStd { get; init; } = 0f;
}

/// <summary>REINFORCE training loop.</summary>
public static class Reinforce
{
    public static TrainResult Train(ReinforceConfig config)
    {
        RunSettings run = config.Run;
        run.Validate();
        if (config.RolloutSteps < 1 || config.Minibatches < 1 || run.EnvCount * config.RolloutSteps < config.Minibatches)
            throw new ArgumentException("REINFORCE needs RolloutSteps, Minibatches ≥ 1 and at least one sample per minibatch.");
        var watch = Stopwatch.StartNew();
        Func<double> clock = run.Clock ?? Clocks.Since(watch);
        using IVectorEnv env = run.MakeEnv();
        var pool = run.MakePool(); // outlives training: the returned networks run on it
        int pop = run.Population, n = run.EnvCount, t = config.RolloutSteps, batch = n * t, m = batch / config.Minibatches;
        int o = env.Spec.ObsSize;
        float[] lr = run.PerMember(config.LearningRate, config.LearningRates, "LearningRates");

        var policy = PolicyNet.Create(env.Spec, config.Hidden, config.Activation, run, pool, outputGain: 0.01f, config.InitLogStd);
        int w = policy.ActionWidth;
        Mlp? baseline = config.Baseline ? PolicyNet.NewMlp(o, config.Hidden, 1, config.Activation, run, pool, outputGain: 1f, salt: 1) : null;
        var optimizers = new Optimizers(pool);
        var policyOpt = optimizers.Add(policy.Net, lr, config.MaxGradNorm);
        var baselineOpt = baseline is null ? null : optimizers.Add(baseline, lr, config.MaxGradNorm);
        var logStdOpt = optimizers.AddLogStd(policy, lr);
        var head = new PolicyHead(policy);
        var stats = new EpisodeStats(pop, run.RecentEpisodes);
        // No critic in the rollout: truncated episodes bootstrap from 0 (CartPole's time limit is part of the task).
        var rollout = new Rollout(env, policy, critic: null, run, t, config.Gamma, stats);
        var curve = new List<CurvePoint>();

        var returns = new float[pop * batch];   // [P, T, N] reward-to-go
        var complete = new bool[pop * batch];   // [P, T, N] the episode ends inside the rollout
        var perm = new int[pop * batch];
        var mbObs = new float[pop * m * o];
        var mbActions = new int[pop * m];
        var mbRaw = new float[policy.IsDiscrete ? 0 : pop * m * w];
        var mbReturns = new float[pop * m];
        var mbWeight = new float[pop * m];      // 1 where the return is complete, else 0
        var output = new float[pop * m * w];
        var dOutput = new float[output.Length];
        var logProb = new float[pop * m];
        var entropy = new float[pop * m];
        var dLogProb = new float[pop * m];
        var value = new float[pop * m];
        var dValue = new float[pop * m];
        var adv = new float[pop * m];

        long steps = 0;
        uint globalStep = 0, round = 0;
        var stop = new StopRule(run, stats, clock);
        float loss = 0;
        while (steps < run.TotalSteps)
        {
            // COLLECT ROLLOUT
            for (int s = 0; s < t; s++) rollout.CollectStep(s, globalStep++);
            steps += batch;

            // COMPUTE RETURNS (reward-to-go per episode, no gradient)
            for (int p = 0; p < pop; p++)
                Returns.RewardToGo(rollout.Rewards.AsSpan(p * batch, batch), rollout.Done.AsSpan(p * batch, batch), t, n, config.Gamma,
                    returns.AsSpan(p * batch, batch), complete.AsSpan(p * batch, batch));

            // UPDATE: minibatch steps on −Σ w·(G − b)·log π(a|s) / Σ w, and ½(V − G)² for the baseline
            policy.KeepGood();
            for (int p = 0; p < pop; p++) Shuffle.Permutation(perm.AsSpan(p * batch, batch), run.SeedOf(p), round);
            round++;
            for (int mb = 0; mb < config.Minibatches; mb++)
            {
                for (int p = 0; p < pop; p++)
                    for (int j = 0; j < m; j++)
                    {
                        int src = p * batch + perm[p * batch + mb * m + j], dst = p * m + j;
                        rollout.Obs.AsSpan(src * o, o).CopyTo(mbObs.AsSpan(dst * o, o));
                        mbActions[dst] = rollout.Actions[src];
                        if (!policy.IsDiscrete) rollout.RawActions.AsSpan(src * w, w).CopyTo(mbRaw.AsSpan(dst * w, w));
                        mbReturns[dst] = returns[src];
                        mbWeight[dst] = complete[src] ? 1f : 0f;
                    }

                if (baseline is not null) baseline.Forward(mbObs, m, value);
                for (int p = 0; p < pop; p++)
                {
                    float count = 0;
                    for (int j = 0; j < m; j++) count += mbWeight[p * m + j];
                    double sq = 0;
                    for (int j = 0; j < m; j++)
                    {
                        int r = p * m + j;
                        adv[r] = mbWeight[r] * (mbReturns[r] - (baseline is null ? 0f : value[r]));
                        sq += (double)adv[r] * adv[r];
                    }
                    float scale = config.ScaleWeights && count > 1 ? 1f / (MathF.Sqrt((float)(sq / count)) + 1e-8f) : 1f;
                    for (int j = 0; j < m; j++)
                    {
                        int r = p * m + j;
                        dLogProb[r] = count > 0 ? -adv[r] * scale / count : 0f;
                        dValue[r] = count > 0 && baseline is not null ? mbWeight[r] * (value[r] - mbReturns[r]) / count : 0f;
                    }
                }

                policy.Net.Forward(mbObs, m, output);
                head.LogProbAndEntropy(output, mbActions, mbRaw, m, logProb, entropy);
                loss = 0;
                for (int r = 0; r < m; r++) loss += dLogProb[r] * logProb[r];
                Array.Clear(dOutput);
                head.Backward(output, mbActions, mbRaw, m, dLogProb, 0f, dOutput);
                policy.Net.ZeroGradients();
                policy.Net.Backward(dOutput, default);
                policyOpt.Step();
                logStdOpt?.Step();

                if (baseline is not null)
                {
                    baseline.ZeroGradients();
                    baseline.Backward(dValue, default);
                    baselineOpt!.Step();
                    policy.CheckFinite(steps, loss, ("policy", policy.Net), ("baseline", baseline));
                }
                else
                    policy.CheckFinite(steps, loss, ("policy", policy.Net));
            }

            for (int p = 0; p < pop; p++) curve.Add(new CurvePoint(steps, watch.Elapsed.TotalSeconds, p, stats.RecentMean(p), stats.Count(p)));
            run.Progress?.Invoke(new TrainProgress(steps, watch.Elapsed.TotalSeconds, stats.RecentMean(0), stats.Count(0), loss));
            if (stop.ShouldStop(policy, steps)) break;
        }

        return new TrainResult
        {
            Algorithm = config.Baseline ? "reinforce-baseline" : "reinforce", Settings = run, Policy = policy, Critic = baseline,
            Curve = curve, EnvSteps = steps, Seconds = watch.Elapsed.TotalSeconds, SolvedAtSeconds = stop.SolvedAt, SolvedAtStep = stop.SolvedStep,
            FinalRecentMean = Enumerable.Range(0, pop).Select(stats.RecentMean).ToArray(),
        };
    }
}
