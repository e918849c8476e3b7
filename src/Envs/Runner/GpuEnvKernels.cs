using System.Reflection;
using ILGPU;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Runner;

/// <summary>
/// The GPU runner's kernels: one thread per env; each indexes its env and calls the shared step logic
/// (<see cref="EnvLaneStep{TEnv, T, TParams, TIO}"/>) with T = <see cref="F1"/> through a <see cref="GpuLaneIO"/>.
/// </summary>
/// <remarks>
/// They live in the Envs layer because they instantiate the env contract; the context, accelerator and
/// PTX plumbing are in <c>RlKernels.Kernels.Gpu</c>. Launch with an extent of exactly envCount.
/// </remarks>
public static class GpuEnvKernels
{
    /// <summary>
    /// <paramref name="stepCount"/> steps of env <paramref name="index"/> in one launch: envs are
    /// independent, so looping inside the kernel equals stepping the batch k times, without k launches.
    /// </summary>
    public static void StepKernel<TEnv, TParams>(Index1D index, GpuEnvViews views, TParams p, GpuStepArgs args, int stepCount)
        where TEnv : struct, IEnv<TEnv, F1, TParams>
        where TParams : struct
    {
        var io = new GpuLaneIO(views, index.X);
        StepSettings st = args.ToSettings();
        F1 envIndex = io.EnvIndex();
        F1 w0 = default, w1 = default, w2 = default, w3 = default;
        for (int k = 0; k < stepCount; k++)
        {
            uint step = args.ActionStep + (uint)k;
            F1 action;
            if (args.RandomActions != 0)
            {
                // One Philox block serves several consecutive steps, as on the CPU.
                if (k == 0 || RandomActions.StartsBlock(step, st))
                    RandomActions.Block(envIndex, step, st, out w0, out w1, out w2, out w3);
                action = RandomActions.FromBlock(step, w0, w1, w2, w3, st);
            }
            else
            {
                action = io.ReadAction();
            }
            EnvLaneStep<TEnv, F1, TParams, GpuLaneIO>.Step(ref io, p, st, action);
        }
    }

    /// <summary>Starts a new episode in env <paramref name="index"/>.</summary>
    public static void ResetKernel<TEnv, TParams>(Index1D index, GpuEnvViews views, TParams p, GpuStepArgs args)
        where TEnv : struct, IEnv<TEnv, F1, TParams>
        where TParams : struct
    {
        var io = new GpuLaneIO(views, index.X);
        StepSettings st = args.ToSettings();
        EnvLaneStep<TEnv, F1, TParams, GpuLaneIO>.Reset(ref io, p, st, F1.TrueMask);
    }

    /// <summary>Starts a new episode in env <paramref name="index"/> where <see cref="GpuEnvViews.ResetMask"/> is set.</summary>
    public static void ResetMaskedKernel<TEnv, TParams>(Index1D index, GpuEnvViews views, TParams p, GpuStepArgs args)
        where TEnv : struct, IEnv<TEnv, F1, TParams>
        where TParams : struct
    {
        if (views.ResetMask[index.X] == 0) return;
        var io = new GpuLaneIO(views, index.X);
        StepSettings st = args.ToSettings();
        EnvLaneStep<TEnv, F1, TParams, GpuLaneIO>.Reset(ref io, p, st, F1.TrueMask);
    }

    /// <summary>
    /// Every kernel of this class instantiated for one env (for PTX compile checks): each public static
    /// method named *Kernel, closed over (<paramref name="envType"/>, <paramref name="paramsType"/>).
    /// </summary>
    public static IReadOnlyList<MethodInfo> All(Type envType, Type paramsType) =>
        typeof(GpuEnvKernels).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name.EndsWith("Kernel", StringComparison.Ordinal) && m.IsGenericMethodDefinition)
            .Select(m => m.MakeGenericMethod(envType, paramsType))
            .ToList();
}
