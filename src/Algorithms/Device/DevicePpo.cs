using RlKernels.Algorithms.Deep;
using RlKernels.Envs;
using RlKernels.Envs.Runner;

namespace RlKernels.Algorithms.Device;

/// <summary>
/// PPO with the whole loop on the device (the loop it shares with <see cref="DeviceA2c"/>): <see cref="DeviceRollout{TEnv, TParams}"/>
/// (env, policy, sampling in one launch) and <see cref="DevicePpoUpdate"/> (GAE, losses, backward, clipping, Adam as
/// launches). Per rollout and update the host reads back [P, 2] episode metrics and [P, 3] update metrics; the
/// parameters come back only to confirm a solve (a greedy evaluation, as <see cref="StopRule"/> does) and at the end.
/// </summary>
/// <remarks>
/// Discrete actions, <see cref="Backend.Gpu"/> or <see cref="Backend.GpuCpuAccelerator"/>. The networks are
/// initialized as the CPU <see cref="Ppo"/> initializes them. All members share one env seed
/// (<see cref="RunSettings.Seed"/>); their sampling and minibatch seeds are <see cref="RunSettings.SeedOf"/>.
/// </remarks>
public static class DevicePpo
{
    /// <summary>Trains an actor and a critic per member with PPO on the device (see the class summary).</summary>
    /// <exception cref="ArgumentException">Invalid settings, a backend other than gpu/gpu-cpu, continuous actions, or a config the device update does not run.</exception>
    /// <exception cref="TrainingDivergedException">The loss or a gradient norm went non-finite.</exception>
    public static TrainResult Train(PpoConfig config) => Train(config, new DeviceTransfers());

    /// <summary>True for the backends whose PPO runs wholly on the device (gpu, gpu-cpu).</summary>
    public static bool RunsOn(Backend backend) => DeviceActorCritic.RunsOn(backend);

    /// <summary>
    /// Why <see cref="Train(PpoConfig)"/> would refuse <paramref name="config"/> (null: it runs it), checked before
    /// any training: the backend, the counts, discrete actions, a plain GPU runner (probed with one env), no annealing.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid run settings or env options.</exception>
    /// <exception cref="InvalidOperationException">The backend is missing on this machine (gpu without a GPU).</exception>
    public static string? Problem(PpoConfig config) => DeviceActorCritic.Problem(config);

    /// <summary><see cref="Train(PpoConfig)"/> with the copies counted in <paramref name="transfers"/> (tests read it from the progress callback).</summary>
    internal static TrainResult Train(PpoConfig config, DeviceTransfers transfers) => DeviceActorCritic.Train(config, transfers);

    /// <summary>
    /// <see cref="Train(PpoConfig)"/> where the device loop runs <paramref name="config"/>, else null (what
    /// <see cref="Problem"/> would say, found on the run's own env instead of a probe): the caller trains another way.
    /// </summary>
    public static TrainResult? TrainIfItRuns(PpoConfig config) => DeviceActorCritic.TrainIfItRuns(config);

    /// <summary>
    /// Device bytes the rollout and update buffers take for <paramref name="config"/>: per sample (P·N·T) the rollout's
    /// observations, actions, log-probabilities, values, rewards, flags and final values and the update's advantages,
    /// returns and permutation; per minibatch row (P·N·T / minibatches) the staged minibatch and both networks'
    /// activations and deltas; per parameter its value, gradient and two Adam moments.
    /// </summary>
    public static long DeviceBytes(PpoConfig config, EnvSpec spec) => DeviceActorCritic.DeviceBytes(config, spec);

    /// <summary>
    /// Why the device loop cannot hold <paramref name="config"/>'s buffers (over 90% of the device's memory), or null
    /// (also when the run would not take the device loop at all). Opens the device to read its size; run before
    /// anything is written, so that such a run is refused with one line instead of failing midway.
    /// </summary>
    public static string? MemoryProblem(PpoConfig config) => DeviceActorCritic.MemoryProblem(config);
}
