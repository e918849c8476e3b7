using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Deep;

/// <summary>Hyperparameters of the actor-critic algorithms (A2C, PPO): GAE(λ) advantages, a critic V and the policy's loss weights.</summary>
public abstract record ActorCriticConfig : DeepConfig
{
    /// <summary>GAE λ (1: Monte-Carlo advantages bootstrapped at the rollout end; 0: one-step TD error).</summary>
    public float Lambda { get; init; } = 0.95f;
    /// <summary>Weight of the value loss ½(V − G)² (scales the critic's gradient).</summary>
    public float ValueCoef { get; init; } = 0.5f;
    /// <summary>Weight of the entropy bonus.</summary>
    public float EntropyCoef { get; init; } = 0.0f;
    /// <summary>Normalize the advantages to mean 0, std 1 (A2C: per rollout; PPO: per minibatch).</summary>
    public bool NormalizeAdvantages { get; init; } = true;
    /// <summary>Initial log σ of a Gaussian policy.</summary>
    public float InitLogStd { get; init; } = 0f;
}

/// <summary>
/// What A2C and PPO build alike: per member an actor (the policy) and a critic V, their optimizers, the
/// rollout (the critic gives its values and truncation bootstraps), and each rollout's GAE advantages and
/// λ-returns. The algorithms differ only in their actor update.
/// </summary>
internal sealed class ActorCritic
{
    private readonly int _population;
    private readonly NetOptimizer _criticOptimizer;
    private readonly float[] _value, _dValue; // [P, M]
    private readonly float[] _lambdas;        // [P] each member's GAE λ

    /// <summary>The actor.</summary>
    public readonly PolicyNet Policy;
    /// <summary>The critic V(s).</summary>
    public readonly Mlp Critic;
    /// <summary>The optimizers of both (for annealing).</summary>
    public readonly Optimizers Optimizers;
    /// <summary>The actor's forward, backward and optimizer step.</summary>
    public readonly PolicyGradientStep Actor;
    /// <summary>The rollout buffer.</summary>
    public readonly Rollout Rollout;
    /// <summary>GAE advantages [P, T, N] of the last <see cref="CollectWithGae"/>.</summary>
    public readonly float[] Advantages;
    /// <summary>λ-returns [P, T, N] of the last <see cref="CollectWithGae"/>, the critic's targets.</summary>
    public readonly float[] Returns;
    /// <summary>Each member's entropy-bonus weight [P] (<see cref="ActorCriticConfig.EntropyCoef"/>, or <see cref="RunSettings.EntropyCoefs"/>).</summary>
    public readonly float[] EntropyCoefs;

    /// <param name="training">The run: env, spec, pool.</param>
    /// <param name="config">Network shapes, learning rates, clip, γ, λ, entropy weight, rollout length, initial log σ.</param>
    /// <param name="rows">Rows per member M of the largest update (B for A2C, a minibatch for PPO).</param>
    public ActorCritic(TrainingRun training, ActorCriticConfig config, int rows)
    {
        RunSettings run = training.Settings;
        _population = run.Population;
        int batch = run.EnvCount * config.RolloutSteps;
        float[] lr = config.MemberLearningRates();
        Policy = PolicyNet.Create(training.Spec, config.Hidden, config.Activation, run, training.Pool, outputGain: 0.01f, config.InitLogStd);
        Critic = PolicyNet.NewMlp(training.Spec.ObsSize, config.Hidden, 1, config.Activation, run, training.Pool, outputGain: 1f, salt: 1);
        Optimizers = new Optimizers(training.Pool);
        Actor = new PolicyGradientStep(Policy, Optimizers, lr, config.MaxGradNorm, rows);
        _criticOptimizer = Optimizers.Add(Critic, lr, config.MaxGradNorm);
        Rollout = new Rollout(training.Env, Policy, Critic, run, config.RolloutSteps, config.Gamma, training.Stats);
        _lambdas = MemberParam.Lambda.Of(run, config.Lambda);
        EntropyCoefs = MemberParam.EntropyCoef.Of(run, config.EntropyCoef);
        Advantages = new float[_population * batch];
        Returns = new float[_population * batch];
        _value = new float[_population * rows];
        _dValue = new float[_population * rows];
    }

    /// <summary>Collects a rollout and computes its GAE(λ) advantages and λ-returns, each member with its own λ (no gradient).</summary>
    public void CollectWithGae()
    {
        Rollout.Collect();
        Rollout.ComputeLastValues();
        Rollout.Gae(_lambdas, Advantages, Returns);
    }

    /// <summary>One critic step on <paramref name="valueCoef"/>·½(V − G)², averaged over <paramref name="rows"/> rows per member.</summary>
    /// <param name="obs">Observations [P, rows, obsSize].</param>
    /// <param name="targets">Targets G [P, rows].</param>
    /// <param name="rows">Rows per member.</param>
    /// <param name="valueCoef">Weight of the value loss.</param>
    public void CriticStep(float[] obs, float[] targets, int rows, float valueCoef)
    {
        Critic.Forward(obs, rows, _value);
        for (int r = 0; r < _population * rows; r++) _dValue[r] = valueCoef * (_value[r] - targets[r]) / rows;
        _criticOptimizer.Descend(_dValue);
    }

    /// <summary>Throws <see cref="TrainingDivergedException"/> if the loss or either network went non-finite.</summary>
    public void CheckFinite(long steps, float loss) => Policy.CheckFinite(steps, loss, ("actor", Policy.Net), ("critic", Critic));
}
