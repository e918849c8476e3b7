using System.Diagnostics;
using RlKernels.Algorithms.Deep;
using RlKernels.Envs;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Nn;
using RlKernels.Kernels.Threading;

namespace RlKernels.Algorithms.Device;

/// <summary>
/// What the device loop runs of a config: PPO's clipped surrogate over shuffled minibatches for its epochs; A2C's one
/// step on −A·log π over the whole rollout in its order (the CPU <see cref="A2c"/>'s update: PPO's with one epoch, one
/// minibatch, no shuffle and a ratio of 1, whose gradient is the plain policy gradient); or REINFORCE's reward-to-go
/// weights over one shuffled pass of minibatches, the critic trained (as the baseline) only with <see cref="ReinforceConfig.Baseline"/>.
/// </summary>
/// <param name="Algorithm">The registry name (<see cref="TrainResult.Algorithm"/>).</param>
/// <param name="Label">The name in messages.</param>
/// <param name="Epochs">Passes over each rollout.</param>
/// <param name="Minibatches">Minibatches per pass.</param>
/// <param name="Loss">The actor's loss, a <see cref="DevicePpoArgs"/> loss constant.</param>
/// <param name="TrainsCritic">The critic is trained and returned (all but REINFORCE without a baseline).</param>
/// <param name="Anneals">The config anneals the learning rate (the device loop does not).</param>
internal readonly record struct DeviceUpdatePlan(string Algorithm, string Label, int Epochs, int Minibatches, int Loss, bool TrainsCritic, bool Anneals)
{
    /// <summary>Minibatches are drawn through a fresh permutation per pass (PPO, REINFORCE), not the rollout in order (A2C).</summary>
    public bool Permuted => Loss != DevicePpoArgs.A2cLoss;

    /// <exception cref="ArgumentException">A config other than PPO's, A2C's or REINFORCE's.</exception>
    public static DeviceUpdatePlan Of(DeepConfig config) => config switch
    {
        PpoConfig p => new("ppo", "PPO", p.Epochs, p.Minibatches, DevicePpoArgs.PpoLoss, TrainsCritic: true, p.AnnealLearningRate),
        A2cConfig => new("a2c", "A2C", 1, 1, DevicePpoArgs.A2cLoss, TrainsCritic: true, Anneals: false),
        ReinforceConfig r => new(r.Baseline ? "reinforce-baseline" : "reinforce", "REINFORCE", 1, r.Minibatches, DevicePpoArgs.ReinforceLoss, r.Baseline, Anneals: false),
        _ => throw new ArgumentException($"The device loop trains PPO, A2C and REINFORCE, not {config.GetType().Name}.", nameof(config)),
    };
}

/// <summary>
/// The on-device policy-gradient loop <see cref="DevicePpo"/>, <see cref="DeviceA2c"/> and <see cref="DeviceReinforce"/> share: <see cref="DeviceRollout{TEnv, TParams}"/>
/// (env, policy, sampling in one launch) and <see cref="DevicePpoUpdate"/> (GAE, losses, backward, clipping, Adam as
/// launches; REINFORCE: reward-to-go and its weights in place of GAE and the surrogate), the checks of what it runs, its device-memory estimate and the stop rule. Per rollout and update the
/// host reads back [P, 2] episode metrics and [P, 3] update metrics; the parameters come back only to confirm a
/// solve (a greedy evaluation, as <see cref="StopRule"/> does) and at the end.
/// </summary>
/// <remarks>
/// Discrete actions, <see cref="Backend.Gpu"/> or <see cref="Backend.GpuCpuAccelerator"/>. The networks are
/// initialized as the CPU <see cref="ActorCritic"/> initializes them. All members share one env seed
/// (<see cref="RunSettings.Seed"/>); their sampling and minibatch seeds are <see cref="RunSettings.SeedOf"/>.
/// </remarks>
internal static class DeviceActorCritic
{
    /// <summary>True for the backends whose loop runs wholly on the device (gpu, gpu-cpu).</summary>
    public static bool RunsOn(Backend backend) => backend is Backend.Gpu or Backend.GpuCpuAccelerator;

