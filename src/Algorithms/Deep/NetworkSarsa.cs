using RlKernels.Envs.Runner;
using RlKernels.Kernels.Nn;
using RlKernels.Kernels.Random;

namespace RlKernels.Algorithms.Deep;

/// <summary>Which policy SARSA follows (and so which Q^π it learns).</summary>
public enum SarsaPolicy
{
    /// <summary>Uniformly random actions: policy evaluation.</summary>
    Uniform,
    /// <summary>ε-greedy on the current Q, ε annealed from 1 to <see cref="NetworkSarsaConfig.Epsilon"/>: control.</summary>
    EpsilonGreedy,
}

/// <summary>Network SARSA hyperparameters (the shared ones in <see cref="ValueRegressionConfig"/>: RandomWalk1D-v0, relu, rate 1e-3, γ 1, clip 10, SARSA(0)).</summary>
public sealed record NetworkSarsaConfig : ValueRegressionConfig
{
    /// <summary>The behaviour (and evaluated) policy.</summary>
    public SarsaPolicy Policy { get; init; } = SarsaPolicy.Uniform;
    /// <summary>Rollouts between copies of Q into the target network Q̄ (1: Q̄ is Q as of the rollout's start).</summary>
    public int TargetPeriod { get; init; } = 1;
    /// <summary>Final ε of the ε-greedy policy.</summary>
    public float Epsilon { get; init; } = 0.05f;
    /// <summary>Fraction of the run over which ε anneals linearly from 1 to <see cref="Epsilon"/>.</summary>
    public float EpsilonDecayFraction { get; init; } = 0.3f;
}

// SARSA with a network for Q (NetworkSarsa; tabular SARSA is Tabular/TabularSarsa.cs): a neural Q(s, ·) (one output per discrete action): learns Q^π of the policy it follows by
// regression on λ-returns of the sampled next actions, computed without gradient from a target network Q̄:
//   SARSA(0) (λ = 0): y_t = r_t + γ(1 − terminated) Q̄(s_{t+1}, a_{t+1});
//   SARSA(1) (λ = 1): the Monte-Carlo return, bootstrapped from Q̄ only where the rollout cuts an episode.
// A truncated step bootstraps from Q̄(s_final, a′) with a′ drawn from the policy at the final observation.
// The policy is uniform (evaluation of Q^π) or ε-greedy on Q (control). Needs discrete actions: the greedy
// step is a max over actions. P = population, N = envs per member, T = rollout steps, B = T·N.
/// <summary>SARSA(λ) training loop.</summary>
public static class NetworkSarsa
{
    /// <summary>Network SARSA in the registry (<c>deep-sarsa</c>): discrete actions, ε-greedy control with a tanh 64×64 net, γ 0.99.</summary>
    public static DeepAlgorithm Entry { get; } = new("deep-sarsa", ActionNeed.Discrete,
        (run, o) => Train(o.Apply(new NetworkSarsaConfig { Run = run, Policy = SarsaPolicy.EpsilonGreedy, Gamma = 0.99f, Hidden = [64, 64], Activation = Activation.Tanh })))
    {
        NeedsWhy = "it takes a max over actions",
        Defaults = _ => (64, 1_000_000),
        RolloutSteps = _ => new NetworkSarsaConfig().RolloutSteps,
        MemberParams = [.. MemberParam.Common, MemberParam.Lambda, MemberParam.MaxGradNorm, MemberParam.TargetPeriod],
    };

    /// <summary>Purpose word of the Philox counter for SARSA's action choices.</summary>
    public const uint ActionPurpose = 0x53525341; // "SRSA"

