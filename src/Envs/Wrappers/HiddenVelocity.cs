using System.Numerics;
using System.Runtime.CompilerServices;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;

namespace RlKernels.Envs.Wrappers;

// Partially observed variant of an env: the same dynamics, an observation with some features removed
// (for the classic-control envs, the velocities: the lecture's point that the agent sees observations,
// not state). The state is the inner env's state, unchanged; only Observe differs.

/// <summary>Parameters of <see cref="HiddenVelocity{TInner, T, TParams}"/>: the inner env's and which features stay.</summary>
/// <param name="inner">The inner env's constants.</param>
/// <param name="keepMask">Bit k set: feature k is kept.</param>
public readonly struct HiddenVelocityParams<TParams>(TParams inner, uint keepMask) where TParams : struct
{
    /// <summary>The inner env's constants.</summary>
    public readonly TParams Inner = inner;
    /// <summary>Bit k set: inner observation feature k is kept. Kept features keep their order.</summary>
    public readonly uint KeepMask = keepMask;
}

/// <summary>
/// An env whose observation is the inner env's observation restricted to the features in
/// <see cref="HiddenVelocityParams{TParams}.KeepMask"/>. Runs wherever the inner env runs (every lane,
/// the GPU kernels): the filter is a writer adapter around the runner's observation writer.
/// </summary>
public struct HiddenVelocity<TInner, T, TParams> : IEnv<HiddenVelocity<TInner, T, TParams>, T, HiddenVelocityParams<TParams>>, IEnvSpec<HiddenVelocityParams<TParams>>
    where TInner : struct, IEnv<TInner, T, TParams>, IEnvSpec<TParams>
    where T : struct, ILane<T>
    where TParams : struct
{
    /// <summary>The inner env's state; the wrapper adds none.</summary>
    public TInner Inner;

    /// <summary>The inner spec with the observation restricted to the kept features (same id, state and time limit).</summary>
    public static EnvSpec Spec(in HiddenVelocityParams<TParams> p)
    {
        EnvSpec inner = TInner.Spec(p.Inner);
        uint valid = inner.ObsSize >= 32 ? uint.MaxValue : (1u << inner.ObsSize) - 1;
        uint keep = p.KeepMask & valid;
        if (keep == 0 || keep != p.KeepMask)
            throw new ArgumentException($"{inner.Id}: keep mask 0x{p.KeepMask:x} must select at least one of its {inner.ObsSize} observation features and no others.");
        int size = BitOperations.PopCount(keep);
        var low = new float[size];
        var high = new float[size];
        for (int k = 0, r = 0; k < inner.ObsSize; k++)
        {
            if (((keep >> k) & 1u) == 0) continue;
            low[r] = inner.ObsLow[k];
            high[r] = inner.ObsHigh[k];
            r++;
        }
        return inner with { ObsSize = size, ObsLow = low, ObsHigh = high };
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reset(out HiddenVelocity<TInner, T, TParams> s, in HiddenVelocityParams<TParams> p, ref LaneRng<T> rng) =>
        TInner.Reset(out s.Inner, p.Inner, ref rng);

    /// <inheritdoc/>
    /// <remarks>The inner env's: the wrapper does not change rewards.</remarks>
    public static bool ConstantReward(in HiddenVelocityParams<TParams> p, out double reward) => TInner.ConstantReward(p.Inner, out reward);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Step(ref HiddenVelocity<TInner, T, TParams> s, in HiddenVelocityParams<TParams> p, T action, ref LaneRng<T> rng,
        out T reward, out T terminated) =>
        TInner.Step(ref s.Inner, p.Inner, action, ref rng, out reward, out terminated);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Observe<TWriter>(in HiddenVelocity<TInner, T, TParams> s, in HiddenVelocityParams<TParams> p, ref TWriter obs)
        where TWriter : struct, ILaneWriter<T>
    {
        var kept = new KeptFeatureWriter<T, TWriter>(obs, p.KeepMask);
        TInner.Observe(s.Inner, p.Inner, ref kept);
        obs = kept.Inner;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load<TReader>(ref TReader src, out HiddenVelocity<TInner, T, TParams> s) where TReader : struct, ILaneReader<T> =>
        TInner.Load(ref src, out s.Inner);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TWriter>(in HiddenVelocity<TInner, T, TParams> s, ref TWriter dst) where TWriter : struct, ILaneWriter<T> =>
        TInner.Store(s.Inner, ref dst);
}
