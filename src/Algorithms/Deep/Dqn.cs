using RlKernels.Envs.Runner;
using RlKernels.Kernels.Nn;
using RlKernels.Kernels.Random;

namespace RlKernels.Algorithms.Deep;

/// <summary>DQN hyperparameters; the defaults (after CleanRL's dqn.py) train CartPole-v1.</summary>
public sealed record DqnConfig : EpsilonGreedyConfig
{
    /// <summary>Defaults: CartPole-v1, 4 envs for 500 k steps, relu 120×84, rate 2.5e-4, γ 0.99, no gradient clip.</summary>
    public DqnConfig()
    {
        Run = new() { EnvId = "CartPole-v1", EnvCount = 4, TotalSteps = 500_000 };
        Hidden = [120, 84];
        Activation = Activation.Relu;
        LearningRate = 2.5e-4f;
        MaxGradNorm = 0f;
        RolloutSteps = 1;
    }

    /// <summary>Double DQN: the online network picks a′, the target network values it.</summary>
    public bool Double { get; init; }
    /// <summary>Regression loss on the TD target.</summary>
    public QLoss Loss { get; init; } = QLoss.Mse;
    /// <summary>Transitions kept per member.</summary>
    public int ReplayCapacity { get; init; } = 10_000;
    /// <summary>Transitions per gradient step (per member).</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Env steps per member before learning starts (actions still ε-greedy with ε = 1 by then in the default schedule).</summary>
    public int LearningStarts { get; init; } = 10_000;
    /// <summary>Gradient steps per env step of a member (CleanRL: one every 10).</summary>
    public float UpdatesPerStep { get; init; } = 0.1f;
    /// <summary>Polyak rate of the target network after every gradient step; 1: hard copies every <see cref="TargetPeriod"/> gradient steps.</summary>
    public float Tau { get; init; } = 1f;
    /// <summary>Gradient steps between hard copies into the target network (with <see cref="Tau"/> = 1).</summary>
    public int TargetPeriod { get; init; } = 50;
    /// <summary>
    /// Vector steps per ε-greedy decision (1: a fresh decision every step): the explore-or-not draw and the random
    /// action are drawn once per block of this many steps, so an exploring block holds one random action, across
    /// episode boundaries; greedy steps still take the arg-max of the current Q. Temporally extended ε-greedy
    /// (after Dabney et al. 2021's εz-greedy, fixed duration): held actions explore like a slow random force where
    /// independent draws average out (MountainCar).
    /// </summary>
    public int ExplorationHold { get; init; } = 1;

    /// <summary>The config's own problem (null when fine), checked before any env is made.</summary>
    public string? Problem() =>
        BatchSize < 1 || ReplayCapacity < 1 ? $"DQN needs BatchSize and ReplayCapacity ≥ 1 (got {BatchSize}, {ReplayCapacity})."
        : BatchSize > ReplayCapacity ? $"The batch ({BatchSize}) is larger than the replay buffer ({ReplayCapacity} transitions)."
        : !(UpdatesPerStep > 0) || !float.IsFinite(UpdatesPerStep) ? $"UpdatesPerStep must be positive, got {UpdatesPerStep}."
        : !(Tau > 0 && Tau <= 1) || TargetPeriod < 1 ? $"DQN needs Tau in (0, 1] and TargetPeriod ≥ 1 (got {Tau}, {TargetPeriod})."
        : !EpsilonScheduleValid ? "ε must be in [0, 1] and ExplorationFraction > 0."
        : ExplorationHold < 1 ? $"ExplorationHold must be ≥ 1, got {ExplorationHold}."
        : null;
}

// DQN (Mnih et al. 2015): a Q network learns from uniformly sampled replay transitions toward
//   y = r + γ·(1 − terminated)·max_a′ Q̄(s′, a′)
// with Q̄ a target network (hard copy every K gradient steps, or Polyak τ). Double DQN (van Hasselt et al.
// 2016) picks a′ with the online network and evaluates it with Q̄: y = r + γ(1 − terminated)·Q̄(s′, argmax Q(s′, ·)).
// Truncated transitions bootstrap from the final observation (the buffer's s′); terminated ones from 0.
// Acts ε-greedily, ε linear from StartEpsilon to EndEpsilon over ExplorationFraction of the run.
// P = population, N = envs per member, B = minibatch, K = actions, O = obs size.
/// <summary>DQN and double DQN training loop.</summary>
public static class Dqn
{
    /// <summary>DQN in the registry: discrete actions only.</summary>
    public static DeepAlgorithm Entry { get; } = MakeEntry("dqn", @double: false);

    /// <summary>Double DQN in the registry (<c>double-dqn</c>): DQN with <see cref="DqnConfig.Double"/>.</summary>
    public static DeepAlgorithm DoubleEntry { get; } = MakeEntry("double-dqn", @double: true);

