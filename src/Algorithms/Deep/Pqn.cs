using RlKernels.Envs.Runner;
using RlKernels.Kernels.Nn;
using RlKernels.Kernels.Random;

namespace RlKernels.Algorithms.Deep;

/// <summary>PQN hyperparameters; the defaults (after purejaxql's CartPole config) train CartPole-v1.</summary>
public sealed record PqnConfig : EpsilonGreedyConfig
{
    /// <summary>Defaults: CartPole-v1, 32 envs × 64 steps per update for 500 k steps, relu 128×128 with LayerNorm, rate 1e-4, γ 0.99, clip 10, ε decaying over the first 20 % of the run.</summary>
    public PqnConfig()
    {
        Run = new() { EnvId = "CartPole-v1", EnvCount = 32, TotalSteps = 500_000 };
        Hidden = [128, 128];
        Activation = Activation.Relu;
        RolloutSteps = 64;
        LearningRate = 1e-4f;
        MaxGradNorm = 10f;
        ExplorationFraction = 0.2f;
    }

    /// <summary>λ of the Q(λ) return.</summary>
    public float Lambda { get; init; } = 0.95f;
    /// <summary>Passes over each rollout.</summary>
    public int Epochs { get; init; } = 4;
    /// <summary>Minibatches per pass.</summary>
    public int Minibatches { get; init; } = 16;
    /// <summary>Anneal the learning rate linearly to 0 over the run.</summary>
    public bool AnnealLearningRate { get; init; }
}

// PQN (Gallici et al. 2024, "Simplifying Deep Temporal Difference Learning"): Q-learning without a replay buffer
// and without a target network, made stable by LayerNorm in the Q network and by many envs stepped together.
// Each update collects T ε-greedy steps of N envs per member, computes Q(λ) returns from the Q values the
// rollout already computed,
//   G_t = r_t + γ·[(1 − λ)·max_a Q(s_{t+1}, a) + λ·G_{t+1}],
// cut to the one-step target r_t + γ(1 − terminated)·max_a Q(s′_t, a) at the rollout's end and at episode ends
// (a truncated step bootstraps from its final observation s′_t, a terminated one from 0), then takes minibatch
// steps on ½(Q(s_t, a_t) − G_t)². P = population, N = envs per member, T = rollout steps, B = T·N, K = actions.
/// <summary>PQN training loop.</summary>
public static class Pqn
{
    /// <summary>PQN in the registry: discrete actions only.</summary>
    public static DeepAlgorithm Entry { get; } = new("pqn", ActionNeed.Discrete,
        (run, o) => Train(o.Apply(new PqnConfig { Run = run })))
    {
        NeedsWhy = "it takes a max over actions",
        Defaults = _ => (32, 500_000),
        RolloutSteps = _ => new PqnConfig().RolloutSteps,
        MemberParams = [.. MemberParam.Common, MemberParam.Lambda],
    };

    /// <summary>Purpose word of the Philox counter for PQN's ε-greedy choices.</summary>
    public const uint ActionPurpose = 0x50514E41; // "PQNA"

    /// <summary>
    /// Q(λ) returns of a rollout, per member: from the back, G_t = r_t + γ·[(1 − λ)·V_{t+1} + λ·G_{t+1}] with
    /// V_{t+1} = max Q(s_{t+1}); at the last step and where the episode ended, G_t = r_t + γ·V′_t with V′_t = 0 if
    /// terminated, max Q(s_final) if truncated.
    /// </summary>
    public static void LambdaReturns(
        ReadOnlySpan<float> rewards,     // [P, T, N]
        ReadOnlySpan<bool> terminated,   // [P, T, N]
        ReadOnlySpan<bool> truncated,    // [P, T, N]
        ReadOnlySpan<float> maxQ,        // [P, T + 1, N] max_a Q(s_t, a) of the observation at each step, s_T last
        ReadOnlySpan<float> finalMaxQ,   // [P, T, N] max_a Q(s_final, a) where truncated (else ignored)
        int population, int t, int n,
        ReadOnlySpan<float> gammas,      // [P] each member's discount
        ReadOnlySpan<float> lambdas,     // [P] each member's λ
        Span<float> returns)             // [P, T, N]
    {
        Returns.RequirePerMember(gammas, population, nameof(gammas));
        Returns.RequirePerMember(lambdas, population, nameof(lambdas));
        for (int p = 0; p < population; p++)
            for (int i = 0; i < n; i++)
                for (int s = t - 1; s >= 0; s--)
                {
                    int j = (p * t + s) * n + i;
                    bool ended = terminated[j] || truncated[j];
                    float next = terminated[j] ? 0f : truncated[j] ? finalMaxQ[j] : maxQ[(p * (t + 1) + s + 1) * n + i];
                    returns[j] = ended || s == t - 1
                        ? rewards[j] + gammas[p] * next
                        : rewards[j] + gammas[p] * ((1 - lambdas[p]) * next + lambdas[p] * returns[j + n]);
                }
    }

