using RlKernels.Algorithms.Deep;
using RlKernels.Envs.Registry;

namespace RlKernels.Cli;

/// <summary>
/// Upper bounds of <c>rlk train --envs</c> for a deep algorithm, estimated before anything is allocated: the env
/// copies (<see cref="EnvRegistry.MaxEnvCount"/>) and the rollout, whose buffers and network activations grow
/// with envs × rollout steps.
/// </summary>
public static class DeepLimits
{
    /// <summary>
    /// Bytes per rollout sample, an upper estimate: the observation, actions, log-probs, values, rewards and
    /// flags, plus the activations and their gradients of a policy and a critic of two 64-wide hidden layers
    /// (4 × 64 floats each, forward and backward).
    /// </summary>
    private static long BytesPerSample(int obsSize, int actionWidth) => 4L * (2L * obsSize + 2L * actionWidth + 8 + 2 * 4 * 64 * 2);

    /// <summary>The most env copies <paramref name="algo"/> can train on <paramref name="envId"/> on this machine.</summary>
    /// <exception cref="ArgumentException">Unknown env or bad env arguments.</exception>
    public static int MaxEnvs(string algo, string envId, IReadOnlyDictionary<string, string>? envArgs)
    {
        var spec = EnvRegistry.Get(envId).Spec(envArgs is null ? EnvArgs.Empty : new EnvArgs(envArgs));
        long perEnv = DeepAlgorithms.RolloutSteps(algo, envId) * BytesPerSample(spec.ObsSize, spec.Action.Count) + EnvRegistry.EstimatedBytesPerEnv(spec);
        long byMemory = MemoryBudget.UsableBytes / perEnv;
        // Every [T·N, width] buffer must stay within .NET's array length (the widest is a hidden layer's or the observations).
        long byArrayLength = Array.MaxLength / ((long)DeepAlgorithms.RolloutSteps(algo, envId) * Math.Max(spec.ObsSize, 4 * 64));
        return (int)Math.Clamp(Math.Min(Math.Min(byMemory, byArrayLength), EnvRegistry.MaxEnvCount(envId, envArgs)), 1, int.MaxValue);
    }

    /// <summary>The largest <c>--buffer-size</c> (transitions) of one member's replay buffer on <paramref name="envId"/> on this machine.</summary>
    /// <exception cref="ArgumentException">Unknown env or bad env arguments.</exception>
    public static int MaxReplay(string envId, IReadOnlyDictionary<string, string>? envArgs)
    {
        var spec = EnvRegistry.Get(envId).Spec(envArgs is null ? EnvArgs.Empty : new EnvArgs(envArgs));
        bool discrete = spec.Action.IsDiscrete;
        return (int)Math.Clamp(ReplayBuffer.MaxCapacity(1, spec.ObsSize, discrete ? 1 : spec.Action.Count, discrete), 1, int.MaxValue);
    }
}
