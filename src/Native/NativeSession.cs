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
    private readonly byte[] _finalMask;
    private readonly VectorEnvOutputs? _copy; // null when the env's own outputs are pinned
    private nint _lastError;

    public NativeSession(IVectorEnv env)
    {
        Env = env;
        int n = env.EnvCount, obs = env.Spec.ObsSize;
        // The final-observation mask is ours; the other outputs are the env's own pinned arrays when it has
        // them (IPinnedOutputs: no copy per step), else pinned copies refreshed after each call.
        _finalMask = GC.AllocateArray<byte>(n, pinned: true);
        if (env is not IPinnedOutputs) _copy = new VectorEnvOutputs(n, obs, pinned: true);
        CopyOutputs();
    }

    /// <summary>The vector env this handle drives.</summary>
    public IVectorEnv Env { get; }

    /// <summary>Fills <paramref name="b"/> with the pinned buffers' addresses.</summary>
    public void GetBuffers(NativeBuffers* b)
    {
        b->FinalMask = Address<byte>(_finalMask);
        // The env's own outputs are pinned for its life (IPinnedOutputs), so their addresses stay valid after the spans go.
        VectorEnvOutputs? c = _copy;
        b->Observations = Address(c is null ? Env.Observations : c.Obs);
        b->FinalObservations = Address(c is null ? Env.FinalObservations : c.FinalObs);
        b->Rewards = Address(c is null ? Env.Rewards : c.Rewards);
        b->Terminated = (byte*)Address(c is null ? Env.Terminated : c.Terminated);
        b->Truncated = (byte*)Address(c is null ? Env.Truncated : c.Truncated);
        b->EpisodeReturns = Address(c is null ? Env.EpisodeReturns : c.CompletedReturn);
        b->EpisodeLengths = Address(c is null ? Env.EpisodeLengths : c.CompletedLength);
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
        // Final observations only change when an episode ended in same-step mode.
        _copy?.CopyFrom(Env, 0, finalObservations: _finalMask.AsSpan().IndexOfAnyExcept((byte)0) >= 0);
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
