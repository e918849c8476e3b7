using System.Runtime.CompilerServices;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Runner;

/// <summary>
/// <see cref="IEnvLaneIO{T}"/> for one GPU thread (env <c>env</c>) over <see cref="GpuEnvViews"/>.
/// Everything here compiles with ILGPU: a plain struct, no spans, exceptions or delegates.
/// </summary>
public struct GpuLaneIO : IEnvLaneIO<F1>
{
    private readonly GpuEnvViews _v;
    private readonly int _env;
    private WriteTarget _target;
    private F1 _mask;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public GpuLaneIO(GpuEnvViews views, int env)
    {
        _v = views;
        _env = env;
        _target = WriteTarget.State;
        _mask = F1.FalseMask;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly F1 Read(int index) => new(_v.State[index * _v.EnvCount + _env]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetTarget(WriteTarget target, F1 mask)
    {
        _target = target;
        _mask = mask;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Write(int index, F1 value)
    {
        // One thread is one env, so a masked write is simply a skipped write.
        bool masked = _target is WriteTarget.StateMasked or WriteTarget.ObservationMasked or WriteTarget.FinalObservation;
        if (masked && _mask.V == 0f) return;
        if (_target is WriteTarget.State or WriteTarget.StateMasked)
            _v.State[index * _v.EnvCount + _env] = value.V;
        else if (_target == WriteTarget.FinalObservation)
            _v.FinalObs[_env * _v.ObsSize + index] = value.V;
        else
            _v.Obs[_env * _v.ObsSize + index] = value.V;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly F1 EnvIndex() => F1.BitsSplat((uint)_env);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly F1 ReadAction() => new(_v.Actions[_env]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void ReadBook(out EnvBook<F1> book)
    {
        // Counter bits travel as float loads and stores only: no arithmetic that could touch the bits.
        book.RngCounter = new(_v.Book[GpuEnvViews.BookRngCounter * _v.EnvCount + _env]);
        book.EpisodeReturn = new(_v.Book[GpuEnvViews.BookEpisodeReturn * _v.EnvCount + _env]);
        book.EpisodeLength = new(_v.Book[GpuEnvViews.BookEpisodeLength * _v.EnvCount + _env]);
        book.Pending = new(_v.Book[GpuEnvViews.BookPending * _v.EnvCount + _env]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteBook(in EnvBook<F1> book)
    {
        _v.Book[GpuEnvViews.BookRngCounter * _v.EnvCount + _env] = book.RngCounter.V;
        _v.Book[GpuEnvViews.BookEpisodeReturn * _v.EnvCount + _env] = book.EpisodeReturn.V;
        _v.Book[GpuEnvViews.BookEpisodeLength * _v.EnvCount + _env] = book.EpisodeLength.V;
        _v.Book[GpuEnvViews.BookPending * _v.EnvCount + _env] = book.Pending.V;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteStep(F1 reward, F1 terminated, F1 truncated)
    {
        _v.Rewards[_env] = reward.V;
        _v.Terminated[_env] = terminated.V != 0f ? (byte)1 : (byte)0;
        _v.Truncated[_env] = truncated.V != 0f ? (byte)1 : (byte)0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteEpisode(F1 ended, F1 episodeReturn, F1 episodeLength)
    {
        if (ended.V == 0f) return;
        _v.CompletedReturn[_env] = episodeReturn.V;
        _v.CompletedLength[_env] = (int)episodeLength.V;
    }
}
