using System.Diagnostics;
using ILGPU.Runtime;
using RlKernels.Envs;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Gpu;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Device;

/// <summary>What <see cref="DeviceRolloutThroughput.Measure"/> measures: one env × envs × steps on a device backend.</summary>
public sealed record DeviceRolloutBenchSettings
{
    /// <summary>A registered env with discrete actions.</summary>
    public required string EnvId { get; init; }
    /// <summary>Env copies N (one population member).</summary>
    public required int EnvCount { get; init; }
    /// <summary>Steps per launch T (the rollout length of a PPO update).</summary>
    public int Steps { get; init; } = 32;
    /// <summary>Hidden layer widths of the policy and the critic (tanh).</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [64, 64];
    /// <summary><see cref="Backend.Gpu"/> or <see cref="Backend.GpuCpuAccelerator"/>.</summary>
    public Backend Backend { get; init; } = Backend.Gpu;
    /// <summary>Seconds per timed repeat.</summary>
    public double Seconds { get; init; } = 0.5;
    /// <summary>Timed repeats; the median is reported.</summary>
    public int Repeats { get; init; } = 5;
    /// <summary>Env and network seed.</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>Env arguments (Gymnasium kwargs; no wrapper that replaces the plain GPU runner).</summary>
    public IReadOnlyDictionary<string, string>? EnvArgs { get; init; }
}

/// <summary>Env-steps per second of the fused rollout: median, min and max over the repeats, and launches per repeat.</summary>
public readonly record struct DeviceRolloutRate(double Median, double Min, double Max, int LaunchesPerRepeat);

