using RlKernels.Envs.Runner;
using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Deep;

/// <summary>Which target the value net regresses on.</summary>
public enum ValueMethod
{
    /// <summary>TD(1): Monte-Carlo returns of complete episodes.</summary>
    MonteCarlo,
    /// <summary>TD(0) with a target network.</summary>
    Td0,
    /// <summary>TD(λ): λ-returns with a target network.</summary>
    TdLambda,
}

/// <summary>
/// Value-learning hyperparameters (the shared ones in <see cref="ValueRegressionConfig"/>: RandomWalk1D-v0, the lecture's
/// 2-layer relu net of width 64, rate 1e-3, γ 1 (the undiscounted stochastic-shortest-path value), clip 10; here rollouts
/// of 64 steps (TD(1) needs episodes to end inside them), 8 minibatches, λ 0.8). The defaults learn RandomWalk1D-v0's
/// V^π to within a few tenths; the run's target return is unused.
/// </summary>
public sealed record ValueLearningConfig : ValueRegressionConfig
{
    /// <summary>Defaults as <see cref="ValueRegressionConfig"/>, but rollouts of 64 steps, 8 minibatches and λ 0.8.</summary>
    public ValueLearningConfig()
    {
        RolloutSteps = 64;
        Minibatches = 8;
        Lambda = 0.8f;
    }

    /// <summary>Regression target.</summary>
    public ValueMethod Method { get; init; } = ValueMethod.Td0;
    /// <summary>Gradient steps between copies of the online net into the target net V̄; 1 = in-place TD (V̄ is the net of the previous step).</summary>
    public int TargetPeriod { get; init; } = 1;
}

