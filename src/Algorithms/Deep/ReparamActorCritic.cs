using RlKernels.Envs.Runner;
using RlKernels.Kernels.Nn;
using RlKernels.Kernels.Random;

namespace RlKernels.Algorithms.Deep;

/// <summary>Reparameterization actor-critic hyperparameters; the defaults train Pendulum-v1.</summary>
public sealed record ReparamActorCriticConfig : ReplayActorCriticConfig
{
    /// <summary>Defaults: Pendulum-v1, 16 envs for 100 k steps; the shared ones of <see cref="ReplayActorCriticConfig"/> but critic rate 2e-3, γ 0.98 and τ 0.01.</summary>
    public ReparamActorCriticConfig()
    {
        Run = new() { EnvId = "Pendulum-v1", EnvCount = 16, TotalSteps = 100_000 };
        CriticLearningRate = 2e-3f;
        Gamma = 0.98f;
        Tau = 0.01f;
    }

    /// <summary>Hidden activation.</summary>
    public Activation Activation { get; init; } = Activation.Relu;
    /// <summary>σ of the policy's noise z, in action units (Pendulum's torque is in [−2, 2]).</summary>
    public float NoiseStd { get; init; } = 0.2f;
}

// The reparameterization actor-critic of the lecture, for continuous actions: a Gaussian policy
// a = μθ(s) + σz, z ~ N(0, 1), σ fixed, is pushed along dQ/da of a learned critic Q(s, a):
// ∇θ E_z[Q(s, μθ(s) + σz)] = E_z[∂Q/∂a · ∂μθ/∂θ]. μθ(s) = mid + half·tanh(net(s)) keeps actions in the
// bounds. The critic learns Q^π off-policy from a replay buffer by TD(0) with Polyak-averaged target
// networks (DDPG, Lillicrap et al. 2016, with the exploration noise inside the actor's objective).
// Terminated transitions bootstrap from 0, truncated ones from the final observation.
// P = population, N = envs per member, B = minibatch, C = replay capacity, O = obs size, A = action size.
/// <summary>Reparameterization actor-critic training loop.</summary>
public static class ReparamActorCritic
{
    /// <summary>The reparameterization actor-critic in the registry: continuous actions only; the learning rate given is the actor's.</summary>
    public static DeepAlgorithm Entry { get; } = new("reparam-ac", ActionNeed.Continuous,
        (run, o) => Train(o.ApplyReplay(new ReparamActorCriticConfig { Run = run })))
    {
        Defaults = _ => (16, 60_000), // one env step at a time from a replay buffer: RolloutSteps stays 1
        MemberParams = [.. MemberParam.Common, MemberParam.Tau],
    };

    /// <summary>Purpose word of the Philox counter for replay sampling.</summary>
    public const uint ReplayPurpose = 0x52504C59; // "RPLY"

