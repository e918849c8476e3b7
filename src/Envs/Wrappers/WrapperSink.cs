using RlKernels.Envs.Registry;
using RlKernels.Envs.Tabular;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Wrappers;

/// <summary>
/// Puts the requested wrappers around an env type, then passes the wrapped type on to
/// <typeparamref name="TNext"/> (which builds a runner, reads a spec, …). Written once for every lane
/// and backend: the wrapped env is just another env type.
/// </summary>
public readonly struct WrapperSink<T, TNext, TResult>(EnvWrapperOptions wrappers, TNext next) : IEnvSink<T, TResult>
    where T : struct, ILane<T>
    where TNext : IEnvSink<T, TResult>
{
    /// <inheritdoc/>
    public TResult Use<TEnv, TParams>(TParams p)
        where TEnv : struct, IEnv<TEnv, T, TParams>, IEnvSpec<TParams>
        where TParams : struct
    {
        if (wrappers.KeepMask == 0) return Stack<TEnv, TParams>(p);
        return Stack<HiddenVelocity<TEnv, T, TParams>, HiddenVelocityParams<TParams>>(new HiddenVelocityParams<TParams>(p, wrappers.KeepMask));
    }

    private TResult Stack<TEnv, TParams>(TParams p)
        where TEnv : struct, IEnv<TEnv, T, TParams>, IEnvSpec<TParams>
        where TParams : struct
    {
        if (wrappers.FrameStack == 0) return next.Use<TEnv, TParams>(p);
        var sp = new FrameStackParams<TParams>(p, wrappers.FrameStack, TEnv.Spec(p).ObsSize, wrappers.FrameStackActions, wrappers.ResetPadding);
        // SIMD lanes (CPU only) index their history; one-element lanes, which the GPU kernels use, name its slots as fields.
        return T.Count > 1 ? FitIndexed<TEnv, TParams>(sp) : Fit<TEnv, TParams, FrameSlots8<T>>(sp);
    }

    /// <summary>The smallest <see cref="IndexedFrameHistory{TBuffer, T}"/> that holds the stack: every slot of it is a state
    /// column that an observed step loads, so capacities grow by 4 (CartPole's k = 4 stack and first observation, 20
    /// slots, in a 24-slot history ran one-step calls at 0.89 of the rate of a 16-slot stack without the first
    /// observation; in 20 slots at 0.95–0.99).</summary>
    private TResult FitIndexed<TEnv, TParams>(FrameStackParams<TParams> sp)
        where TEnv : struct, IEnv<TEnv, T, TParams>, IEnvSpec<TParams>
        where TParams : struct => sp.HistorySlots switch
        {
            <= 4 => Indexed<TEnv, TParams, LaneBuffer4<T>>(sp),
            <= 8 => Indexed<TEnv, TParams, LaneBuffer8<T>>(sp),
            <= 12 => Indexed<TEnv, TParams, LaneBuffer12<T>>(sp),
            <= 16 => Indexed<TEnv, TParams, LaneBuffer16<T>>(sp),
            <= 20 => Indexed<TEnv, TParams, LaneBuffer20<T>>(sp),
            <= 24 => Indexed<TEnv, TParams, LaneBuffer24<T>>(sp),
            <= 28 => Indexed<TEnv, TParams, LaneBuffer28<T>>(sp),
            <= 32 => Indexed<TEnv, TParams, LaneBuffer32<T>>(sp),
            <= 36 => Indexed<TEnv, TParams, LaneBuffer36<T>>(sp),
            <= 40 => Indexed<TEnv, TParams, LaneBuffer40<T>>(sp),
            <= 44 => Indexed<TEnv, TParams, LaneBuffer44<T>>(sp),
            <= 48 => Indexed<TEnv, TParams, LaneBuffer48<T>>(sp),
            <= 52 => Indexed<TEnv, TParams, LaneBuffer52<T>>(sp),
            <= 56 => Indexed<TEnv, TParams, LaneBuffer56<T>>(sp),
            <= 60 => Indexed<TEnv, TParams, LaneBuffer60<T>>(sp),
            <= 64 => Indexed<TEnv, TParams, LaneBuffer64<T>>(sp),
            <= 68 => Indexed<TEnv, TParams, LaneBuffer68<T>>(sp),
            _ => Indexed<TEnv, TParams, LaneBuffer72<T>>(sp),
        };

    private TResult Indexed<TEnv, TParams, TBuffer>(FrameStackParams<TParams> sp)
        where TEnv : struct, IEnv<TEnv, T, TParams>, IEnvSpec<TParams>
        where TParams : struct
        where TBuffer : struct =>
        next.Use<FrameStack<TEnv, T, TParams, IndexedFrameHistory<TBuffer, T>>, FrameStackParams<TParams>>(sp);

    /// <summary>
    /// The smallest history that fits (the runner stores every slot of it as a state column): eight slots,
    /// grown by eight (<see cref="FrameSlotSum{TLow, THigh, T}"/>) until the stack fits. The options cap a
    /// stack at <see cref="EnvWrapperOptions.MaxStackSlots"/>, so the types are instantiated at most that far.
    /// </summary>
    private TResult Fit<TEnv, TParams, THistory>(FrameStackParams<TParams> sp)
        where TEnv : struct, IEnv<TEnv, T, TParams>, IEnvSpec<TParams>
        where TParams : struct
        where THistory : struct, IFrameHistory<THistory, T> =>
        sp.HistorySlots <= THistory.Capacity || THistory.Capacity >= EnvWrapperOptions.MaxStackSlots
            ? next.Use<FrameStack<TEnv, T, TParams, THistory>, FrameStackParams<TParams>>(sp)
            : Fit<TEnv, TParams, FrameSlotSum<THistory, FrameSlots8<T>, T>>(sp);

    /// <summary>An explicit model runs as it is: the observation wrappers apply to lane envs only.</summary>
    public TResult UseTabular(TabularMdp model, EnvSpec spec)
    {
        if (!wrappers.IsEmpty)
            throw new ArgumentException($"{spec.Id} runs its tabular model: hide_velocity and frame_stack apply to lane envs only.");
        return next.UseTabular(model, spec);
    }
}
