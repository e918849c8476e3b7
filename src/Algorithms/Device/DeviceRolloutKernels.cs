using System.Reflection;
using ILGPU;
using RlKernels.Envs;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Gpu;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Algorithms.Device;

/// <summary>
/// The fused on-policy rollout: one thread per env runs T steps of {policy forward, categorical sample,
/// critic forward, env step} in one launch, writing the whole trajectory to device memory. The env step is
/// the shared <see cref="EnvLaneStep{TEnv, T, TParams, TIO}"/> (the same code as every runner), the networks
/// are <see cref="MlpFusedForwardKernel.ForwardRow"/>, the draws <see cref="GpuCategorical.Sample"/> keyed as
/// the CPU's <c>PolicyNet.Sample</c>: member p's seed, counter (row within the member, step).
/// </summary>
/// <remarks>Launch with an extent of exactly P·N (the runner's env count); env e is member e / N, row e % N.</remarks>
public static class DeviceRolloutKernels
{
    /// <summary>T steps of env <paramref name="index"/> under the policy (see the class remarks).</summary>
    public static void RolloutKernel<TEnv, TParams>(Index1D index, GpuEnvViews env, TParams p, GpuStepArgs stepArgs,
        DeviceRolloutViews r, DeviceRolloutArgs a)
        where TEnv : struct, IEnv<TEnv, F1, TParams>
        where TParams : struct
    {
        int e = index.X, n = a.EnvsPerMember, o = a.ObsSize;
        int member = e / n, row = e - member * n;
        var io = new GpuLaneIO(env, e);
        StepSettings st = stepArgs.ToSettings();
        var pb = LocalMemory.Allocate<float>(2 * MlpFusedForwardKernel.MaxWidth);
        var cb = LocalMemory.Allocate<float>(2 * MlpFusedForwardKernel.MaxWidth);
        uint k0 = r.SampleKeys[2 * member], k1 = r.SampleKeys[2 * member + 1];
        float episodeSum = 0f, episodeCount = 0f;
        for (int t = 0; t < a.Steps; t++)
        {
            long k = ((long)member * a.Steps + t) * n + row;
            for (int f = 0; f < o; f++)
            {
                float v = env.Obs[(long)e * o + f];
                pb[f] = v;
                cb[f] = v;
                r.Obs[k * o + f] = v;
            }
            int logits = MlpFusedForwardKernel.ForwardRow(r.PolicyParameters, r.PolicyMeta, a.PolicyLayers, member, pb);
            int action = GpuCategorical.Sample(pb, logits, a.ActionCount, (uint)row, a.SampleStep + (uint)t, k0, k1);
            r.Actions[k] = action;
            r.LogProbs[k] = pb[logits + action] - GpuCategorical.LogSumExp(pb, logits, a.ActionCount);
            r.Values[k] = a.CriticLayers > 0 ? cb[MlpFusedForwardKernel.ForwardRow(r.CriticParameters, r.CriticMeta, a.CriticLayers, member, cb)] : 0f;

            env.Actions[e] = action;
            EnvLaneStep<TEnv, F1, TParams, GpuLaneIO>.Step(ref io, p, st, new F1(action));

            byte terminated = env.Terminated[e], truncated = env.Truncated[e];
            r.Rewards[k] = env.Rewards[e];
            r.Terminated[k] = terminated;
            r.Truncated[k] = truncated;
            float finalValue = 0f;
            if (truncated != 0 && terminated == 0 && a.CriticLayers > 0)
            {
                // The truncated episode's value goes on past the time limit: V(final obs) bootstraps it.
                for (int f = 0; f < o; f++) cb[f] = env.FinalObs[(long)e * o + f];
                finalValue = cb[MlpFusedForwardKernel.ForwardRow(r.CriticParameters, r.CriticMeta, a.CriticLayers, member, cb)];
            }
            r.FinalValues[k] = finalValue;
            if (terminated != 0 || truncated != 0)
            {
                episodeSum += env.CompletedReturn[e];
                episodeCount += 1f;
            }
        }
        for (int f = 0; f < o; f++) cb[f] = env.Obs[(long)e * o + f];
        r.LastValues[e] = a.CriticLayers > 0 ? cb[MlpFusedForwardKernel.ForwardRow(r.CriticParameters, r.CriticMeta, a.CriticLayers, member, cb)] : 0f;
        r.EpisodeSums[2 * e] = episodeSum;
        r.EpisodeSums[2 * e + 1] = episodeCount;
    }

    /// <summary>
    /// Member <paramref name="index"/>'s (sum of returns, episode count) over its N envs, summed in env order
    /// (no atomics: the same sums whatever the launch geometry).
    /// </summary>
    public static void EpisodeMetricsKernel(
        Index1D index,
        ArrayView<float> episodeSums, // [P·N, 2]
        int envsPerMember,
        ArrayView<float> metrics)     // [P, 2]
    {
        float sum = 0f, count = 0f;
        for (int i = 0; i < envsPerMember; i++)
        {
            long e = (long)index.X * envsPerMember + i;
            sum += episodeSums[2 * e];
            count += episodeSums[2 * e + 1];
        }
        metrics[2 * index.X] = sum;
        metrics[2 * index.X + 1] = count;
    }

    /// <summary>Every kernel of this class, the generic ones closed over (<paramref name="envType"/>, <paramref name="paramsType"/>), for PTX compile checks.</summary>
    public static IReadOnlyList<MethodInfo> All(Type envType, Type paramsType) =>
        typeof(DeviceRolloutKernels).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name.EndsWith("Kernel", StringComparison.Ordinal))
            .Select(m => m.IsGenericMethodDefinition ? m.MakeGenericMethod(envType, paramsType) : m)
            .ToList();
}