    private static DeepAlgorithm MakeEntry(string name, bool @double) => new(name, ActionNeed.Discrete,
        (run, o) => Train(DefaultConfig(run, o, @double)))
    {
        NeedsWhy = "it takes a max over actions",
        Defaults = env => env == "MountainCar-v0" ? (1, 120_000) : (4, 500_000),
        RolloutSteps = _ => 1,
        UsesReplay = true,
        MemberParams = [.. MemberParam.Common, MemberParam.MaxGradNorm, MemberParam.Tau, MemberParam.TargetPeriod],
        Problem = (run, o) => DefaultConfig(run, o, @double) is var c ? c.Problem() ?? ReplayBuffer.SizeProblem(c.Run, c.ReplayCapacity) : null,
    };

    /// <summary>
    /// The configuration <c>rlk train ENV --algo dqn</c> (or <c>double-dqn</c>) uses: <see cref="DqnConfig"/>'s
    /// defaults, and on MountainCar-v0 RL Baselines3 Zoo's published DQN hyperparameters (rate 4e-3, batch 128,
    /// buffer 10 k, 1 k learning starts, γ 0.98, target copy every 600 env steps, 8 gradient steps per 16 env
    /// steps, ε 1 → 0.07 over the first 20 %, relu 256×256, Huber loss, gradient norm clipped at 10), plus ε-greedy
    /// decisions held for 25 steps (<see cref="DqnConfig.ExplorationHold"/>: without it no episode reached the flag); then the
    /// overrides given.
    /// </summary>
    public static DqnConfig DefaultConfig(RunSettings run, DeepOverrides overrides, bool @double)
    {
        var c = new DqnConfig { Run = run, Double = @double };
        if (run.EnvId == "MountainCar-v0")
            c = c with
            {
                Hidden = [256, 256], LearningRate = 4e-3f, BatchSize = 128, ReplayCapacity = 10_000,
                Gamma = 0.98f, UpdatesPerStep = 0.5f, TargetPeriod = 300, EndEpsilon = 0.07f, ExplorationFraction = 0.2f,
                Loss = QLoss.Huber, MaxGradNorm = 10f, ExplorationHold = 25, LearningStarts = 1_000,
            };
        return overrides.Apply(c) with
        {
            ReplayCapacity = overrides.ReplayCapacity ?? c.ReplayCapacity,
            BatchSize = overrides.BatchSize ?? c.BatchSize,
        };
    }

    /// <summary>Purpose word of the Philox counter for ε-greedy choices.</summary>
    public const uint ActionPurpose = 0x44514E41; // "DQNA"

    /// <summary>ε after <paramref name="steps"/> of <paramref name="totalSteps"/>: linear from start to end over the fraction, then flat.</summary>
    public static float Epsilon(long steps, long totalSteps, float start, float end, float fraction)
    {
        double progress = steps / (fraction * (double)totalSteps);
        return progress >= 1 ? end : (float)(start + (end - start) * progress);
    }

    /// <summary>
    /// TD targets y = r + γ·(1 − terminated)·Q̄(s′, a′), a′ = argmax Q̄(s′, ·) or, for double DQN (when
    /// <paramref name="nextOnline"/> is given), argmax Q(s′, ·). Truncated rows bootstrap like live ones: their s′
    /// is the final observation.
    /// </summary>
    public static void Targets(
        ReadOnlySpan<float> nextTarget,  // [R, K] Q̄(s′, ·)
        ReadOnlySpan<float> nextOnline,  // [R, K] Q(s′, ·), or empty for plain DQN
        ReadOnlySpan<float> rewards,     // [R]
        ReadOnlySpan<bool> terminated,   // [R]
        int batch, int k,
        ReadOnlySpan<float> gammas,      // [P] each member's discount; R = P · batch rows, member-major
        Span<float> y)                   // [R]
    {
        bool dbl = !nextOnline.IsEmpty;
        ReadOnlySpan<float> chooser = dbl ? nextOnline : nextTarget;
        int rows = gammas.Length * batch;
        if (y.Length < rows) throw new ArgumentException($"y has {y.Length} rows; expected P · batch = {rows}.", nameof(y));
        for (int r = 0; r < rows; r++)
        {
            int best = EpsilonGreedy.ArgMax(chooser.Slice(r * k, k));
            y[r] = rewards[r] + (terminated[r] ? 0f : gammas[r / batch] * nextTarget[r * k + best]);
        }
    }


