using System.Runtime.CompilerServices;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Runner;

/// <summary>
/// <see cref="IEnvLaneIO{T}"/> for one GPU thread (env <c>env</c>) over <see cref="GpuEnvViews"/>.
/// Everything here compiles with ILGPU: a plain struct, no spans, exceptions or delegates.
/// </summary>
public readonly struct GpuLaneIO : IEnvLaneIO<F1>
{
    private readonly GpuEnvViews _v;
    private readonly int _env;

    /// <summary>The IO of env <paramref name="env"/> (one GPU thread) over <paramref name="views"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public GpuLaneIO(GpuEnvViews views, int env)
    {
        _v = views;
        _env = env;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly F1 Read(int index) => new(_v.State[index * _v.EnvCount + _env]);

    /// <inheritdoc/>
    public readonly bool Observed
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] get => true;
    }

    // One thread is one env, so a masked write is simply a skipped write.
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteState(int field, F1 value) => _v.State[field * _v.EnvCount + _env] = value.V;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteStateMasked(int field, F1 value, F1 mask)
    {
        if (mask.V != 0f) _v.State[field * _v.EnvCount + _env] = value.V;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteObservation(int feature, F1 value) => _v.Obs[_env * _v.ObsSize + feature] = value.V;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteObservationMasked(int feature, F1 value, F1 mask)
    {
        if (mask.V != 0f) _v.Obs[_env * _v.ObsSize + feature] = value.V;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteFinalObservation(int feature, F1 value, F1 mask)
    {
        if (mask.V != 0f) _v.FinalObs[_env * _v.ObsSize + feature] = value.V;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly F1 EnvIndex() => F1.BitsSplat((uint)_env);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly F1 ReadAction() => new(_v.Actions[_env]);

    /// <inheritdoc/>
    /// <remarks>Counter bits travel as float loads and stores only: no arithmetic that could touch the bits.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly F1 ReadRngCounter() => new(_v.Book[GpuEnvViews.BookRngCounter * _v.EnvCount + _env]);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void ReadBook(out EnvBook<F1> book, bool withPending, bool withReturn)
    {
        book.RngCounter = ReadRngCounter();
        book.EpisodeReturn = withReturn ? new(_v.Book[GpuEnvViews.BookEpisodeReturn * _v.EnvCount + _env]) : F1.Splat(0);
        book.EpisodeLength = new(_v.Book[GpuEnvViews.BookEpisodeLength * _v.EnvCount + _env]);
        book.Pending = withPending ? new(_v.Book[GpuEnvViews.BookPending * _v.EnvCount + _env]) : F1.FalseMask;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteBook(in EnvBook<F1> book, bool withCounter, bool withPending, bool withReturn)
    {
        if (withCounter) _v.Book[GpuEnvViews.BookRngCounter * _v.EnvCount + _env] = book.RngCounter.V;
        if (withReturn) _v.Book[GpuEnvViews.BookEpisodeReturn * _v.EnvCount + _env] = book.EpisodeReturn.V;
        _v.Book[GpuEnvViews.BookEpisodeLength * _v.EnvCount + _env] = book.EpisodeLength.V;
        if (withPending) _v.Book[GpuEnvViews.BookPending * _v.EnvCount + _env] = book.Pending.V;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteStep(F1 reward, F1 terminated, F1 truncated)
    {
        _v.Rewards[_env] = reward.V;
        _v.Terminated[_env] = terminated.V != 0f ? (byte)1 : (byte)0;
        _v.Truncated[_env] = truncated.V != 0f ? (byte)1 : (byte)0;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteEpisode(F1 ended, F1 episodeReturn, F1 episodeLength)
    {
        if (ended.V == 0f) return;
        _v.CompletedReturn[_env] = episodeReturn.V;
        _v.CompletedLength[_env] = (int)episodeLength.V;
    }
}
