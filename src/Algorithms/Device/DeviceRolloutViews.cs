using ILGPU;

namespace RlKernels.Algorithms.Device;

/// <summary>
/// A device rollout's memory as ILGPU views, passed by value to the fused rollout kernel. Per-sample arrays
/// use the CPU <see cref="Deep.Rollout"/>'s layout [P, T, N, ...]: member p's T·N samples contiguous,
/// time-major, so the update gathers minibatches exactly as the CPU does.
/// </summary>
public struct DeviceRolloutViews
{
    /// <summary>Observations the actions were taken from, [P, T, N, obsSize].</summary>
    public ArrayView<float> Obs;
    /// <summary>Sampled classes, [P, T, N].</summary>
    public ArrayView<int> Actions;
    /// <summary>log π_old(a|s) of the sampled actions, [P, T, N].</summary>
    public ArrayView<float> LogProbs;
    /// <summary>Critic's V(s), [P, T, N].</summary>
    public ArrayView<float> Values;
    /// <summary>The env's rewards as it wrote them (no bootstrap added), [P, T, N].</summary>
    public ArrayView<float> Rewards;
    /// <summary>Terminated flags 0/1, [P, T, N].</summary>
    public ArrayView<byte> Terminated;
    /// <summary>Truncated (time-limit) flags 0/1, [P, T, N].</summary>
    public ArrayView<byte> Truncated;
    /// <summary>V(final observation) where the step truncated and did not terminate, else 0, [P, T, N].</summary>
    public ArrayView<float> FinalValues;
    /// <summary>V of the observation after the last step, [P, N].</summary>
    public ArrayView<float> LastValues;
    /// <summary>Per env (sum of returns, count) of the episodes that ended in this rollout, [P·N, 2].</summary>
    public ArrayView<float> EpisodeSums;
    /// <summary>The policy network's parameters in its <c>Mlp.Layout</c> order (the device copy the update trains).</summary>
    public ArrayView<float> PolicyParameters;
    /// <summary>The policy's <c>MlpFusedForwardKernel.Meta</c>, [4·layers + 1].</summary>
    public ArrayView<int> PolicyMeta;
    /// <summary>The critic's parameters in its layout order.</summary>
    public ArrayView<float> CriticParameters;
    /// <summary>The critic's <c>MlpFusedForwardKernel.Meta</c>, [4·layers + 1].</summary>
    public ArrayView<int> CriticMeta;
    /// <summary>Each member's Philox key for action sampling (from its seed), [P, 2].</summary>
    public ArrayView<uint> SampleKeys;
}

/// <summary>The fused rollout kernel's scalar arguments (4-byte fields only, see <c>GpuStepArgs</c>).</summary>
public struct DeviceRolloutArgs
{
    /// <summary>Steps per rollout T.</summary>
    public int Steps;
    /// <summary>Envs per member N.</summary>
    public int EnvsPerMember;
    /// <summary>Observation width.</summary>
    public int ObsSize;
    /// <summary>Action classes.</summary>
    public int ActionCount;
    /// <summary>Layers of the policy network.</summary>
    public int PolicyLayers;
    /// <summary>Layers of the critic; 0: no critic is run, and the values, final values and last values are 0 (plain REINFORCE).</summary>
    public int CriticLayers;
    /// <summary>Counter of the first step's action draw (one per vector step, running on across rollouts).</summary>
    public uint SampleStep;
}