    /// <summary>
    /// Why <see cref="Train"/> would refuse <paramref name="config"/> (null: it runs it), checked before any training:
    /// the backend, the counts, discrete actions, a plain GPU runner (probed with one env), no annealing.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid run settings or env options.</exception>
    /// <exception cref="InvalidOperationException">The backend is missing on this machine (gpu without a GPU).</exception>
    public static string? Problem(DeepConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (SettingsProblem(config) is { } problem) return problem;
        using IVectorEnv probe = EnvRegistry.Make(config.Run.EnvId, 1, new VectorEnvOptions { Backend = config.Run.Backend }, config.Run.EnvArgs);
        return EnvProblem(config, probe);
    }

    private static string? SettingsProblem(DeepConfig config)
    {
        RunSettings run = config.Run;
        run.Validate();
        DeviceUpdatePlan plan = DeviceUpdatePlan.Of(config);
        if (!RunsOn(run.Backend)) return $"Device {plan.Label} runs on the gpu or gpu-cpu backend, not {run.Backend}.";
        if (config.RolloutSteps < 1 || plan.Epochs < 1 || plan.Minibatches < 1 || (long)run.EnvCount * config.RolloutSteps < plan.Minibatches)
            return plan.Loss switch
            {
                DevicePpoArgs.PpoLoss => "PPO needs RolloutSteps, Epochs, Minibatches ≥ 1 and at least one sample per minibatch.",
                DevicePpoArgs.ReinforceLoss => "REINFORCE needs RolloutSteps, Minibatches ≥ 1 and at least one sample per minibatch.",
                _ => $"{plan.Label} needs RolloutSteps ≥ 1.",
            };
        return null;
    }

    private static string? EnvProblem(DeepConfig config, IVectorEnv env)
    {
        RunSettings run = config.Run;
        DeviceUpdatePlan plan = DeviceUpdatePlan.Of(config);
        if (!env.Spec.Action.IsDiscrete)
            return $"Device {plan.Label} (--backend gpu, gpu-cpu) samples discrete actions; {run.EnvId} has {env.Spec.Action}. Use --backend cpu.";
        if (!GpuRunnerDispatch.IsPlainRunner(env))
            return $"Device {plan.Label} (--backend gpu, gpu-cpu) needs a plain GPU runner for {run.EnvId}, not {env.GetType().Name} (env options that wrap the runner are not supported there). Use --backend cpu.";
        return plan.Anneals ? $"Device {plan.Label} does not anneal the learning rate." : null;
    }

    /// <summary>Trains <paramref name="config"/> on the device, the copies counted in <paramref name="transfers"/>.</summary>
    /// <exception cref="ArgumentException">What <see cref="Problem"/> would say.</exception>
    /// <exception cref="TrainingDivergedException">The loss or a gradient norm went non-finite.</exception>
    public static TrainResult Train(DeepConfig config, DeviceTransfers transfers) =>
        TrainOrExplain(config, transfers, out string? problem) ?? throw new ArgumentException(problem);

    /// <summary>
    /// <see cref="Train"/> where the device loop runs <paramref name="config"/>, else null (what <see cref="Problem"/>
    /// would say, found on the run's own env instead of a probe): the caller trains another way.
    /// </summary>
    public static TrainResult? TrainIfItRuns(DeepConfig config) => TrainOrExplain(config, new DeviceTransfers(), out _);

    private static TrainResult? TrainOrExplain(DeepConfig config, DeviceTransfers transfers, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(config);
        RunSettings run = config.Run;
        if ((problem = SettingsProblem(config)) is not null) return null;
        var options = new VectorEnvOptions { Backend = run.Backend, Seed = run.Seed };
        using IVectorEnv env = EnvRegistry.Make(run.EnvId, run.Population * run.EnvCount, options, run.EnvArgs);
        if ((problem = EnvProblem(config, env)) is not null) return null;
        return GpuRunnerDispatch.Invoke<TrainResult>(typeof(DeviceActorCritic), nameof(TrainOn), env, config, env, transfers);
    }