    /// <summary>
    /// Trains a LayerNorm Q network per member with PQN; the result's Policy is that network (greedy: arg-max Q), until
    /// <see cref="RunSettings.TotalSteps"/> env steps per member or until the <see cref="StopRule"/> stops it.
    /// </summary>
    /// <exception cref="ArgumentException">The run settings or the config are invalid, or the env's actions are not discrete.</exception>
    /// <exception cref="TrainingDivergedException">A loss, gradient or parameter went non-finite.</exception>
    public static TrainResult Train(PqnConfig config)
    {
        using var training = TrainingRun.Start(config.Run,
            config.RolloutSteps < 1 || config.Epochs < 1 || config.Minibatches < 1 || (long)config.Run.EnvCount * config.RolloutSteps < config.Minibatches
                ? "PQN needs RolloutSteps, Epochs, Minibatches ≥ 1 and at least one sample per minibatch."
                : !(config.Lambda is >= 0 and <= 1) || !config.EpsilonScheduleValid
                    ? "PQN needs λ and ε in [0, 1] and ExplorationFraction > 0." : null);
        training.RequireActions(discrete: true, "PQN needs discrete actions (its target takes a max over actions)");
        var (run, env, pool) = training;
        int pop = run.Population, n = run.EnvCount, t = config.RolloutSteps, batch = n * t, m = batch / config.Minibatches;
        int o = env.Spec.ObsSize, k = env.Spec.Action.Count;
        float[] lr = config.MemberLearningRates();
        float[] gammas = config.MemberGammas(), lambdas = MemberParam.Lambda.Of(run, config.Lambda);

        var q = new LayerNormNet(PolicyNet.NewMlp(o, config.Hidden, k, config.Activation, run, pool, outputGain: 1f, salt: 7));
        var policy = new PolicyNet(env.Spec, q);
        var optimizers = new Optimizers(pool);
        var linearOpt = optimizers.Add(q.Linear, lr, maxGradNorm: 0); // clipped below, with the norms, by one global norm
        var normAdam = new Adam(q.NormLayout);
        lr.CopyTo(normAdam.LearningRate, 0);
        normAdam.Epsilon.AsSpan().Fill(1e-5f);
        var stats = training.Stats;
        var minibatch = new TakenActionMinibatch(new Minibatches(run, batch, m), pop, o, k);

        var obs = new float[pop * batch * o];          // [P, T, N, O]
        var actions = new int[pop * batch];            // [P, T, N]
        var rewards = new float[pop * batch];
        var terminated = new bool[pop * batch];
        var truncated = new bool[pop * batch];
        var maxQ = new float[pop * (t + 1) * n];       // [P, T + 1, N]
        var finalMaxQ = new float[pop * batch];        // [P, T, N]
        var returns = new float[pop * batch];
        var stepQ = new float[pop * n * k];            // [P, N, K]
        var stepActions = new int[pop * n];            // [P, N]
        var norms = new float[pop];

        long steps = 0;
        uint vectorStep = 0;
        float loss = 0;
        while (steps < run.TotalSteps)
        {
            // COLLECT ROLLOUT: T ε-greedy steps; the Q values of each observation are kept for the returns
            for (int s = 0; s < t; s++)
            {
                float epsilon = config.EpsilonAt(steps + (long)s * n, run.TotalSteps);
                q.Forward(env.Observations, n, stepQ);
                KeepMax(stepQ, maxQ, s);
                EpsilonGreedy.Choose(stepQ, n, k, epsilon, run, vectorStep, ActionPurpose, stepActions);
                for (int p = 0; p < pop; p++)
                {
                    env.Observations.Slice(p * n * o, n * o).CopyTo(obs.AsSpan((p * t + s) * n * o, n * o));
                    stepActions.AsSpan(p * n, n).CopyTo(actions.AsSpan((p * t + s) * n, n));
                }
                env.Step(stepActions);
                vectorStep++;
                if (env.Truncated.Contains(true))
                {
                    q.Forward(env.FinalObservations, n, stepQ);
                    for (int e = 0; e < pop * n; e++) finalMaxQ[((e / n) * t + s) * n + e % n] = stepQ[e * k + EpsilonGreedy.ArgMax(stepQ.AsSpan(e * k, k))];
                }
                for (int e = 0; e < pop * n; e++)
                {
                    int j = ((e / n) * t + s) * n + e % n;
                    rewards[j] = env.Rewards[e];
                    terminated[j] = env.Terminated[e];
                    truncated[j] = env.Truncated[e];
                }
                stats.Record(env, n);
            }
            q.Forward(env.Observations, n, stepQ);
            KeepMax(stepQ, maxQ, t);
            steps += batch;

            // COMPUTE RETURNS: Q(λ) from the rollout's own Q values, no gradient
            LambdaReturns(rewards, terminated, truncated, maxQ, finalMaxQ, pop, t, n, gammas, lambdas, returns);

            // UPDATE: minibatch steps on ½(Q(s, a) − G)², only the taken action's output gets a gradient
            if (config.AnnealLearningRate)
            {
                optimizers.Anneal(steps, run.TotalSteps);
                linearOpt.LearningRate.CopyTo(normAdam.LearningRate);
            }
            policy.KeepGood();
            loss = minibatch.Fit(config.Epochs, config.Minibatches, obs, actions, returns,
                () => q.Forward(minibatch.Obs, m, minibatch.Prediction),
                mbLoss =>
                {
                    q.ZeroGradients();
                    q.Backward(minibatch.DPrediction);
                    ClipGlobalNorm(q, config.MaxGradNorm, norms);
                    linearOpt.Step();
                    normAdam.Step(q.Norms, q.NormGradients);
                    policy.CheckFinite(steps, mbLoss, ("q", q.Linear));
                });

            if (training.EndUpdate(steps, loss, policy)) break;
        }
        return training.Result("pqn", steps, policy, q.Linear);

        void KeepMax(float[] qValues, float[] into, int s)
        {
            for (int e = 0; e < pop * n; e++)
                into[((e / n) * (t + 1) + s) * n + e % n] = qValues[e * k + EpsilonGreedy.ArgMax(qValues.AsSpan(e * k, k))];
        }
    }