/// <summary>
/// Throughput of the fused rollout kernel (<see cref="DeviceRollout{TEnv, TParams}"/>): T env steps with the policy's
/// forward pass, action sampling and the critic's values in one launch, the trajectory written to device buffers, as
/// a PPO update collects it. Freshly initialized networks; nothing is trained. Every timed launch sequence ends with a
/// synchronize before the clock is read.
/// </summary>
public static class DeviceRolloutThroughput
{
    /// <summary>
    /// Device bytes of the rollout's trajectory (per sample: observations, action, log-probability, value, reward, two
    /// flags, final value) and per-env scalars, for <paramref name="envCount"/> envs × <paramref name="steps"/> steps.
    /// The env's own buffers are checked by its runner.
    /// </summary>
    public static long TrajectoryBytes(EnvSpec spec, int envCount, int steps)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return (long)envCount * steps * (4L * spec.ObsSize + 22) + 12L * envCount;
    }

    /// <summary>Why <paramref name="settings"/> cannot be measured (null: it can), found before a device is opened.</summary>
    public static string? Problem(DeviceRolloutBenchSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!DeviceActorCritic.RunsOn(settings.Backend)) return "the fused rollout runs on a device backend: gpu, or gpu-cpu (ILGPU's CPU accelerator).";
        if (settings.EnvCount < 1) return $"--envs must be at least 1, got {settings.EnvCount}.";
        if (settings.Steps < 1) return $"--steps must be at least 1, got {settings.Steps}.";
        if ((long)settings.EnvCount * settings.Steps > int.MaxValue)
            return $"envs × steps = {(long)settings.EnvCount * settings.Steps} samples; at most {int.MaxValue} fit one rollout.";
        if (settings.Hidden.Count == 0 || settings.Hidden.Any(h => h < 1 || h > MlpFusedForwardKernel.MaxWidth))
            return $"--hidden widths must be between 1 and {MlpFusedForwardKernel.MaxWidth}, got {string.Join(",", settings.Hidden)}.";
        if (!(settings.Seconds > 0 && settings.Seconds <= 3600)) return $"--seconds must be in (0, 3600], got {settings.Seconds}.";
        if (settings.Repeats < 1 || settings.Repeats > 1000) return $"--repeats must be between 1 and 1000, got {settings.Repeats}.";
        if (!EnvRegistry.TryGet(settings.EnvId, out EnvEntry? entry)) return $"unknown env '{settings.EnvId}'. Known: {string.Join(", ", EnvRegistry.Ids)}.";
        EnvSpec spec = entry.Spec(settings.EnvArgs is null ? Envs.Registry.EnvArgs.Empty : new EnvArgs(settings.EnvArgs));
        if (!spec.Action.IsDiscrete) return $"the fused rollout samples discrete actions; {settings.EnvId} has {spec.Action}.";
        return null;
    }

    /// <summary>
    /// Why the device cannot hold the envs and the trajectory of <paramref name="settings"/> (over 90% of its memory), or
    /// null. Opens the device to read its size and allocates nothing: a run checks every env count before measuring any.
    /// </summary>
    /// <exception cref="InvalidOperationException">The backend is gpu and no CUDA GPU opens.</exception>
    public static string? MemoryProblem(DeviceRolloutBenchSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        EnvSpec spec = EnvRegistry.Get(settings.EnvId).Spec(settings.EnvArgs is null ? Envs.Registry.EnvArgs.Empty : new EnvArgs(settings.EnvArgs));
        using var device = GpuDevice.Open(settings.Backend == Backend.Gpu ? GpuDeviceKind.Cuda : GpuDeviceKind.CpuAccelerator);
        return MemoryMessage(settings, spec, device);
    }

    private static string? MemoryMessage(DeviceRolloutBenchSettings settings, EnvSpec spec, GpuDevice device)
    {
        long need = TrajectoryBytes(spec, settings.EnvCount, settings.Steps) + EnvRegistry.EstimatedBytesPerEnv(spec) * settings.EnvCount;
        return need <= device.UsableBytes ? null :
            $"A rollout of {settings.EnvCount} envs × {settings.Steps} steps needs about {MemoryBudget.Format(need)} of device memory; " +
            $"90% of {device.Accelerator.Name}'s {MemoryBudget.Format(device.MemoryBytes)} is {MemoryBudget.Format(device.UsableBytes)}. Use fewer envs or steps.";
    }

    /// <summary>Opens the env on the device, checks the trajectory fits, warms up, and times back-to-back rollouts.</summary>
    /// <exception cref="ArgumentException"><see cref="Problem"/> is not null, or the env needs a wrapped runner.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The trajectory does not fit 90% of the device's memory (nothing allocated for it).</exception>
    public static DeviceRolloutRate Measure(DeviceRolloutBenchSettings settings)
    {
        if (Problem(settings) is { } problem) throw new ArgumentException(problem, nameof(settings));
        var options = new VectorEnvOptions { Backend = settings.Backend, Seed = settings.Seed };
        using IVectorEnv env = EnvRegistry.Make(settings.EnvId, settings.EnvCount, options, settings.EnvArgs);
        if (!GpuRunnerDispatch.IsPlainRunner(env))
            throw new ArgumentException($"the fused rollout needs a plain GPU runner for {settings.EnvId}, not {env.GetType().Name}.", nameof(settings));
        return GpuRunnerDispatch.Invoke<DeviceRolloutRate>(typeof(DeviceRolloutThroughput), nameof(MeasureOn), env, settings, env);
    }

    private static DeviceRolloutRate MeasureOn<TEnv, TParams>(DeviceRolloutBenchSettings settings, GpuVectorEnv<TEnv, TParams> env)
        where TEnv : struct, IEnv<TEnv, F1, TParams>
        where TParams : struct
    {
        EnvSpec spec = env.Spec;
        if (MemoryMessage(settings, spec, env.Device) is { } tooBig) throw new ArgumentOutOfRangeException(nameof(settings), tooBig);
        var actor = new Mlp([spec.ObsSize, .. settings.Hidden, spec.Action.Count], Activation.Tanh, Activation.Identity);
        var critic = new Mlp([spec.ObsSize, .. settings.Hidden, 1], Activation.Tanh, Activation.Identity);
        actor.Initialize(settings.Seed, outputGain: 0.01f);
        critic.Initialize(settings.Seed + 1);
        Accelerator acc = env.Device.Accelerator;
        using var actorParameters = acc.Allocate1D(actor.Parameters);
        using var criticParameters = acc.Allocate1D(critic.Parameters);
        using var rollout = new DeviceRollout<TEnv, TParams>(env, actor, actorParameters.View, critic, criticParameters.View,
            [settings.Seed], settings.Steps, new DeviceTransfers());

        double TimeLaunches(int n)
        {
            env.Synchronize();
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < n; i++) rollout.Collect();
            env.Synchronize();
            return Math.Max(Stopwatch.GetElapsedTime(start).TotalSeconds, 1e-9);
        }

        // WARM UP: the kernel's compile and load, then size a repeat to about Seconds.
        double once = TimeLaunches(1);
        for (int i = 0; i < 2; i++) once = Math.Min(once, TimeLaunches(1));
        int launches = (int)Math.Clamp(settings.Seconds / once, 1, 1_000_000);
        double samplesPerLaunch = (double)settings.EnvCount * settings.Steps;
        var rates = new double[settings.Repeats];
        for (int r = 0; r < settings.Repeats; r++) rates[r] = samplesPerLaunch * launches / TimeLaunches(launches);
        Array.Sort(rates);
        double median = rates.Length % 2 == 1 ? rates[rates.Length / 2] : (rates[rates.Length / 2 - 1] + rates[rates.Length / 2]) / 2;
        return new DeviceRolloutRate(median, rates[0], rates[^1], launches);
    }
}