    /// <summary>
    /// Trains a tanh-bounded actor μθ(s) (acting with fixed Gaussian noise σz) and a Q critic per member from a replay buffer until <see cref="RunSettings.TotalSteps"/> env steps per member, or until the
    /// <see cref="StopRule"/> stops it (every member at <see cref="RunSettings.TargetReturn"/>, with <see cref="RunSettings.StopAtTarget"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The run settings or the config (BatchSize &lt; 1, ReplayCapacity &lt; BatchSize, UpdatesPerStep ≤ 0) are invalid, or the env's actions are not continuous.</exception>
    /// <exception cref="TrainingDivergedException">A loss, gradient or parameter went non-finite.</exception>
    public static TrainResult Train(ReparamActorCriticConfig config)
    {
        using var training = TrainingRun.Start(config.Run, config.BatchSize < 1 || config.ReplayCapacity < config.BatchSize || config.UpdatesPerStep <= 0
            ? "Needs BatchSize ≥ 1, ReplayCapacity ≥ BatchSize and UpdatesPerStep > 0." : null);
        training.RequireActions(discrete: false, "The reparameterization actor-critic needs continuous actions");
        var (run, env, pool) = training; // the pool outlives training: the returned networks run on it
        int pop = run.Population, n = run.EnvCount, b = config.BatchSize, cap = config.ReplayCapacity;
        int o = env.Spec.ObsSize, a = env.Spec.Action.Count, qIn = o + a;
        float low = env.Spec.Action.Low, high = env.Spec.Action.High, half = 0.5f * (high - low);
        float[] actorLr = run.PerMember(config.ActorLearningRate, config.ActorLearningRates ?? run.LearningRates, "ActorLearningRates");
        float[] criticLr = run.PerMember(config.CriticLearningRate, null, "CriticLearningRates");
        float[] gammas = config.MemberGammas(), taus = MemberParam.Tau.Of(run, config.Tau);

        var policy = new PolicyNet(env.Spec, PolicyNet.NewMlp(o, config.Hidden, a, config.Activation, run, pool, outputGain: 0.01f), 0f) { TanhSquash = true };
        Mlp actor = policy.Net;
        Mlp critic = PolicyNet.NewMlp(qIn, config.Hidden, 1, config.Activation, run, pool, outputGain: 1f, salt: 1);
        Mlp targetActor = TargetNetwork.CopyOf(actor, pool);
        Mlp targetCritic = TargetNetwork.CopyOf(critic, pool);
        var optimizers = new Optimizers(pool);
        var actorOpt = optimizers.Add(actor, actorLr, maxGradNorm: 0);
        var criticOpt = optimizers.Add(critic, criticLr, maxGradNorm: 0);
        var stats = training.Stats;

        // Replay, [P, C, ...] ring buffers.
        var rObs = new float[pop * cap * o];
        var rAct = new float[pop * cap * a];
        var rRew = new float[pop * cap];
        var rNext = new float[pop * cap * o];    // s', the final observation where the episode ended
        var rNotTerm = new float[pop * cap];     // 0 where terminated (bootstrap 0), else 1
        int size = 0, head = 0;

        var stepOut = new float[pop * n * a];    // [P, N, A]
        var stepAct = new float[pop * n * a];
        var stepNoise = new float[pop * n * a];
        var sigmaRows = new float[Math.Max(n, b) * a];
        Array.Fill(sigmaRows, MathF.Log(config.NoiseStd));
        var zeroMean = new float[Math.Max(n, b) * a];
        var bObs = new float[pop * b * o];
        var bNext = new float[pop * b * o];
        var bRew = new float[pop * b];
        var bNotTerm = new float[pop * b];
        var bQIn = new float[pop * b * qIn];     // [P, B, O + A]
        var bOut = new float[pop * b * a];
        var q = new float[pop * b];
        var y = new float[pop * b];
        var dQ = new float[pop * b];
        var dQIn = new float[pop * b * qIn];
        var dOut = new float[pop * b * a];
        var noise = new float[pop * b * a];
        var noiseScratch = new float[b * a];

        long steps = 0;
        uint vectorStep = 0, update = 0;
        double updatesDue = 0;
        float loss = 0;
        long nextCurve = 0;
        while (steps < run.TotalSteps)
        {
            // COLLECT ROLLOUT: one step of every env, a = μ(s) + σz (uniform at first), into the replay buffer
            ReadOnlySpan<float> obs = env.Observations;
            if (steps < config.WarmupSteps)
            {
                for (int p = 0; p < pop; p++)
                {
                    Philox4x32.KeyFromSeed(run.SeedOf(p), out uint k0, out uint k1);
                    for (int i = 0; i < n * a; i++)
                    {
                        Philox4x32.Block((uint)i, vectorStep, ReplayPurpose, 1, k0, k1, out uint bits, out _, out _, out _);
                        stepAct[p * n * a + i] = low + (high - low) * Philox4x32.ToUnit(bits);
                    }
                }
            }
            else
            {
                actor.Forward(obs, n, stepOut);
                for (int p = 0; p < pop; p++)
                    Gaussian.Sample(zeroMean.AsSpan(0, n * a), sigmaRows.AsSpan(0, n * a), n, a, run.SeedOf(p), vectorStep,
                        stepNoise.AsSpan(p * n * a, n * a), noiseScratch.AsSpan(0, n * a));
                for (int i = 0; i < stepAct.Length; i++) stepAct[i] = Math.Clamp(policy.ToAction(stepOut[i]) + stepNoise[i], low, high);
            }
            for (int p = 0; p < pop; p++)
                for (int i = 0; i < n; i++)
                {
                    int slot = p * cap + (head + i) % cap;
                    obs.Slice((p * n + i) * o, o).CopyTo(rObs.AsSpan(slot * o, o));
                    stepAct.AsSpan((p * n + i) * a, a).CopyTo(rAct.AsSpan(slot * a, a));
                }
            env.Step(stepAct);
            vectorStep++;
            for (int p = 0; p < pop; p++)
                for (int i = 0; i < n; i++)
                {
                    int e = p * n + i, slot = p * cap + (head + i) % cap;
                    bool ended = env.Terminated[e] || env.Truncated[e];
                    rRew[slot] = env.Rewards[e];
                    rNotTerm[slot] = env.Terminated[e] ? 0f : 1f;
                    (ended ? env.FinalObservations : env.Observations).Slice(e * o, o).CopyTo(rNext.AsSpan(slot * o, o));
                }
            head = (head + n) % cap;
            size = Math.Min(cap, size + n);
            stats.Record(env, n);
            steps += n;
            if (steps < config.WarmupSteps || size < b) continue;

            updatesDue += n * config.UpdatesPerStep;
            for (; updatesDue >= 1; updatesDue--, update++)
            {
                // Sample a minibatch per member.
                for (int p = 0; p < pop; p++)
                {
                    Philox4x32.KeyFromSeed(run.SeedOf(p), out uint k0, out uint k1);
                    for (int j = 0; j < b; j++)
                    {
                        Philox4x32.Block((uint)j, update, ReplayPurpose, 0, k0, k1, out uint bits, out _, out _, out _);
                        int src = p * cap + (int)(((ulong)bits * (uint)size) >> 32), dst = p * b + j;
                        rObs.AsSpan(src * o, o).CopyTo(bObs.AsSpan(dst * o, o));
                        rObs.AsSpan(src * o, o).CopyTo(bQIn.AsSpan(dst * qIn, o));
                        rAct.AsSpan(src * a, a).CopyTo(bQIn.AsSpan(dst * qIn + o, a));
                        rNext.AsSpan(src * o, o).CopyTo(bNext.AsSpan(dst * o, o));
                        bRew[dst] = rRew[src];
                        bNotTerm[dst] = rNotTerm[src];
                    }
                }

                // COMPUTE RETURNS: y = r + γ·[not terminated]·Q̄(s', μ̄(s')), no gradient
                targetActor.Forward(bNext, b, bOut);
                var nextQIn = dQIn; // scratch: [P, B, O + A]
                for (int r = 0; r < pop * b; r++)
                {
                    bNext.AsSpan(r * o, o).CopyTo(nextQIn.AsSpan(r * qIn, o));
                    for (int d = 0; d < a; d++) nextQIn[r * qIn + o + d] = policy.ToAction(bOut[r * a + d]);
                }
                targetCritic.Forward(nextQIn, b, q);
                for (int r = 0; r < pop * b; r++) y[r] = bRew[r] + gammas[r / b] * bNotTerm[r] * q[r];

                // UPDATE the critic: ½(Q(s, a) − y)²
                policy.KeepGood();
                critic.Forward(bQIn, b, q);
                loss = 0;
                for (int r = 0; r < pop * b; r++)
                {
                    dQ[r] = (q[r] - y[r]) / b;
                    if (r < b) loss += 0.5f * (q[r] - y[r]) * (q[r] - y[r]) / b;
                }
                criticOpt.Descend(dQ);

                // UPDATE the actor: ascend Q(s, μθ(s) + σz) through dQ/da (reparameterization)
                actor.Forward(bObs, b, bOut);
                for (int p = 0; p < pop; p++)
                    Gaussian.Sample(zeroMean.AsSpan(0, b * a), sigmaRows.AsSpan(0, b * a), b, a, run.SeedOf(p), 0x8000_0000u + update,
                        noise.AsSpan(p * b * a, b * a), noiseScratch);
                for (int r = 0; r < pop * b; r++)
                    for (int d = 0; d < a; d++)
                        bQIn[r * qIn + o + d] = Math.Clamp(policy.ToAction(bOut[r * a + d]) + noise[r * a + d], low, high);
                critic.Forward(bQIn, b, q);
                Array.Fill(dQ, -1f / b);
                Array.Clear(dQIn);
                critic.Backward(dQ, dQIn);
                critic.ZeroGradients(); // the actor step must not move the critic
                for (int r = 0; r < pop * b; r++)
                    for (int d = 0; d < a; d++)
                    {
                        // a = mid + half·tanh(out) (+ σz, clipped: gradient passed straight through the clip)
                        float th = MathF.Tanh(bOut[r * a + d]);
                        dOut[r * a + d] = dQIn[r * qIn + o + d] * half * (1f - th * th);
                    }
                actorOpt.Descend(dOut);
                policy.CheckFinite(steps, loss, ("actor", actor), ("critic", critic));

                TargetNetwork.Polyak(targetActor, actor, taus);
                TargetNetwork.Polyak(targetCritic, critic, taus);
            }

            if (steps >= nextCurve)
            {
                nextCurve = steps + 1000;
                if (training.EndUpdate(steps, loss, policy)) break;
            }
        }
        return training.Result("reparam-ac", steps, policy, critic);
    }
}