// Learning V^π of the uniform random policy with a neural net, by regression on targets computed without
// gradient (the lecture's "learning V^π"):
//   TD(1): Monte-Carlo returns G_t of terminated episodes (carried across rollouts until they end);
//   TD(0): r_t + γ(1 − terminated) V̄(s_{t+1}), V̄ a target network refreshed every TargetPeriod updates
//          (period 1: V̄ is the current net, i.e. in-place TD(0));
//   TD(λ): the λ-returns of the same target network (GAE with λ, plus V̄), computed once per rollout.
// A truncated step bootstraps from V̄(final observation), a terminated one from 0.
// P = population, N = envs per member, T = rollout steps, B = T·N.
/// <summary>Value learning of V^π for the uniform random policy.</summary>
public static class ValueLearning
{
    /// <summary>
    /// Learns V^π of the uniform random policy with a value net per member for the full
    /// <see cref="RunSettings.TotalSteps"/> (there is no policy, so no early stop). The result's Critic is the
    /// net (one output, V(s)); its Policy is null; its Algorithm is "td1", "td0" or "td-lambda".
    /// </summary>
    /// <exception cref="ArgumentException">The run settings or the config (a count &lt; 1) are invalid, or the env's actions are not discrete.</exception>
    /// <exception cref="TrainingDivergedException">The loss went non-finite.</exception>
    public static TrainResult Train(ValueLearningConfig config)
    {
        using var training = TrainingRun.Start(config.Run, config.RolloutSteps < 1 || config.Epochs < 1 || config.Minibatches < 1 || config.TargetPeriod < 1
            ? "Value learning needs RolloutSteps, Epochs, Minibatches and TargetPeriod ≥ 1." : null);
        training.RequireActions(discrete: true, "Value learning uses the uniform random policy over discrete actions");
        var (run, env, pool) = training; // the pool outlives training: the returned network runs on it
        int pop = run.Population, n = run.EnvCount, t = config.RolloutSteps, batch = n * t, m = batch / config.Minibatches;
        int o = env.Spec.ObsSize;
        float[] lr = config.MemberLearningRates();
        float[] gammas = config.MemberGammas(), lambdas = MemberParam.Lambda.Of(run, config.Lambda);

        Mlp value = PolicyNet.NewMlp(o, config.Hidden, 1, config.Activation, run, pool, outputGain: 1f, salt: 2);
        Mlp target = TargetNetwork.CopyOf(value, pool);
        var optimizers = new Optimizers(pool);
        var opt = optimizers.Add(value, lr, config.MaxGradNorm);
        var stats = training.Stats;
        var minibatches = new Minibatches(run, batch, m);

        var obs = new float[pop * batch * o];      // [P, T, N, obsSize] s_t
        var nextObs = new float[pop * batch * o];  // [P, T, N, obsSize] s_{t+1}, the final observation where the episode ended
        var rewards = new float[pop * batch];      // [P, T, N]
        var bootstrap = new float[pop * batch];    // [P, T, N] 0 where terminated, else 1 (truncated: from s_final)
        var done = new bool[pop * batch];          // [P, T, N]
        var targetValues = new float[pop * batch]; // [P, T, N] V̄(s_t)
        var nextValues = new float[pop * batch];   // [P, T, N] V̄(s_{t+1})
        var lastValues = new float[pop * n];       // [P, N] V̄ after the last step
        var targets = new float[pop * batch];      // [P, T, N] regression targets
        var advantages = new float[pop * batch];
        var mbObs = new float[pop * m * o];
        var mbNextObs = new float[pop * m * o];
        var mbTargets = new float[pop * m];
        var mbNextValues = new float[pop * m];
        var prediction = new float[pop * m];
        var dPrediction = new float[pop * m];
        // TD(1): each env's episode in progress (observations, rewards), and per member the (s, G) pairs of
        // finished episodes not yet trained on. Episodes are carried across rollouts, so long episodes are not cut
        // (cutting them at the rollout end would bias the returns towards short episodes).
        var pendingObs = Enumerable.Range(0, pop * n).Select(_ => new List<float>()).ToArray();
        var pendingRewards = Enumerable.Range(0, pop * n).Select(_ => new List<float>()).ToArray();
        var readyObs = Enumerable.Range(0, pop).Select(_ => new List<float>()).ToArray();
        var readyReturns = Enumerable.Range(0, pop).Select(_ => new List<float>()).ToArray();

        long steps = 0;
        long gradientSteps = 0;
        float loss = 0;
        while (steps < run.TotalSteps)
        {
            // COLLECT ROLLOUT (uniform random actions from the env's counter RNG)
            for (int s = 0; s < t; s++)
            {
                ReadOnlySpan<float> current = env.Observations;
                for (int p = 0; p < pop; p++)
                    current.Slice(p * n * o, n * o).CopyTo(obs.AsSpan(((p * t + s) * n) * o, n * o));
                env.StepRandom(1);
                for (int p = 0; p < pop; p++)
                    for (int i = 0; i < n; i++)
                    {
                        int e = p * n + i, k = (p * t + s) * n + i;
                        bool ended = env.Terminated[e] || env.Truncated[e];
                        rewards[k] = env.Rewards[e];
                        done[k] = ended;
                        bootstrap[k] = env.Terminated[e] ? 0f : 1f;
                        (ended ? env.FinalObservations : env.Observations).Slice(e * o, o).CopyTo(nextObs.AsSpan(k * o, o));
                        if (config.Method != ValueMethod.MonteCarlo) continue;
                        pendingObs[e].AddRange(obs.AsSpan(k * o, o));
                        pendingRewards[e].Add(env.Rewards[e]);
                        if (!env.Terminated[e]) continue;
                        // Only terminated episodes have a Monte-Carlo return; a truncated one is dropped.
                        float g = 0;
                        int start = readyReturns[p].Count;
                        readyObs[p].AddRange(pendingObs[e]);
                        readyReturns[p].AddRange(pendingRewards[e]);
                        for (int j = readyReturns[p].Count - 1; j >= start; j--) readyReturns[p][j] = g = readyReturns[p][j] + gammas[p] * g;
                        pendingObs[e].Clear();
                        pendingRewards[e].Clear();
                    }
                for (int p = 0; p < pop; p++)
                    for (int i = 0; i < n; i++)
                        if (env.Truncated[p * n + i] && !env.Terminated[p * n + i]) { pendingObs[p * n + i].Clear(); pendingRewards[p * n + i].Clear(); }
                stats.Record(env, n);
            }
            steps += batch;

            // COMPUTE RETURNS (no gradient). TD(1): the finished episodes' returns, in whole minibatches per member.
            // TD(λ): λ-returns of the target network over this rollout. TD(0): per minibatch below, from V̄(s_{t+1}).
            int available = batch;
            if (config.Method == ValueMethod.MonteCarlo)
            {
                available = Math.Min(batch, readyReturns.Min(r => r.Count)) / m * m;
                for (int p = 0; p < pop; p++)
                {
                    for (int j = 0; j < available; j++) targets[p * batch + j] = readyReturns[p][j];
                    for (int j = 0; j < available * o; j++) obs[p * batch * o + j] = readyObs[p][j];
                    readyReturns[p].RemoveRange(0, available);
                    readyObs[p].RemoveRange(0, available * o);
                }
            }
            else if (config.Method == ValueMethod.TdLambda)
            {
                target.Forward(obs, batch, targetValues);
                target.Forward(nextObs, batch, nextValues);
                target.Forward(env.Observations, n, lastValues);
                // A truncated step's "next value" is V̄(s_final), not V̄ of the reset observation: fold it into the reward.
                for (int k = 0; k < rewards.Length; k++)
                    if (done[k] && bootstrap[k] > 0) rewards[k] += gammas[k / batch] * nextValues[k];
                Returns.Gae(pop, rewards, targetValues, done, lastValues, t, n, gammas, lambdas, advantages, targets);
            }

            // UPDATE: minibatch steps on ½(V(s) − target)²; the target net is refreshed every TargetPeriod steps
            int minibatchCount = available / m;
            if (config.AnnealLearningRate) optimizers.Anneal(steps, run.TotalSteps);
            for (int epoch = 0; epoch < config.Epochs && minibatchCount > 0; epoch++)
            {
                minibatches.Shuffle(available);
                for (int mb = 0; mb < minibatchCount; mb++)
                {
                    minibatches.Gather<float>(obs, mbObs, mb, o);
                    if (config.Method == ValueMethod.Td0)
                    {
                        minibatches.Gather<float>(nextObs, mbNextObs, mb, o);
                        minibatches.Gather<float>(rewards, mbTargets, mb); // completed below with γ·bootstrap·V̄(s')
                        minibatches.Gather<float>(bootstrap, mbNextValues, mb);
                        target.Forward(mbNextObs, m, prediction);
                        for (int r = 0; r < pop * m; r++) mbTargets[r] += gammas[r / m] * mbNextValues[r] * prediction[r];
                    }
                    else minibatches.Gather<float>(targets, mbTargets, mb);
                    value.Forward(mbObs, m, prediction);
                    loss = 0;
                    for (int r = 0; r < pop * m; r++)
                    {
                        float err = prediction[r] - mbTargets[r];
                        dPrediction[r] = err / m;
                        if (r < m) loss += 0.5f * err * err / m;
                    }
                    opt.Descend(dPrediction);
                    if (!float.IsFinite(loss)) throw new TrainingDivergedException($"Value learning diverged at env step {steps}: non-finite loss.", steps, "loss", null);
                    if (++gradientSteps % config.TargetPeriod == 0) value.Parameters.CopyTo(target.Parameters, 0);
                }
            }

            training.EndUpdate(steps, loss, policy: null);
        }
        return training.Result(config.Method switch { ValueMethod.MonteCarlo => "td1", ValueMethod.Td0 => "td0", _ => "td-lambda" },
            steps, policy: null, critic: value);
    }
}