    /// <summary>
    /// Scales member p's gradients (Linear layers and norms together) so their global L2 norm is at most
    /// <paramref name="maxNorm"/> (≤ 0: no clipping); the norm is summed tensor by tensor in a fixed order.
    /// </summary>
    public static void ClipGlobalNorm(LayerNormNet net, float maxNorm, Span<float> norms) // norms: [P]
    {
        if (!(maxNorm > 0) || !float.IsFinite(maxNorm)) return;
        ParameterLayout a = net.Linear.Layout, b = net.NormLayout;
        for (int p = 0; p < net.Population; p++)
        {
            double sq = SumSquares(net.Linear.Gradients, a, p) + SumSquares(net.NormGradients, b, p);
            norms[p] = (float)Math.Sqrt(sq);
            if (!(sq > (double)maxNorm * maxNorm)) continue;
            float scale = (float)(maxNorm / Math.Sqrt(sq));
            Scale(net.Linear.Gradients, a, p, scale);
            Scale(net.NormGradients, b, p, scale);
        }

        static double SumSquares(float[] g, ParameterLayout layout, int p)
        {
            double s = 0;
            for (int t = 0; t < layout.TensorCount; t++)
                foreach (float v in g.AsSpan(layout.MemberOffset(t, p), layout.MemberSize(t))) s += (double)v * v;
            return s;
        }

        static void Scale(float[] g, ParameterLayout layout, int p, float scale)
        {
            for (int t = 0; t < layout.TensorCount; t++)
                foreach (ref float v in g.AsSpan(layout.MemberOffset(t, p), layout.MemberSize(t))) v *= scale;
        }
    }
}
