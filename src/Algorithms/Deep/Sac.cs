using RlKernels.Envs.Runner;
using RlKernels.Kernels.Nn;
using RlKernels.Kernels.Random;

namespace RlKernels.Algorithms.Deep;

/// <summary>SAC hyperparameters; the defaults (CleanRL's sac_continuous_action.py rates, τ and batch; 64×64 networks and half an update per env step to fit two cores) train Pendulum-v1.</summary>
public sealed record SacConfig : ReplayActorCriticConfig
{
    /// <summary>Defaults: Pendulum-v1, 4 envs for 40 k steps, actor rate 3e-4; the rest those of <see cref="ReplayActorCriticConfig"/>.</summary>
    public SacConfig()
    {
        Run = new() { EnvId = "Pendulum-v1", EnvCount = 4, TotalSteps = 40_000 };
        ActorLearningRate = 3e-4f;
    }

    /// <summary>Initial temperature α.</summary>
    public float InitialAlpha { get; init; } = 1f;
    /// <summary>Tune α toward the target entropy; false keeps α at <see cref="InitialAlpha"/> (a fixed entropy coefficient).</summary>
    public bool LearnAlpha { get; init; } = true;
    /// <summary>
    /// Vector steps each uniform warm-up action is held (1: a fresh draw every step). Held actions explore like a
    /// slow random force, across episode boundaries, where independent draws average out (MountainCarContinuous).
    /// </summary>
    public int WarmupHold { get; init; } = 1;

    /// <summary>The config's own problem (null when fine), checked before any env is made.</summary>
    public string? Problem() =>
        BatchSize < 1 || ReplayCapacity < 1 ? $"SAC needs BatchSize and ReplayCapacity ≥ 1 (got {BatchSize}, {ReplayCapacity})."
        : BatchSize > ReplayCapacity ? $"The batch ({BatchSize}) is larger than the replay buffer ({ReplayCapacity} transitions)."
        : !(UpdatesPerStep > 0) || !(Tau > 0 && Tau <= 1) || !(InitialAlpha > 0) || WarmupHold < 1 ? "SAC needs UpdatesPerStep > 0, Tau in (0, 1], InitialAlpha > 0 and WarmupHold ≥ 1."
        : null;
}

// SAC (Haarnoja et al. 2018, with the learned temperature of the follow-up paper): a tanh-squashed Gaussian
// actor (TanhGaussian) with state-dependent μ and log σ (log σ squashed into [−5, 2]), twin Q critics with
// Polyak-averaged targets, and a temperature α tuned so the policy's entropy stays near −A. From replay:
//   critics: y = r + γ(1 − terminated)·[min_i Q̄_i(s′, a′) − α log π(a′|s′)], a′ ~ π(·|s′), loss ½(Q_i − y)²;
//   actor:   E[α log π(ã|s) − min_i Q_i(s, ã)] through the reparameterized ã;
//   α:       log α descends −α·E[log π + target entropy].
// Truncated transitions bootstrap from the final observation. P = population, N = envs per member,
// B = minibatch, O = obs size, A = action size.
/// <summary>SAC training loop.</summary>
public static class Sac
{
    /// <summary>SAC in the registry: continuous actions only; the learning rate given is the actor's.</summary>
    public static DeepAlgorithm Entry { get; } = new("sac", ActionNeed.Continuous,
        (run, o) => Train(DefaultConfig(run, o)))
    {
        NeedsWhy = "its policy is a squashed Gaussian over a continuous action box",
        Defaults = _ => (4, 40_000),
        MemberParams = [.. MemberParam.Common, MemberParam.Tau],
        UsesReplay = true,
        Problem = (run, o) => DefaultConfig(run, o) is var c ? c.Problem() ?? ReplayBuffer.SizeProblem(c.Run, c.ReplayCapacity) : null,
    };

    /// <summary>
    /// The configuration <c>rlk train ENV --algo sac</c> uses: <see cref="SacConfig"/>'s defaults; on
    /// MountainCarContinuous-v0, whose reward for reaching the goal independent Gaussian noise almost never finds,
    /// γ 0.999, a fixed α 0.1 and 10 k warm-up steps of uniform actions each held 25 steps; then the overrides
    /// given (the learning rate is the actor's).
    /// </summary>
    public static SacConfig DefaultConfig(RunSettings run, DeepOverrides overrides)
    {
        var c = new SacConfig { Run = run };
        if (run.EnvId == "MountainCarContinuous-v0")
            c = c with { Gamma = 0.999f, LearnAlpha = false, InitialAlpha = 0.1f, WarmupSteps = 10_000, WarmupHold = 25 };
        return overrides.ApplyReplay(c);
    }

