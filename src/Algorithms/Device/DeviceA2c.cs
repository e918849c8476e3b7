using RlKernels.Algorithms.Deep;
using RlKernels.Envs.Runner;

namespace RlKernels.Algorithms.Device;

/// <summary>
/// A2C with the whole loop on the device: the loop it shares with <see cref="DevicePpo"/> (the fused rollout launch, then
/// the update's launches) with <see cref="DevicePpoUpdate"/> in its A2C form: GAE(λ), one gradient step per network on the whole
/// rollout in its order (−mean(A·log π) − c_H·H for the actor, c_V·½(V − G)² for the critic), advantages normalized
/// per member over the rollout when <see cref="ActorCriticConfig.NormalizeAdvantages"/>, global-norm clipping, Adam:
/// the CPU <see cref="A2c.Train"/>'s update. Per rollout and update only the [P, 2] episode and [P, 3] update
/// metrics come back.
/// </summary>
/// <remarks>
/// Discrete actions, a plain GPU runner, <see cref="Backend.Gpu"/> or <see cref="Backend.GpuCpuAccelerator"/>;
/// the networks are initialized as the CPU <see cref="A2c"/> initializes them.
/// </remarks>
public static class DeviceA2c
{
    /// <summary>Trains an actor and a critic per member with A2C on the device (see the class summary).</summary>
    /// <exception cref="ArgumentException">Invalid settings, a backend other than gpu/gpu-cpu, continuous actions, or env options that wrap the runner.</exception>
    /// <exception cref="TrainingDivergedException">The loss or a gradient norm went non-finite.</exception>
    public static TrainResult Train(A2cConfig config) => Train(config, new DeviceTransfers());

    /// <summary><see cref="Train(A2cConfig)"/> with the copies counted in <paramref name="transfers"/>.</summary>
    internal static TrainResult Train(A2cConfig config, DeviceTransfers transfers) => DeviceActorCritic.Train(config, transfers);

    /// <summary>True for the backends whose A2C runs wholly on the device (gpu, gpu-cpu).</summary>
    public static bool RunsOn(Backend backend) => DeviceActorCritic.RunsOn(backend);

    /// <summary><see cref="Train(A2cConfig)"/> where the device loop runs <paramref name="config"/>, else null: the caller trains another way.</summary>
    public static TrainResult? TrainIfItRuns(A2cConfig config) => DeviceActorCritic.TrainIfItRuns(config);

    /// <summary>Why the device loop cannot hold <paramref name="config"/>'s buffers, or null (as <see cref="DevicePpo.MemoryProblem"/>).</summary>
    public static string? MemoryProblem(A2cConfig config) => DeviceActorCritic.MemoryProblem(config);
}