    /// <summary>
    /// Device bytes the rollout and update buffers take for <paramref name="config"/>: per sample (P·N·T) the rollout's
    /// observations, actions, log-probabilities, values, rewards, flags and final values and the update's advantages,
    /// returns and (PPO, REINFORCE) permutation; per update row (P·N·T / minibatches) the staged rows and both networks'
    /// activations and deltas; per parameter its value, gradient and two Adam moments.
    /// </summary>
    public static long DeviceBytes(DeepConfig config, EnvSpec spec)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(spec);
        RunSettings run = config.Run;
        DeviceUpdatePlan plan = DeviceUpdatePlan.Of(config);
        long samples = (long)run.Population * run.EnvCount * config.RolloutSteps;
        long rows = samples / Math.Max(1, plan.Minibatches);
        int[] actor = [spec.ObsSize, .. config.Hidden, spec.Action.Count], critic = [spec.ObsSize, .. config.Hidden, 1];
        long perSample = 4L * spec.ObsSize + (plan.Permuted ? 34 : 30);
        long perRow = 4L * (6 + spec.Action.Count) + 8L * (actor.Sum() + critic.Sum());
        long parameters = 16L * run.Population * (Parameters(actor) + Parameters(critic));
        return samples * perSample + rows * perRow + parameters;
    }

    /// <summary>Weights and biases of a dense net with these layer sizes (one member).</summary>
    private static long Parameters(int[] sizes)
    {
        long count = 0;
        for (int l = 0; l + 1 < sizes.Length; l++) count += (long)sizes[l] * sizes[l + 1] + sizes[l + 1];
        return count;
    }

    /// <summary>
    /// Why the device loop cannot hold <paramref name="config"/>'s buffers (over 90% of the device's memory), or null
    /// (also when the run would not take the device loop at all). Opens the device to read its size; run before
    /// anything is written, so that such a run is refused with one line instead of failing midway.
    /// </summary>
    public static string? MemoryProblem(DeepConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!RunsOn(config.Run.Backend) || Problem(config) is not null) return null;
        EnvSpec spec = EnvRegistry.Get(config.Run.EnvId).Spec(config.Run.EnvArgs is null ? EnvArgs.Empty : new EnvArgs(config.Run.EnvArgs));
        using var device = Kernels.Gpu.GpuDevice.Open(config.Run.Backend == Backend.Gpu ? Kernels.Gpu.GpuDeviceKind.Cuda : Kernels.Gpu.GpuDeviceKind.CpuAccelerator);
        return MemoryMessage(config, spec, device);
    }

    private static string? MemoryMessage(DeepConfig config, EnvSpec spec, Kernels.Gpu.GpuDevice device)
    {
        long need = DeviceBytes(config, spec);
        return need <= device.UsableBytes ? null :
            $"Device {DeviceUpdatePlan.Of(config).Label} with {config.Run.Population} member(s) × {config.Run.EnvCount} envs × {config.RolloutSteps} steps needs about " +
            $"{MemoryBudget.Format(need)} of device memory; 90% of {device.Accelerator.Name}'s {MemoryBudget.Format(device.MemoryBytes)} is {MemoryBudget.Format(device.UsableBytes)}. " +
            "Use fewer envs, members or rollout steps.";
    }

    private static TrainResult TrainOn<TEnv, TParams>(DeepConfig config, GpuVectorEnv<TEnv, TParams> env, DeviceTransfers transfers)
        where TEnv : struct, IEnv<TEnv, F1, TParams>
        where TParams : struct
    {
        var watch = Stopwatch.StartNew();
        RunSettings run = config.Run;
        EnvSpec spec = env.Spec;
        int pop = run.Population, n = run.EnvCount;
        WorkerPool pool = run.MakePool(); // outlives the run: the returned networks use it
        Mlp actor = PolicyNet.NewMlp(spec.ObsSize, config.Hidden, spec.Action.Count, config.Activation, run, pool, outputGain: 0.01f);
        // REINFORCE's baseline is this critic; without one it is still built (the update holds it) but the rollout launch does not run it and it is never trained.
        Mlp critic = PolicyNet.NewMlp(spec.ObsSize, config.Hidden, 1, config.Activation, run, pool, outputGain: 1f, salt: 1);
        DeviceUpdatePlan plan = DeviceUpdatePlan.Of(config);
        var policy = new PolicyNet(spec, actor, 0f);
        ulong[] seeds = Enumerable.Range(0, pop).Select(run.SeedOf).ToArray();
        // Before the rollout and update buffers are allocated (the CLI asks MemoryProblem before writing anything).
        if (MemoryMessage(config, spec, env.Device) is { } tooBig) throw new ArgumentOutOfRangeException(nameof(config), tooBig);
        using var update = new DevicePpoUpdate(env.Device.Accelerator, actor, critic, config, n, seeds, transfers);
        using var rollout = new DeviceRollout<TEnv, TParams>(env, actor, update.Actor.Parameters, critic, update.Critic.Parameters, seeds, config.RolloutSteps, transfers,
            runCritic: plan.TrainsCritic);
        var stats = new DeviceEpisodeStats(pop, run.RecentEpisodes);
        var curve = new List<CurvePoint>();
        double? solvedAt = null;
        long? solvedStep = null;
        long steps = 0;
        int sinceConfirm = int.MaxValue / 2;
        while (steps < run.TotalSteps)
        {
            rollout.Collect();
            steps += (long)config.RolloutSteps * n;
            stats.Record(rollout.ReadEpisodeMetrics());
            update.Update(rollout.Views);
            ReadOnlySpan<float> metrics = update.ReadMetrics();
            float loss = metrics[0];
            for (int p = 0; p < pop; p++)
                if (!float.IsFinite(metrics[3 * p]) || !float.IsFinite(metrics[3 * p + 1]) || !float.IsFinite(metrics[3 * p + 2]))
                    throw new TrainingDivergedException(
                        $"Training diverged at env step {steps}: member {p}'s loss or gradient norm is non-finite ({metrics[3 * p]}, {metrics[3 * p + 1]}, {metrics[3 * p + 2]}).",
                        steps, "device update", null);
            double seconds = watch.Elapsed.TotalSeconds;
            for (int p = 0; p < pop; p++) curve.Add(new CurvePoint(steps, seconds, p, stats.RecentMean(p), stats.Count(p)));
            run.Progress?.Invoke(new TrainProgress(steps, seconds, stats.RecentMean(0), stats.Count(0), loss));

            // The stop rule of the CPU loops: the recent training mean at the target, then a greedy evaluation every few updates.
            if (run.TargetReturn is not { } target || !stats.AllAtLeast(target)) continue;
            if (solvedAt is null) (solvedAt, solvedStep) = (seconds, steps);
            if (!run.StopAtTarget) continue;
            if (run.ConfirmEpisodes == 0) break;
            if (++sinceConfirm < 4) continue;
            sinceConfirm = 0;
            update.Actor.DownloadParameters();
            double[] means = Evaluation.MeanReturns(policy, run.ConfirmEpisodes, run.Seed ^ 0xC0F1_2A3B_0000UL + (ulong)steps, run.Backend, run.EnvArgs, run.Threads);
            if (means.All(m => m >= target + run.ConfirmMargin * Math.Abs(target))) break;
        }
        update.Actor.DownloadParameters();
        if (plan.TrainsCritic) update.Critic.DownloadParameters();
        return new TrainResult
        {
            Algorithm = plan.Algorithm, Settings = run, Policy = policy, Critic = plan.TrainsCritic ? critic : null, Curve = curve, EnvSteps = steps,
            Seconds = watch.Elapsed.TotalSeconds, SolvedAtSeconds = solvedAt, SolvedAtStep = solvedStep,
            FinalRecentMean = Enumerable.Range(0, pop).Select(stats.RecentMean).ToArray(),
        };
    }
}