    /// <summary>Purpose word of the Philox counter for SAC's warm-up actions.</summary>
    public const uint WarmupPurpose = 0x53414357; // "SACW"
    private const float LogStdMin = -5f, LogStdMax = 2f;

    /// <summary>Trains SAC per member until <see cref="RunSettings.TotalSteps"/> env steps or the <see cref="StopRule"/>; the result's Policy is the actor's mean, squashed (greedy).</summary>
    /// <exception cref="ArgumentException">The run settings or the config are invalid (batch larger than the buffer, a buffer that does not fit in memory), or the env's actions are not continuous.</exception>
    /// <exception cref="TrainingDivergedException">A loss, gradient or parameter went non-finite.</exception>
    public static TrainResult Train(SacConfig config)
    {
        using var training = TrainingRun.Start(config.Run, config.Problem() ?? ReplayBuffer.SizeProblem(config.Run, config.ReplayCapacity));
        training.RequireActions(discrete: false, "SAC needs continuous actions");
        var (run, env, pool) = training;
        int pop = run.Population, n = run.EnvCount, b = config.BatchSize;
        int o = env.Spec.ObsSize, a = env.Spec.Action.Count, qIn = o + a;
        float low = env.Spec.Action.Low, high = env.Spec.Action.High, half = 0.5f * (high - low), mid = 0.5f * (high + low);
        float[] actorLr = run.PerMember(config.ActorLearningRate, config.ActorLearningRates ?? run.LearningRates, "ActorLearningRates");
        float[] criticLr = run.PerMember(config.CriticLearningRate, null, "CriticLearningRates");
        float[] gammas = config.MemberGammas(), taus = MemberParam.Tau.Of(run, config.Tau);
        var replay = new ReplayBuffer(pop, config.ReplayCapacity, o, a, discrete: false);
        var batch = new ReplayBatch(replay, b);

        Mlp actor = PolicyNet.NewMlp(o, config.Hidden, 2 * a, Activation.Relu, run, pool, outputGain: 0.01f, salt: 11);
        var meanNet = new Mlp([o, .. config.Hidden, a], Activation.Relu, Activation.Identity, pop, pool);
        var policy = new PolicyNet(env.Spec, meanNet, 0f) { TanhSquash = true };
        var critics = new Mlp[2];
        var targets = new Mlp[2];
        var optimizers = new Optimizers(pool);
        var actorOpt = optimizers.Add(actor, actorLr, maxGradNorm: 0);
        var criticOpts = new NetOptimizer[2];
        for (int c = 0; c < 2; c++)
        {
            critics[c] = PolicyNet.NewMlp(qIn, config.Hidden, 1, Activation.Relu, run, pool, outputGain: 1f, salt: (uint)(12 + c));
            targets[c] = TargetNetwork.CopyOf(critics[c], pool);
            criticOpts[c] = optimizers.Add(critics[c], criticLr, maxGradNorm: 0);
        }
        var logAlpha = Enumerable.Repeat(MathF.Log(config.InitialAlpha), pop).ToArray();
        var alphaAdam = new Adam(new ParameterLayout(pop, [1], ["log_alpha"]));
        criticLr.CopyTo(alphaAdam.LearningRate, 0);
        var alphaGrad = new float[pop];
        float targetEntropy = -a;
        var stats = training.Stats;

        var stepObs = new float[pop * n * o];
        var stepAct = new float[pop * n * a];
        int rows = Math.Max(n, b);
        var raw = new float[pop * rows * 2 * a];     // actor output [P, rows, 2A]
        var mean = new float[pop * rows * a];
        var logStd = new float[pop * rows * a];
        var zeros = new float[rows * a];
        var noise = new float[pop * rows * a];
        var noiseScratch = new float[rows * a];
        var squashed = new float[pop * rows * a];
        var act = new float[pop * rows * a];
        var logProb = new float[pop * rows];
        var bQIn = new float[pop * b * qIn];
        var qs = new[] { new float[pop * b], new float[pop * b] };
        var y = new float[pop * b];
        var dQ = new float[pop * b];
        var dQIn = new[] { new float[pop * b * qIn], new float[pop * b * qIn] };
        var dAct = new float[pop * b * a];
        var dLogProb = new float[pop * b];
        var dMean = new float[pop * b * a];
        var dLogStd = new float[pop * b * a];
        var dRaw = new float[pop * b * 2 * a];

        var schedule = new ReplaySchedule(replay, stats, n, config.WarmupSteps, config.UpdatesPerStep, b);
        uint update = 0;
        float loss = 0;
        while (schedule.Steps < run.TotalSteps)
        {
            // COLLECT ROLLOUT: one step of every env (uniform actions during warm-up, else sampled from π) into the replay buffer
            env.Observations.CopyTo(stepObs);
            if (schedule.Steps < config.WarmupSteps)
                for (int p = 0; p < pop; p++)
                {
                    Philox4x32.KeyFromSeed(run.SeedOf(p), out uint k0, out uint k1);
                    for (int i = 0; i < n * a; i++)
                    {
                        Philox4x32.Block((uint)i, schedule.VectorStep / (uint)config.WarmupHold, WarmupPurpose, 0, k0, k1, out uint bits, out _, out _, out _);
                        stepAct[p * n * a + i] = low + (high - low) * Philox4x32.ToUnit(bits);
                    }
                }
            else
            {
                SamplePolicy(stepObs, n, schedule.VectorStep);
                act.AsSpan(0, pop * n * a).CopyTo(stepAct);
            }
            env.Step(stepAct);
            schedule.Store(stepObs, default, stepAct, env);
            for (; schedule.TakeUpdate(); update++)
            {
                replay.Sample(batch, run.SeedOf, update);

                // COMPUTE RETURNS: y = r + γ(1 − terminated)(min Q̄(s′, a′) − α log π(a′|s′)), a′ ~ π(·|s′), no gradient
                SamplePolicy(batch.NextObservations, b, 0x4000_0000u + update);
                FillQIn(batch.NextObservations, act);
                targets[0].Forward(bQIn, b, qs[0]);
                targets[1].Forward(bQIn, b, qs[1]);
                for (int r = 0; r < pop * b; r++)
                {
                    float alpha = MathF.Exp(logAlpha[r / b]);
                    y[r] = batch.Rewards[r] + (batch.Terminated[r] ? 0f : gammas[r / b] * (Math.Min(qs[0][r], qs[1][r]) - alpha * logProb[r]));
                }

                // UPDATE the critics: ½(Q_i(s, a) − y)²
                policy.KeepGood();
                FillQIn(batch.Observations, batch.Actions);
                loss = 0;
                for (int c = 0; c < 2; c++)
                {
                    critics[c].Forward(bQIn, b, qs[c]);
                    for (int r = 0; r < pop * b; r++)
                    {
                        dQ[r] = (qs[c][r] - y[r]) / b;
                        if (r < b) loss += 0.5f * (qs[c][r] - y[r]) * (qs[c][r] - y[r]) / b;
                    }
                    criticOpts[c].Descend(dQ);
                }

                // UPDATE the actor: α log π(ã|s) − min Q(s, ã), ã reparameterized
                SamplePolicy(batch.Observations, b, 0x8000_0000u + update);
                FillQIn(batch.Observations, act);
                for (int c = 0; c < 2; c++) critics[c].Forward(bQIn, b, qs[c]);
                for (int c = 0; c < 2; c++)
                {
                    for (int r = 0; r < pop * b; r++) dQ[r] = (qs[c][r] <= qs[1 - c][r]) == (c == 0) ? -1f / b : 0f; // the smaller one
                    Array.Clear(dQIn[c]);
                    critics[c].Backward(dQ, dQIn[c]);
                    critics[c].ZeroGradients(); // the actor step must not move the critics
                }
                for (int r = 0; r < pop * b; r++)
                {
                    dLogProb[r] = MathF.Exp(logAlpha[r / b]) / b;
                    for (int d = 0; d < a; d++) dAct[r * a + d] = dQIn[0][r * qIn + o + d] + dQIn[1][r * qIn + o + d];
                }
                Array.Clear(dMean);
                Array.Clear(dLogStd);
                TanhGaussian.Backward(logStd.AsSpan(0, pop * b * a), noise.AsSpan(0, pop * b * a), squashed.AsSpan(0, pop * b * a), dAct, dLogProb,
                    pop * b, a, half, dMean, dLogStd);
                for (int r = 0; r < pop * b; r++)
                    for (int d = 0; d < a; d++)
                    {
                        dRaw[r * 2 * a + d] = dMean[r * a + d];
                        float th = MathF.Tanh(raw[r * 2 * a + a + d]);
                        dRaw[r * 2 * a + a + d] = dLogStd[r * a + d] * 0.5f * (LogStdMax - LogStdMin) * (1 - th * th);
                    }
                actorOpt.Descend(dRaw); // the actor's last forward was SamplePolicy's on these rows

                // UPDATE α: log α descends −α·mean(log π + target entropy)
                for (int p = 0; p < pop; p++)
                {
                    double s = 0;
                    for (int r = p * b; r < (p + 1) * b; r++) s += logProb[r] + targetEntropy;
                    alphaGrad[p] = -MathF.Exp(logAlpha[p]) * (float)(s / b);
                }
                if (config.LearnAlpha) alphaAdam.Step(logAlpha, alphaGrad);
                policy.CheckFinite(schedule.Steps, loss, ("actor", actor), ("critic 1", critics[0]), ("critic 2", critics[1]));
                for (int c = 0; c < 2; c++) TargetNetwork.Polyak(targets[c], critics[c], taus);
            }

            if (schedule.CurveDue())
            {
                CopyMean();
                if (training.EndUpdate(schedule.Steps, loss, policy)) break;
            }
        }
        CopyMean();
        return training.Result("sac", schedule.Steps, policy, critics[0]);

        // Samples ã ~ π(·|s) for [P, rows] observations into act, squashed, noise, logProb (mean and logStd kept).
        void SamplePolicy(ReadOnlySpan<float> observations, int m, uint counter)
        {
            actor.Forward(observations, m, raw.AsSpan(0, pop * m * 2 * a));
            for (int r = 0; r < pop * m; r++)
                for (int d = 0; d < a; d++)
                {
                    mean[r * a + d] = raw[r * 2 * a + d];
                    logStd[r * a + d] = LogStdMin + 0.5f * (LogStdMax - LogStdMin) * (MathF.Tanh(raw[r * 2 * a + a + d]) + 1);
                }
            for (int p = 0; p < pop; p++)
                Gaussian.Sample(zeros.AsSpan(0, m * a), zeros.AsSpan(0, m * a), m, a, run.SeedOf(p), counter,
                    noiseScratch.AsSpan(0, m * a), noise.AsSpan(p * m * a, m * a));
            TanhGaussian.Sample(mean.AsSpan(0, pop * m * a), logStd.AsSpan(0, pop * m * a), noise.AsSpan(0, pop * m * a), pop * m, a, mid, half,
                squashed.AsSpan(0, pop * m * a), act.AsSpan(0, pop * m * a), logProb.AsSpan(0, pop * m));
        }

        void FillQIn(float[] observations, float[] actions)
        {
            for (int r = 0; r < pop * b; r++)
            {
                observations.AsSpan(r * o, o).CopyTo(bQIn.AsSpan(r * qIn, o));
                actions.AsSpan(r * a, a).CopyTo(bQIn.AsSpan(r * qIn + o, a));
            }
        }

        // The greedy policy's network: the actor's hidden layers and the mean rows of its output layer.
        void CopyMean()
        {
            int last = actor.LayerCount - 1, h = config.Hidden[^1];
            for (int l = 0; l < last; l++)
            {
                actor.Weight(l).CopyTo(meanNet.Weight(l));
                actor.Bias(l).CopyTo(meanNet.Bias(l));
            }
            for (int p = 0; p < pop; p++)
            {
                actor.Weight(last).Slice(p * 2 * a * h, a * h).CopyTo(meanNet.Weight(last).Slice(p * a * h, a * h));
                actor.Bias(last).Slice(p * 2 * a, a).CopyTo(meanNet.Bias(last).Slice(p * a, a));
            }
        }
    }
}
