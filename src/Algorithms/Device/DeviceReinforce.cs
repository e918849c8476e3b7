using RlKernels.Algorithms.Deep;
using RlKernels.Envs.Runner;

namespace RlKernels.Algorithms.Device;

/// <summary>
/// REINFORCE (with or without a learned baseline) with the whole loop on the device: the loop it shares with
/// <see cref="DevicePpo"/> and <see cref="DeviceA2c"/> (the fused rollout launch, then the update's launches) with
/// <see cref="DevicePpoUpdate"/> in its REINFORCE form: the reward-to-go per episode (truncated episodes from 0, steps after an
/// env's last episode end weighted 0), one pass of shuffled minibatches (the CPU's permutations), per minibatch and member the
/// weights −w·(G − b)·s/count with b the baseline's V or 0 and s the root-mean-square scale, the baseline's w·(V − G)/count,
/// global-norm clipping and Adam: the CPU <see cref="Reinforce.Train"/>'s update. Per rollout and update only the [P, 2]
/// episode and [P, 3] update metrics come back.
/// </summary>
/// <remarks>
/// Discrete actions, a plain GPU runner, <see cref="Backend.Gpu"/> or <see cref="Backend.GpuCpuAccelerator"/>; the networks are
/// initialized as the CPU <see cref="Reinforce"/> initializes them. Without a baseline a critic-shaped net is still allocated on
/// the device (the shared update holds one) but the rollout launch does not run it, and it is never trained or returned.
/// </remarks>
public static class DeviceReinforce
{
    /// <summary>Trains a policy (and a baseline, with <see cref="ReinforceConfig.Baseline"/>) per member with REINFORCE on the device (see the class summary).</summary>
    /// <exception cref="ArgumentException">Invalid settings, a backend other than gpu/gpu-cpu, continuous actions, or env options that wrap the runner.</exception>
    /// <exception cref="TrainingDivergedException">The loss or a gradient norm went non-finite.</exception>
    public static TrainResult Train(ReinforceConfig config) => Train(config, new DeviceTransfers());

    /// <summary><see cref="Train(ReinforceConfig)"/> with the copies counted in <paramref name="transfers"/>.</summary>
    internal static TrainResult Train(ReinforceConfig config, DeviceTransfers transfers) => DeviceActorCritic.Train(config, transfers);

    /// <summary>True for the backends whose REINFORCE runs wholly on the device (gpu, gpu-cpu).</summary>
    public static bool RunsOn(Backend backend) => DeviceActorCritic.RunsOn(backend);

    /// <summary><see cref="Train(ReinforceConfig)"/> where the device loop runs <paramref name="config"/>, else null: the caller trains another way.</summary>
    public static TrainResult? TrainIfItRuns(ReinforceConfig config) => DeviceActorCritic.TrainIfItRuns(config);

    /// <summary>Why the device loop cannot hold <paramref name="config"/>'s buffers, or null (as <see cref="DevicePpo.MemoryProblem"/>).</summary>
    public static string? MemoryProblem(ReinforceConfig config) => DeviceActorCritic.MemoryProblem(config);
}
