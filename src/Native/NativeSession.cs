using System.Runtime.InteropServices;
using RlKernels.Envs.Runner;

namespace RlKernels.Native;

/// <summary>
/// One env behind a C handle: the vector env plus pinned, library-owned output buffers whose addresses the
/// caller takes once. The env's own spans may move with the GC, so each call copies its outputs here.
/// </summary>
internal sealed unsafe class NativeSession : IDisposable
{
    private readonly float[] _obs, _finalObs, _rewards, _returns;
    private readonly byte[] _finalMask, _terminated, _truncated;
    private readonly int[] _lengths;
    private nint _lastError;

    public NativeSession(IVectorEnv env)
    {
        Env = env;
        int n = env.EnvCount, obs = env.Spec.ObsSize;
        // Pinned for the session's life: the C caller keeps raw pointers to them.
        _obs = GC.AllocateArray<float>(n * obs, pinned: true);
        _finalObs = GC.AllocateArray<float>(n * obs, pinned: true);
        _rewards = GC.AllocateArray<float>(n, pinned: true);
        _returns = GC.AllocateArray<float>(n, pinned: true);
        _finalMask = GC.AllocateArray<byte>(n, pinned: true);
        _terminated = GC.AllocateArray<byte>(n, pinned: true);
        _truncated = GC.AllocateArray<byte>(n, pinned: true);
        _lengths = GC.AllocateArray<int>(n, pinned: true);
        CopyOutputs();
    }

    /// <summary>The vector env this handle drives.</summary>
    public IVectorEnv Env { get; }

    /// <summary>Fills <paramref name="b"/> with the pinned buffers' addresses.</summary>
    public void GetBuffers(NativeBuffers* b)
    {
        b->Observations = (float*)Marshal.UnsafeAddrOfPinnedArrayElement(_obs, 0);
        b->FinalObservations = (float*)Marshal.UnsafeAddrOfPinnedArrayElement(_finalObs, 0);
        b->FinalMask = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(_finalMask, 0);
        b->Rewards = (float*)Marshal.UnsafeAddrOfPinnedArrayElement(_rewards, 0);
        b->Terminated = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(_terminated, 0);
        b->Truncated = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(_truncated, 0);
        b->EpisodeReturns = (float*)Marshal.UnsafeAddrOfPinnedArrayElement(_returns, 0);
        b->EpisodeLengths = (int*)Marshal.UnsafeAddrOfPinnedArrayElement(_lengths, 0);
    }

    /// <summary>Copies the env's outputs of the last call into the pinned buffers.</summary>
    public void CopyOutputs()
    {
        Env.Observations.CopyTo(_obs);
        Env.Rewards.CopyTo(_rewards);
        MemoryMarshal.AsBytes(Env.Terminated).CopyTo(_terminated);
        MemoryMarshal.AsBytes(Env.Truncated).CopyTo(_truncated);
        Env.EpisodeReturns.CopyTo(_returns);
        Env.EpisodeLengths.CopyTo(_lengths);
        bool sameStep = Env.AutoReset == AutoResetMode.SameStep;
        bool anyEnded = false;
        for (int i = 0; i < _finalMask.Length; i++)
        {
            byte ended = sameStep ? (byte)(_terminated[i] | _truncated[i]) : (byte)0;
            _finalMask[i] = ended;
            anyEnded |= ended != 0;
        }
        // Final observations only change when an episode ended in same-step mode.
        if (anyEnded)
            Env.FinalObservations.CopyTo(_finalObs);
    }

    /// <summary>The last error message as a NUL-terminated UTF-8 string owned by the session.</summary>
    public nint LastError => _lastError;

    /// <summary>Replaces the last error message (null clears it).</summary>
    public void SetError(string? message) => NativeErrors.Replace(ref _lastError, message);

    /// <summary>Disposes the env and frees the error string; the pinned arrays go with the GC.</summary>
    public void Dispose()
    {
        Env.Dispose();
        NativeErrors.Replace(ref _lastError, null);
    }
}
