using System.Reflection;
using ILGPU;
using RlKernels.Envs;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Gpu;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Algorithms.Device;

/// <summary>What <see cref="DeviceEvaluationKernels.EvaluateKernel{TEnv, TParams}"/> takes besides the env and the policy's views.</summary>
public struct DeviceEvaluationArgs
{
    /// <summary>Envs per member N (episodes per member).</summary>
    public int EnvsPerMember;
    /// <summary>Features per observation.</summary>
    public int ObsSize;
    /// <summary>Discrete actions (logits per row).</summary>
    public int ActionCount;
    /// <summary>Layers of the policy.</summary>
    public int PolicyLayers;
    /// <summary>Steps at most: the env's time limit, which ends every episode by then.</summary>
    public int MaxSteps;
}

/// <summary>
/// Greedy evaluation on the device: one thread per env runs its first episode to the end under the policy's
/// greedy action (the first largest logit, as the CPU's <c>PolicyNet.Act</c>), stepping with the shared
/// <see cref="EnvLaneStep{TEnv, T, TParams, TIO}"/> and the policy with <see cref="MlpFusedForwardKernel.ForwardRow"/>,
/// and writes that episode's return. Each env's episode depends only on its own seed and the policy, so a thread
/// that stops at its episode's end changes no other env's episode.
/// </summary>
/// <remarks>Launch with an extent of exactly P·N (the runner's env count); env e is member e / N.</remarks>
public static class DeviceEvaluationKernels
{
    /// <summary>Env <paramref name="index"/>'s first episode under the greedy policy; its return to returns[index].</summary>
    public static void EvaluateKernel<TEnv, TParams>(Index1D index, GpuEnvViews env, TParams p, GpuStepArgs stepArgs,
        ArrayView<float> policyParameters, ArrayView<int> policyMeta, DeviceEvaluationArgs a,
        ArrayView<float> returns) // [P·N]
        where TEnv : struct, IEnv<TEnv, F1, TParams>
        where TParams : struct
    {
        int e = index.X, o = a.ObsSize;
        int member = e / a.EnvsPerMember;
        var io = new GpuLaneIO(env, e);
        StepSettings st = stepArgs.ToSettings();
        var buffer = LocalMemory.Allocate<float>(2 * MlpFusedForwardKernel.MaxWidth);
        float episodeReturn = float.NaN;
        for (int t = 0; t < a.MaxSteps; t++)
        {
            for (int f = 0; f < o; f++) buffer[f] = env.Obs[(long)e * o + f];
            int logits = MlpFusedForwardKernel.ForwardRow(policyParameters, policyMeta, a.PolicyLayers, member, buffer);
            int action = 0;
            for (int c = 1; c < a.ActionCount; c++)
                if (buffer[logits + c] > buffer[logits + action]) action = c;
            env.Actions[e] = action;
            EnvLaneStep<TEnv, F1, TParams, GpuLaneIO>.Step(ref io, p, st, new F1(action));
            if (env.Terminated[e] != 0 || env.Truncated[e] != 0)
            {
                episodeReturn = env.CompletedReturn[e];
                break;
            }
        }
        returns[e] = episodeReturn;
    }

    /// <summary>Every kernel of this class, closed over (<paramref name="envType"/>, <paramref name="paramsType"/>), for PTX compile checks.</summary>
    public static IReadOnlyList<MethodInfo> All(Type envType, Type paramsType) =>
        typeof(DeviceEvaluationKernels).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name.EndsWith("Kernel", StringComparison.Ordinal))
            .Select(m => m.IsGenericMethodDefinition ? m.MakeGenericMethod(envType, paramsType) : m)
            .ToList();
}
