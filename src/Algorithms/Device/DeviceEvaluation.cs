using ILGPU;
using ILGPU.Runtime;
using RlKernels.Algorithms.Deep;
using RlKernels.Envs;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Gpu;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Algorithms.Device;

/// <summary>
/// <see cref="Evaluation"/> on the device: the policy's parameters go up once, one launch of
/// <see cref="DeviceEvaluationKernels.EvaluateKernel{TEnv, TParams}"/> runs every env's first episode under the greedy
/// policy, and only the [P·N] returns come back. Discrete actions, a plain GPU runner, an env with a time limit and a
/// policy without observation normalization; <see cref="TryRun"/> says null for anything else and the caller steps the
/// envs from the host.
/// </summary>
public static class DeviceEvaluation
{
    /// <summary>Test hook: evaluations this thread ran on the device.</summary>
    [ThreadStatic] internal static int t_runs;

    /// <summary>The per-member mean and population standard deviation of the returns, or null when the device path does not take this policy and env.</summary>
    /// <param name="policy">The policy (P members); its parameters are read once.</param>
    /// <param name="episodes">Episodes per member N: the env holds P·N copies, member p's at [p·N, (p+1)·N).</param>
    /// <param name="env">Fresh envs, reset, on a device backend.</param>
    /// <param name="transfers">Counts the copies (tests); null: not counted.</param>
    public static (double[] Mean, double[] Std)? TryRun(PolicyNet policy, int episodes, IVectorEnv env, DeviceTransfers? transfers = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(env);
        if (!policy.IsDiscrete || policy.Normed is not null || !GpuRunnerDispatch.IsPlainRunner(env)) return null;
        foreach (int size in policy.Net.LayerSizes)
            if (size > MlpFusedForwardKernel.MaxWidth) return null;
        return GpuRunnerDispatch.Invoke<(double[], double[])?>(typeof(DeviceEvaluation), nameof(RunOn), env, policy, episodes, env, transfers ?? new DeviceTransfers());
    }

    private static (double[] Mean, double[] Std)? RunOn<TEnv, TParams>(PolicyNet policy, int episodes, GpuVectorEnv<TEnv, TParams> env, DeviceTransfers transfers)
        where TEnv : struct, IEnv<TEnv, F1, TParams>
        where TParams : struct
    {
        GpuStepArgs stepArgs = env.KernelStepArgs;
        int limit = stepArgs.ToSettings().MaxEpisodeSteps;
        if (limit <= 0) return null; // no time limit: nothing bounds a greedy episode on the device
        int pop = policy.Net.Population, count = env.EnvCount;
        if (count != pop * episodes) throw new ArgumentException($"{count} envs for {pop} member(s) × {episodes} episodes.", nameof(env));
        Accelerator acc = env.Device.Accelerator;
        int[] meta = MlpFusedForwardKernel.Meta(policy.Net);
        using var parameters = acc.Allocate1D<float>(policy.Net.Parameters.Length);
        using var metaBuffer = acc.Allocate1D<int>(meta.Length);
        using var returns = acc.Allocate1D<float>(count);
        transfers.ToDevice<float>(policy.Net.Parameters, parameters.View);
        transfers.ToDevice<int>(meta, metaBuffer.View);
        GpuDevice.ThrowIfCompileFailureInjected();
        var kernel = acc.LoadAutoGroupedStreamKernel<Index1D, GpuEnvViews, TParams, GpuStepArgs, ArrayView<float>, ArrayView<int>, DeviceEvaluationArgs, ArrayView<float>>(
            DeviceEvaluationKernels.EvaluateKernel<TEnv, TParams>);
        var args = new DeviceEvaluationArgs
        {
            EnvsPerMember = episodes, ObsSize = env.Spec.ObsSize, ActionCount = env.Spec.Action.Count,
            PolicyLayers = policy.Net.LayerCount, MaxSteps = limit,
        };
        kernel(count, env.Views, env.KernelParameters, stepArgs, parameters.View, metaBuffer.View, args, returns.View);
        var host = new float[count];
        transfers.ToHost(returns.View, host);
        t_runs++;

        var sums = new double[pop];
        var squares = new double[pop];
        for (int i = 0; i < count; i++)
        {
            double r = host[i];
            sums[i / episodes] += r;
            squares[i / episodes] += r * r;
        }
        return Evaluation.Summarize(sums, squares, episodes);
    }
}