    /// <summary>
    /// Trains a Q network per member with DQN (or double DQN); the result's Policy and Critic are both that network,
    /// whose outputs are Q(s, ·), until <see cref="RunSettings.TotalSteps"/> env steps per member or until the
    /// <see cref="StopRule"/> stops it.
    /// </summary>
    /// <exception cref="ArgumentException">The run settings or the config are invalid (batch larger than the buffer, a buffer that does not fit in memory), or the env's actions are not discrete.</exception>
    /// <exception cref="TrainingDivergedException">A loss, gradient or parameter went non-finite.</exception>
    public static TrainResult Train(DqnConfig config)
    {
        string name = config.Double ? "double-dqn" : "dqn";
        using var training = TrainingRun.Start(config.Run, config.Problem() ?? ReplayBuffer.SizeProblem(config.Run, config.ReplayCapacity));
        training.RequireActions(discrete: true, "DQN needs discrete actions (its target takes a max over actions)");
        var (run, env, pool) = training;
        int pop = run.Population, n = run.EnvCount, b = config.BatchSize;
        int o = env.Spec.ObsSize, k = env.Spec.Action.Count;
        float[] lr = config.MemberLearningRates();
        float[] gammas = config.MemberGammas(), taus = MemberParam.Tau.Of(run, config.Tau);
        int[] periods = MemberParam.TargetPeriod.OfWhole(run, config.TargetPeriod);

        var (policy, q, target) = QNetwork.New(config, run, env.Spec, pool, salt: 5);
        var opt = new Optimizers(pool).Add(q, lr, config.MemberMaxGradNorms());
        var stats = training.Stats;
        var replay = new ReplayBuffer(pop, config.ReplayCapacity, o, 1, discrete: true);
        var batch = new ReplayBatch(replay, b);
        Func<int, ulong> seeds = run.SeedOf;

        var stepQ = new float[pop * n * k];    // [P, N, K]
        var stepObs = new float[pop * n * o];  // [P, N, O] s before the step
        var actions = new int[pop * n];
        var qAll = new float[pop * b * k];     // [P, B, K]
        var nextT = new float[pop * b * k];
        var nextO = config.Double ? new float[pop * b * k] : [];
        var qTaken = new float[pop * b];
        var y = new float[pop * b];
        var dTaken = new float[pop * b];
        var dQ = new float[pop * b * k];
        var ones = Enumerable.Repeat(1f, pop).ToArray();
        var lossPerMember = new float[pop];

        var schedule = new ReplaySchedule(replay, stats, n, config.LearningStarts, config.UpdatesPerStep, b);
        long gradientSteps = 0;
        float loss = 0;
        while (schedule.Steps < run.TotalSteps)
        {
            // COLLECT ROLLOUT: one ε-greedy step of every env into the replay buffer
            float epsilon = config.EpsilonAt(schedule.Steps, run.TotalSteps);
            env.Observations.CopyTo(stepObs);
            if (epsilon < 1f) q.Forward(stepObs, n, stepQ);
            EpsilonGreedy.Choose(stepQ, n, k, epsilon, run, schedule.VectorStep / (uint)config.ExplorationHold, ActionPurpose, actions);
            env.Step(actions);
            schedule.Store(stepObs, actions, default, env);
            while (schedule.TakeUpdate())
            {
                replay.Sample(batch, seeds, (uint)gradientSteps);

                // COMPUTE RETURNS: y from the target network (and the online one's choice for double DQN), no gradient
                target.Forward(batch.NextObservations, b, nextT);
                if (config.Double) q.Forward(batch.NextObservations, b, nextO);
                Targets(nextT, nextO, batch.Rewards, batch.Terminated, b, k, gammas, y);

                // UPDATE: the loss on Q(s, a) of the taken action only
                policy.KeepGood();
                q.Forward(batch.Observations, b, qAll);
                for (int r = 0; r < pop * b; r++) qTaken[r] = qAll[r * k + batch.DiscreteActions[r]];
                Array.Clear(dTaken);
                if (config.Loss == QLoss.Huber)
                {
                    HuberLoss.Forward(qTaken, y, pop, b, 1f, lossPerMember);
                    HuberLoss.Backward(qTaken, y, ones, pop, b, 1f, dTaken);
                }
                else
                {
                    MseLoss.Forward(qTaken, y, pop, b, lossPerMember);
                    MseLoss.Backward(qTaken, y, ones, pop, b, dTaken);
                }
                loss = lossPerMember[0];
                Array.Clear(dQ);
                for (int r = 0; r < pop * b; r++) dQ[r * k + batch.DiscreteActions[r]] = dTaken[r];
                opt.Descend(dQ);
                policy.CheckFinite(schedule.Steps, loss, ("q", q));
                gradientSteps++;
                TargetNetwork.Update(target, q, taus, gradientSteps, periods);
            }

            if (schedule.CurveDue() && training.EndUpdate(schedule.Steps, loss, policy)) break;
        }
        return training.Result(name, schedule.Steps, policy, q);
    }
}