    /// <summary>
    /// Trains a Q network per member with SARSA(λ); the result's Policy and Critic are both that network, whose outputs are Q(s, ·) until <see cref="RunSettings.TotalSteps"/> env steps per member, or until the
    /// <see cref="StopRule"/> stops it (every member at <see cref="RunSettings.TargetReturn"/>, with <see cref="RunSettings.StopAtTarget"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The run settings or the config (a count &lt; 1, fewer samples than minibatches) are invalid, or the env's actions are not discrete.</exception>
    /// <exception cref="TrainingDivergedException">A loss, gradient or parameter went non-finite.</exception>
    public static TrainResult Train(NetworkSarsaConfig config)
    {
        using var training = TrainingRun.Start(config.Run,
            config.RolloutSteps < 1 || config.Epochs < 1 || config.Minibatches < 1 || config.TargetPeriod < 1 || config.Run.EnvCount * config.RolloutSteps < config.Minibatches
                ? "SARSA needs RolloutSteps, Epochs, Minibatches, TargetPeriod ≥ 1 and at least one sample per minibatch." : null);
        training.RequireActions(discrete: true, "SARSA needs discrete actions (its greedy step is a max over actions)");
        var (run, env, pool) = training; // the pool outlives training: the returned network runs on it
        int pop = run.Population, n = run.EnvCount, t = config.RolloutSteps, batch = n * t, m = batch / config.Minibatches;
        int o = env.Spec.ObsSize, k = env.Spec.Action.Count;
        float[] lr = config.MemberLearningRates();
        float[] gammas = config.MemberGammas(), lambdas = MemberParam.Lambda.Of(run, config.Lambda);
        int[] periods = MemberParam.TargetPeriod.OfWhole(run, config.TargetPeriod);

        // The Q network doubles as the policy's network: greedy evaluation takes the arg-max of its outputs.
        var (policy, q, target) = QNetwork.New(config, run, env.Spec, pool, salt: 3);
        var optimizers = new Optimizers(pool);
        var opt = optimizers.Add(q, lr, config.MemberMaxGradNorms());
        var stats = training.Stats;
        var minibatch = new TakenActionMinibatch(new Minibatches(run, batch, m), pop, o, k);

        var obs = new float[pop * batch * o];      // [P, T, N, obsSize]
        var actions = new int[pop * batch];        // [P, T, N]
        var rewards = new float[pop * batch];      // [P, T, N], truncated steps with γ·Q̄(s_final, a′) added
        var done = new bool[pop * batch];          // [P, T, N]
        var qTaken = new float[pop * batch];       // [P, T, N] Q̄(s_t, a_t)
        var qAll = new float[pop * batch * k];     // [P, T, N, K]
        var lastQ = new float[pop * n];            // [P, N] Q̄(s_T, a_T)
        var targets = new float[pop * batch];
        var advantages = new float[pop * batch];
        var stepQ = new float[pop * n * k];        // [P, N, K]
        var finalQ = new float[pop * n * k];
        var next = new int[pop * n];               // actions for the current observations
        var finalActions = new int[pop * n];

        long steps = 0;
        uint decision = 0;
        int rollouts = 0;
        float loss = 0;
        Choose(env.Observations, next);
        while (steps < run.TotalSteps)
        {
            // COLLECT ROLLOUT
            for (int s = 0; s < t; s++)
            {
                for (int p = 0; p < pop; p++)
                {
                    env.Observations.Slice(p * n * o, n * o).CopyTo(obs.AsSpan((p * t + s) * n * o, n * o));
                    next.AsSpan(p * n, n).CopyTo(actions.AsSpan((p * t + s) * n, n));
                }
                env.Step(next);
                ReadOnlySpan<bool> terminated = env.Terminated, truncated = env.Truncated;
                bool anyTruncated = truncated.Contains(true);
                if (anyTruncated)
                {
                    target.Forward(env.FinalObservations, n, finalQ);
                    Choose(env.FinalObservations, finalActions, finalQ);
                }
                for (int p = 0; p < pop; p++)
                    for (int i = 0; i < n; i++)
                    {
                        int e = p * n + i, j = (p * t + s) * n + i;
                        bool truncatedOnly = truncated[e] && !terminated[e];
                        rewards[j] = env.Rewards[e] + (truncatedOnly ? gammas[p] * finalQ[e * k + finalActions[e]] : 0f);
                        done[j] = terminated[e] || truncated[e];
                    }
                stats.Record(env, n);
                Choose(env.Observations, next);
            }
            steps += batch;

            // COMPUTE RETURNS: SARSA(λ) targets from Q̄ at the actions taken, no gradient
            target.Forward(obs, batch, qAll);
            for (int j = 0; j < qTaken.Length; j++) qTaken[j] = qAll[j * k + actions[j]];
            target.Forward(env.Observations, n, stepQ);
            for (int e = 0; e < pop * n; e++) lastQ[e] = stepQ[e * k + next[e]];
            Returns.Gae(pop, rewards, qTaken, done, lastQ, t, n, gammas, lambdas, advantages, targets);

            // UPDATE: minibatch steps on ½(Q(s, a) − y)², only the taken action's output gets a gradient
            if (config.AnnealLearningRate) optimizers.Anneal(steps, run.TotalSteps);
            policy.KeepGood();
            loss = minibatch.Fit(config.Epochs, config.Minibatches, obs, actions, targets,
                () => q.Forward(minibatch.Obs, m, minibatch.Prediction),
                mbLoss =>
                {
                    opt.Descend(minibatch.DPrediction);
                    policy.CheckFinite(steps, mbLoss, ("q", q));
                });
            TargetNetwork.Update(target, q, taus: default, ++rollouts, periods);

            if (training.EndUpdate(steps, loss, policy)) break;
        }
        return training.Result("deep-sarsa", steps, policy, q);

        // The policy's actions for [P, N] observations; qValues ([P, N, K]) are computed when null and needed.
        void Choose(ReadOnlySpan<float> observations, Span<int> chosen, float[]? qValues = null)
        {
            float epsilon = config.Policy == SarsaPolicy.Uniform ? 1f
                : Math.Max(config.Epsilon, 1f - (1f - config.Epsilon) * steps / (config.EpsilonDecayFraction * run.TotalSteps));
            if (epsilon < 1f && qValues is null)
            {
                q.Forward(observations, n, stepQ);
                qValues = stepQ;
            }
            EpsilonGreedy.Choose(qValues, n, k, epsilon, run, decision, ActionPurpose, chosen);
            decision++;
        }
    }
}
