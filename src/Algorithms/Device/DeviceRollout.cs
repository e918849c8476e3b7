using ILGPU;
using ILGPU.Runtime;
using RlKernels.Envs;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Gpu;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Device;

/// <summary>
/// An on-policy rollout that never leaves the device: each <see cref="Collect"/> is one launch of
/// <see cref="DeviceRolloutKernels.RolloutKernel{TEnv, TParams}"/> over a <see cref="GpuVectorEnv{TEnv, TParams}"/>'s
/// memory, with the policy and critic read from the device parameter buffers the update trains. The trajectory
/// stays in <see cref="Views"/>; the host reads back only <see cref="ReadEpisodeMetrics"/>'s [P, 2] scalars.
/// Discrete actions and same-step auto-reset only (a truncated step's final observation must be on the device
/// for its bootstrap). P = population, N = envs per member (member p's at rows [p·N, (p+1)·N)), T = steps.
/// </summary>
public sealed class DeviceRollout<TEnv, TParams> : IDisposable
    where TEnv : struct, IEnv<TEnv, F1, TParams>
    where TParams : struct
{
    private readonly GpuVectorEnv<TEnv, TParams> _env;
    private readonly DeviceTransfers _transfers;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _obs, _logProbs, _values, _rewards, _finalValues, _lastValues, _episodeSums, _metrics;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _actions, _policyMeta, _criticMeta;
    private readonly MemoryBuffer1D<byte, Stride1D.Dense> _terminated, _truncated;
    private readonly MemoryBuffer1D<uint, Stride1D.Dense> _keys;
    private readonly Action<Index1D, GpuEnvViews, TParams, GpuStepArgs, DeviceRolloutViews, DeviceRolloutArgs> _rollout;
    private readonly Action<Index1D, ArrayView<float>, int, ArrayView<float>> _episodeMetrics;
    private readonly float[] _hostMetrics;
    private DeviceRolloutArgs _args;

    /// <summary>Population size P.</summary>
    public int Population { get; }
    /// <summary>Envs per member N.</summary>
    public int EnvsPerMember { get; }
    /// <summary>Steps per rollout T.</summary>
    public int Steps { get; }
    /// <summary>The trajectory buffers and network views the kernels read and write.</summary>
    public DeviceRolloutViews Views { get; }
    /// <summary>Counter of the next rollout's first action draw (one per vector step, from 0).</summary>
    public uint SampleStep => _args.SampleStep;

    /// <param name="env">The P·N env copies (discrete actions, same-step auto-reset).</param>
    /// <param name="policy">The policy's shape: obs → logits [P, ·, actionCount], widths up to <see cref="MlpFusedForwardKernel.MaxWidth"/>.</param>
    /// <param name="policyParameters">The policy's parameters on <paramref name="env"/>'s device, in <paramref name="policy"/>'s layout.</param>
    /// <param name="critic">The critic's shape: obs → V [P, ·, 1].</param>
    /// <param name="criticParameters">The critic's parameters on the device, in <paramref name="critic"/>'s layout.</param>
    /// <param name="seeds">Each member's sampling seed [P] (the CPU's <c>RunSettings.SeedOf(p)</c>).</param>
    /// <param name="steps">Steps per rollout T.</param>
    /// <param name="transfers">Counts the copies (the network metadata and keys are uploaded here, once).</param>
    /// <param name="runCritic">False: the launch runs no critic and writes 0 for every V (a policy gradient without a critic, plain REINFORCE).</param>
    /// <exception cref="ArgumentException">Shapes that do not fit the env or each other, continuous actions, or another auto-reset mode.</exception>
    public DeviceRollout(GpuVectorEnv<TEnv, TParams> env, Mlp policy, ArrayView<float> policyParameters,
        Mlp critic, ArrayView<float> criticParameters, ReadOnlySpan<ulong> seeds, int steps, DeviceTransfers transfers, bool runCritic = true)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(critic);
        ArgumentNullException.ThrowIfNull(transfers);
        EnvSpec spec = env.Spec;
        int pop = policy.Population;
        if (!spec.Action.IsDiscrete) throw new ArgumentException($"The device rollout samples discrete actions; {spec.Id} has {spec.Action}.", nameof(env));
        if (env.AutoReset != AutoResetMode.SameStep) throw new ArgumentException($"The device rollout needs same-step auto-reset, not {env.AutoReset}.", nameof(env));
        if (critic.Population != pop || seeds.Length != pop || env.EnvCount % pop != 0)
            throw new ArgumentException($"Population {pop}: the critic has {critic.Population}, seeds {seeds.Length}, and {env.EnvCount} envs must split evenly.");
        if (policy.InputSize != spec.ObsSize || policy.OutputSize != spec.Action.Count || critic.InputSize != spec.ObsSize || critic.OutputSize != 1)
            throw new ArgumentException($"The networks must map {spec.ObsSize} observations to {spec.Action.Count} logits and to 1 value.");
        if (policyParameters.Length != policy.Layout.TotalCount || criticParameters.Length != critic.Layout.TotalCount)
            throw new ArgumentException($"Parameter buffers of {policyParameters.Length} and {criticParameters.Length} floats; the layouts need {policy.Layout.TotalCount} and {critic.Layout.TotalCount}.");
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);

        _env = env;
        _transfers = transfers;
        Population = pop;
        EnvsPerMember = env.EnvCount / pop;
        Steps = steps;
        Accelerator acc = env.Device.Accelerator;
        long samples = (long)env.EnvCount * steps;
        int[] policyMeta = MlpFusedForwardKernel.Meta(policy), criticMeta = MlpFusedForwardKernel.Meta(critic);
        uint[] keys = DeviceSeeds.Keys(seeds);

        MemoryBuffer1D<float, Stride1D.Dense> Floats(long n) => acc.Allocate1D<float>(n);
        (_obs, _actions, _logProbs, _values) = (Floats(samples * spec.ObsSize), acc.Allocate1D<int>(samples), Floats(samples), Floats(samples));
        (_rewards, _terminated, _truncated, _finalValues) = (Floats(samples), acc.Allocate1D<byte>(samples), acc.Allocate1D<byte>(samples), Floats(samples));
        (_lastValues, _episodeSums, _metrics) = (Floats(env.EnvCount), Floats(2L * env.EnvCount), Floats(2L * pop));
        (_policyMeta, _criticMeta, _keys) = (acc.Allocate1D<int>(policyMeta.Length), acc.Allocate1D<int>(criticMeta.Length), acc.Allocate1D<uint>(keys.Length));
        transfers.ToDevice<int>(policyMeta, _policyMeta.View);
        transfers.ToDevice<int>(criticMeta, _criticMeta.View);
        transfers.ToDevice<uint>(keys, _keys.View);
        _hostMetrics = new float[2 * pop];

        Views = new DeviceRolloutViews
        {
            Obs = _obs.View, Actions = _actions.View, LogProbs = _logProbs.View, Values = _values.View,
            Rewards = _rewards.View, Terminated = _terminated.View, Truncated = _truncated.View,
            FinalValues = _finalValues.View, LastValues = _lastValues.View, EpisodeSums = _episodeSums.View,
            PolicyParameters = policyParameters, PolicyMeta = _policyMeta.View,
            CriticParameters = criticParameters, CriticMeta = _criticMeta.View, SampleKeys = _keys.View,
        };
        _args = new DeviceRolloutArgs
        {
            Steps = steps, EnvsPerMember = EnvsPerMember, ObsSize = spec.ObsSize, ActionCount = spec.Action.Count,
            PolicyLayers = policy.LayerCount, CriticLayers = runCritic ? critic.LayerCount : 0, SampleStep = 0,
        };
        GpuDevice.ThrowIfCompileFailureInjected();
        _rollout = acc.LoadAutoGroupedStreamKernel<Index1D, GpuEnvViews, TParams, GpuStepArgs, DeviceRolloutViews, DeviceRolloutArgs>(
            DeviceRolloutKernels.RolloutKernel<TEnv, TParams>);
        _episodeMetrics = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int, ArrayView<float>>(DeviceRolloutKernels.EpisodeMetricsKernel);
    }

    /// <summary>Queues one rollout of T steps (one launch, no copy); the envs move on T steps.</summary>
    public void Collect()
    {
        _rollout(_env.EnvCount, _env.Views, _env.KernelParameters, _env.KernelStepArgs, Views, _args);
        _env.MarkSteppedOnDevice(Steps);
        _args.SampleStep += (uint)Steps;
    }

    /// <summary>
    /// Each member's (sum of returns, count) of the episodes that ended in the last rollout, [P, 2]: one small
    /// launch and the rollout's only copy back (waits for the queued work). Valid until the next call.
    /// </summary>
    public ReadOnlySpan<float> ReadEpisodeMetrics()
    {
        _episodeMetrics(Population, _episodeSums.View, EnvsPerMember, _metrics.View);
        _transfers.ToHost(_metrics.View.AsContiguous(), _hostMetrics);
        return _hostMetrics;
    }

    /// <summary>Frees the rollout's device buffers (not the env's nor the networks').</summary>
    public void Dispose()
    {
        foreach (var b in new[] { _obs, _logProbs, _values, _rewards, _finalValues, _lastValues, _episodeSums, _metrics }) b.Dispose();
        _actions.Dispose();
        _policyMeta.Dispose();
        _criticMeta.Dispose();
        _terminated.Dispose();
        _truncated.Dispose();
        _keys.Dispose();
    }
}
