using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RlKernels.Envs.Runner;

namespace RlKernels.Native;

/// <summary>
/// One env behind a C handle: the vector env plus pinned, library-owned output buffers whose addresses the
/// caller takes once: the env's own arrays where they are pinned (<see cref="IPinnedOutputs"/>), else copies.
/// </summary>
internal sealed unsafe class NativeSession : IDisposable
{
    private readonly float[]? _obs, _finalObs, _rewards, _returns;
    private readonly byte[]? _terminated, _truncated;
    private readonly byte[] _finalMask;
    private readonly int[]? _lengths;
    private readonly bool _zeroCopy;
    private nint _lastError;

    public NativeSession(IVectorEnv env)
    {
        Env = env;
        int n = env.EnvCount, obs = env.Spec.ObsSize;
        // The final-observation mask is ours; the other outputs are the env's own pinned arrays when it has
        // them (IPinnedOutputs: no copy per step), else pinned copies refreshed after each call.
        _finalMask = GC.AllocateArray<byte>(n, pinned: true);
        _zeroCopy = env is IPinnedOutputs;
        if (!_zeroCopy)
        {
            _obs = GC.AllocateArray<float>(n * obs, pinned: true);
            _finalObs = GC.AllocateArray<float>(n * obs, pinned: true);
            _rewards = GC.AllocateArray<float>(n, pinned: true);
            _returns = GC.AllocateArray<float>(n, pinned: true);
            _terminated = GC.AllocateArray<byte>(n, pinned: true);
            _truncated = GC.AllocateArray<byte>(n, pinned: true);
            _lengths = GC.AllocateArray<int>(n, pinned: true);
        }
        CopyOutputs();
    }

    /// <summary>The vector env this handle drives.</summary>
    public IVectorEnv Env { get; }

    /// <summary>Fills <paramref name="b"/> with the pinned buffers' addresses.</summary>
    public void GetBuffers(NativeBuffers* b)
    {
        b->FinalMask = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(_finalMask, 0);
        if (_zeroCopy)
        {
            // Pinned for the env's life (IPinnedOutputs), so the addresses stay valid after the spans go.
            b->Observations = Address(Env.Observations);
            b->FinalObservations = Address(Env.FinalObservations);
            b->Rewards = Address(Env.Rewards);
            b->Terminated = (byte*)Address(MemoryMarshal.AsBytes(Env.Terminated));
            b->Truncated = (byte*)Address(MemoryMarshal.AsBytes(Env.Truncated));
            b->EpisodeReturns = Address(Env.EpisodeReturns);
            b->EpisodeLengths = Address(Env.EpisodeLengths);
            return;
        }
        b->Observations = (float*)Marshal.UnsafeAddrOfPinnedArrayElement(_obs!, 0);
        b->FinalObservations = (float*)Marshal.UnsafeAddrOfPinnedArrayElement(_finalObs!, 0);
        b->Rewards = (float*)Marshal.UnsafeAddrOfPinnedArrayElement(_rewards!, 0);
        b->Terminated = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(_terminated!, 0);
        b->Truncated = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(_truncated!, 0);
        b->EpisodeReturns = (float*)Marshal.UnsafeAddrOfPinnedArrayElement(_returns!, 0);
        b->EpisodeLengths = (int*)Marshal.UnsafeAddrOfPinnedArrayElement(_lengths!, 0);
    }

    private static T* Address<T>(ReadOnlySpan<T> span) where T : unmanaged =>
        (T*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span));

    /// <summary>After each call: the final-observation mask, and the outputs where they are copies.</summary>
    public void CopyOutputs()
    {
        ReadOnlySpan<byte> terminated = MemoryMarshal.AsBytes(Env.Terminated), truncated = MemoryMarshal.AsBytes(Env.Truncated);
        // The mode is fixed at creation: outside same-step the mask stays as allocated, all zero.
        if (Env.AutoReset == AutoResetMode.SameStep)
            TensorPrimitives.BitwiseOr(terminated, truncated, _finalMask);
        if (_zeroCopy) return;
        Env.Observations.CopyTo(_obs);
        Env.Rewards.CopyTo(_rewards);
        terminated.CopyTo(_terminated);
        truncated.CopyTo(_truncated);
        Env.EpisodeReturns.CopyTo(_returns);
        Env.EpisodeLengths.CopyTo(_lengths);
        // Final observations only change when an episode ended in same-step mode.
        if (_finalMask.AsSpan().IndexOfAnyExcept((byte)0) >= 0)
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
