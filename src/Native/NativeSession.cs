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
    // Caller-owned outputs (rlk_set_buffers), filled after each call; null when the caller reads ours.
    private NativeBuffers? _callerBuffers;

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
        if (_callerBuffers is { } to) CopyToCaller(to);
    }

    /// <summary>Outputs go to <paramref name="buffers"/> too after every later call (null: only to ours); filled now.</summary>
    public void SetCallerBuffers(NativeBuffers? buffers)
    {
        _callerBuffers = buffers;
        if (buffers is { } to) CopyToCaller(to);
    }

    /// <summary>Copies every output the caller gave a pointer for (a NULL pointer: that output is not wanted).</summary>
    private void CopyToCaller(NativeBuffers to)
    {
        NativeBuffers from;
        GetBuffers(&from);
        int n = Env.EnvCount, rows = n * Env.Spec.ObsSize;
        Copy(from.Observations, to.Observations, rows);
        Copy(from.FinalObservations, to.FinalObservations, rows);
        Copy(from.FinalMask, to.FinalMask, n);
        Copy(from.Rewards, to.Rewards, n);
        Copy(from.Terminated, to.Terminated, n);
        Copy(from.Truncated, to.Truncated, n);
        Copy(from.EpisodeReturns, to.EpisodeReturns, n);
        Copy(from.EpisodeLengths, to.EpisodeLengths, n);
    }

    private static void Copy<T>(T* from, T* to, int count) where T : unmanaged
    {
        if (to != null) new ReadOnlySpan<T>(from, count).CopyTo(new Span<T>(to, count));
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
