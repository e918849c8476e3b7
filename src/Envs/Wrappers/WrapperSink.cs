using RlKernels.Envs.Registry;
using RlKernels.Envs.Tabular;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Wrappers;

/// <summary>
/// Puts the requested wrappers around an env type, then passes the wrapped type on to
/// <typeparamref name="TNext"/> (which builds a runner, reads a spec, …). Written once for every lane
/// and backend: the wrapped env is just another env type.
/// </summary>
public readonly struct WrapperSink<TNext, TResult>(EnvWrapperOptions wrappers, TNext next) : IEnvSink<TResult>
    where TNext : IEnvSink<TResult>
{
    /// <inheritdoc/>
    public TResult Use<TEnv, T, TParams>(TParams p)
        where TEnv : struct, IEnv<TEnv, T, TParams>, IEnvSpec<TParams>
        where T : struct, ILane<T>
        where TParams : struct
    {
        if (wrappers.KeepMask == 0) return Stack<TEnv, T, TParams>(p);
        return Stack<HiddenVelocity<TEnv, T, TParams>, T, HiddenVelocityParams<TParams>>(new HiddenVelocityParams<TParams>(p, wrappers.KeepMask));
    }

    private TResult Stack<TEnv, T, TParams>(TParams p)
        where TEnv : struct, IEnv<TEnv, T, TParams>, IEnvSpec<TParams>
        where T : struct, ILane<T>
        where TParams : struct
    {
        if (wrappers.FrameStack == 0) return next.Use<TEnv, T, TParams>(p);
        var sp = new FrameStackParams<TParams>(p, wrappers.FrameStack, TEnv.Spec(p).ObsSize, wrappers.FrameStackActions, wrappers.ResetPadding);
        // The smallest history that fits: the runner stores every slot of it as a state column.
        return sp.ObsSize switch
        {
            <= 8 => next.Use<FrameStack<TEnv, T, TParams, FrameSlots8<T>>, T, FrameStackParams<TParams>>(sp),
            <= 16 => next.Use<FrameStack<TEnv, T, TParams, FrameSlots16<T>>, T, FrameStackParams<TParams>>(sp),
            <= 24 => next.Use<FrameStack<TEnv, T, TParams, FrameSlots24<T>>, T, FrameStackParams<TParams>>(sp),
            <= 32 => next.Use<FrameStack<TEnv, T, TParams, FrameSlots32<T>>, T, FrameStackParams<TParams>>(sp),
            <= 40 => next.Use<FrameStack<TEnv, T, TParams, FrameSlots40<T>>, T, FrameStackParams<TParams>>(sp),
            <= 48 => next.Use<FrameStack<TEnv, T, TParams, FrameSlots48<T>>, T, FrameStackParams<TParams>>(sp),
            <= 56 => next.Use<FrameStack<TEnv, T, TParams, FrameSlots56<T>>, T, FrameStackParams<TParams>>(sp),
            _ => next.Use<FrameStack<TEnv, T, TParams, FrameSlots64<T>>, T, FrameStackParams<TParams>>(sp),
        };
    }

    /// <summary>An explicit model runs as it is: the observation wrappers apply to lane envs only.</summary>
    public TResult UseTabular<T>(TabularMdp model, EnvSpec spec) where T : struct, ILane<T>
    {
        if (!wrappers.IsEmpty)
            throw new ArgumentException($"{spec.Id} runs its tabular model: hide_velocity and frame_stack apply to lane envs only.");
        return next.UseTabular<T>(model, spec);
    }
}
