using RlKernels.Envs;
using RlKernels.Kernels.Nn;
using RlKernels.Kernels.Threading;

namespace RlKernels.Algorithms.Deep;

/// <summary>
/// The Q network of network SARSA and DQN: Q(s, ·) over the discrete actions, which is also the network of the
/// greedy policy evaluation runs, and its target copy Q̄ that the bootstrap targets read.
/// </summary>
internal static class QNetwork
{
    /// <summary>
    /// A policy over a new Q network (obs → <paramref name="config"/>'s hidden layers → one output per action,
    /// member p initialized from (seed_p, <paramref name="salt"/>)), the network itself, and its target copy.
    /// </summary>
    public static (PolicyNet Policy, Mlp Q, Mlp Target) New(DeepConfig config, RunSettings run, EnvSpec spec, WorkerPool pool, uint salt)
    {
        Mlp q = PolicyNet.NewMlp(spec.ObsSize, config.Hidden, spec.Action.Count, config.Activation, run, pool, outputGain: 1f, salt);
        return (new PolicyNet(spec, q, 0f), q, TargetNetwork.CopyOf(q, pool));
    }
}
