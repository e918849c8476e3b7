using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;

namespace RlKernels.Native;

/// <summary>
/// The C ABI's entry points (include/rlkernels.h), called through hostfxr by the shim librlkernels.so.
/// Every entry point catches everything: an exception never crosses into C; it becomes a status code and a
/// message for <c>rlk_last_error</c>. Handles are numbers from a table, never addresses, so a stale or forged
/// handle is an error, not a crash.
/// </summary>
public static unsafe class NativeApi
{
    /// <summary>The library version reported by <c>rlk_version</c>.</summary>
    public const string Version = "0.1.0";

    private static readonly ConcurrentDictionary<long, NativeSession> Sessions = new();
    private static long _nextHandle;
    private static readonly nint VersionUtf8 = Marshal.StringToCoTaskMemUTF8(Version);
    // Static UTF-8 copies of the ids: rlk_list_envs hands out pointers valid for the process's life.
    private static readonly Lazy<nint[]> IdsUtf8 = new(() => EnvRegistry.Ids.Select(Marshal.StringToCoTaskMemUTF8).ToArray());

    /// <summary><c>rlk_version</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rlk_version")]
    public static byte* GetVersion() => (byte*)VersionUtf8;

    /// <summary><c>rlk_list_envs</c>: writes up to <paramref name="capacity"/> id pointers; returns the count.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rlk_list_envs")]
    public static int ListEnvs(byte** ids, int capacity)
    {
        try
        {
            nint[] all = IdsUtf8.Value;
            if (ids != null)
                for (int i = 0; i < Math.Min(capacity, all.Length); i++) ids[i] = (byte*)all[i];
            return all.Length;
        }
        catch (Exception e)
        {
            NativeErrors.SetGlobal(e.Message);
            return -1;
        }
    }

    /// <summary><c>rlk_create</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rlk_create")]
    public static int Create(byte* envId, byte** envArgs, int nArgs, int numEnvs, ulong seed, byte* backend,
        byte* autoreset, byte* precision, int threads, long* outHandle)
    {
        try
        {
            if (outHandle == null) return Global(NativeStatus.InvalidArgument, "out_handle is NULL.");
            *outHandle = 0;
            string? id = Str(envId);
            if (id is null) return Global(NativeStatus.InvalidArgument, "env_id is NULL.");
            if (!EnvRegistry.TryGet(id, out _))
                return Global(NativeStatus.UnknownEnv, $"Unknown env id '{id}'. Known ids: {string.Join(", ", EnvRegistry.Ids)}.");
            if (nArgs < 0 || (nArgs > 0 && envArgs == null))
                return Global(NativeStatus.InvalidArgument, $"env_args is NULL or n_args is negative ({nArgs}).");
            var args = new List<string>();
            for (int i = 0; i < nArgs; i++)
                args.Add(Str(envArgs[i]) ?? throw new ArgumentException($"env_args[{i}] is NULL."));
            if (!NativeOptions.TryParse(Str(backend), Str(autoreset), Str(precision), threads, seed, out VectorEnvOptions? options, out string? error))
                return Global(NativeStatus.InvalidArgument, error);
            var parsed = EnvArgs.Parse(args);
            IVectorEnv env = EnvRegistry.Make(id, numEnvs, options, parsed.Values);
            env.Reset(seed);
            long handle = Interlocked.Increment(ref _nextHandle);
            Sessions[handle] = new NativeSession(env);
            *outHandle = handle;
            NativeErrors.SetGlobal(null);
            return (int)NativeStatus.Ok;
        }
        catch (ArgumentException e)
        {
            return Global(NativeStatus.InvalidArgument, OneLine(e));
        }
        catch (Exception e)
        {
            return Global(NativeStatus.Runtime, e.Message);
        }
    }

    /// <summary><c>rlk_get_spaces</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rlk_get_spaces")]
    public static int GetSpaces(long handle, NativeSpaces* output) => Run(handle, s =>
    {
        if (output == null) throw new NullReferenceException("out is NULL.");
        var spec = s.Env.Spec;
        *output = new NativeSpaces
        {
            NumEnvs = s.Env.EnvCount, ObsSize = spec.ObsSize, ActionDiscrete = spec.Action.IsDiscrete ? 1 : 0,
            ActionN = spec.Action.Count, ActionLow = spec.Action.Low, ActionHigh = spec.Action.High,
            MaxEpisodeSteps = spec.MaxEpisodeSteps,
        };
    });

    /// <summary><c>rlk_get_obs_bounds</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rlk_get_obs_bounds")]
    public static int GetObsBounds(long handle, float* low, float* high, int length) => Run(handle, s =>
    {
        var spec = s.Env.Spec;
        CheckLength(length, spec.ObsSize, "low/high");
        if (low == null || high == null) throw new NullReferenceException("low or high is NULL.");
        spec.ObsLow.CopyTo(new Span<float>(low, length));
        spec.ObsHigh.CopyTo(new Span<float>(high, length));
    });

    /// <summary><c>rlk_get_buffers</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rlk_get_buffers")]
    public static int GetBuffers(long handle, NativeBuffers* output) => Run(handle, s =>
    {
        if (output == null) throw new NullReferenceException("out is NULL.");
        s.GetBuffers(output);
    });

    /// <summary><c>rlk_set_buffers</c>: caller-owned outputs that every later reset and step also fills (NULL: stop).</summary>
    [UnmanagedCallersOnly(EntryPoint = "rlk_set_buffers")]
    public static int SetBuffers(long handle, NativeBuffers* buffers, long numEnvs, long obsSize) => Run(handle, s =>
    {
        if (buffers == null)
        {
            s.SetCallerBuffers(null);
            return;
        }
        // The caller states the sizes it allocated for; a mismatch is refused before anything changes.
        CheckLength(numEnvs, s.Env.EnvCount, "num_envs of the caller's buffers");
        CheckLength(obsSize, s.Env.Spec.ObsSize, "obs_size of the caller's buffers");
        s.SetCallerBuffers(*buffers);
    });

    /// <summary><c>rlk_reset</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rlk_reset")]
    public static int Reset(long handle, ulong seed) => Run(handle, s =>
    {
        s.Env.Reset(seed);
        s.CopyOutputs();
    });

    /// <summary><c>rlk_reset_seeds</c>: one seed per env.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rlk_reset_seeds")]
    public static int ResetSeeds(long handle, ulong* seeds, long length) => Run(handle, s =>
    {
        CheckLength(length, s.Env.EnvCount, "seeds");
        if (seeds == null) throw new NullReferenceException("seeds is NULL.");
        s.Env.Reset(new ReadOnlySpan<ulong>(seeds, (int)length));
        s.CopyOutputs();
    });

    /// <summary><c>rlk_reset_mask</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rlk_reset_mask")]
    public static int ResetMask(long handle, byte* mask, long length) => Run(handle, s =>
    {
        CheckLength(length, s.Env.EnvCount, "mask");
        if (mask == null) throw new NullReferenceException("mask is NULL.");
        s.Env.Reset(MemoryMarshal.Cast<byte, bool>(new ReadOnlySpan<byte>(NormalizedMask(mask, (int)length), (int)length)));
        s.CopyOutputs();
    });

    /// <summary><c>rlk_step_discrete</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rlk_step_discrete")]
    public static int StepDiscrete(long handle, int* actions, long length) => Run(handle, s =>
    {
        CheckLength(length, s.Env.EnvCount, "actions");
        if (actions == null) throw new NullReferenceException("actions is NULL.");
        Step(s, () => s.Env.Step(new ReadOnlySpan<int>(actions, (int)length)));
    });

    /// <summary><c>rlk_step_continuous</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rlk_step_continuous")]
    public static int StepContinuous(long handle, float* actions, long length) => Run(handle, s =>
    {
        CheckLength(length, s.Env.EnvCount, "actions");
        if (actions == null) throw new NullReferenceException("actions is NULL.");
        Step(s, () => s.Env.Step(new ReadOnlySpan<float>(actions, (int)length)));
    });

    /// <summary><c>rlk_step_random</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rlk_step_random")]
    public static int StepRandom(long handle, int steps) => Run(handle, s =>
    {
        s.Env.StepRandom(steps);
        s.CopyOutputs();
    });

    /// <summary><c>rlk_close</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rlk_close")]
    public static int Close(long handle)
    {
        if (!Sessions.TryRemove(handle, out NativeSession? s))
            return Global(NativeStatus.InvalidHandle, $"Invalid handle {handle}: never created or already closed.");
        try
        {
            s.Dispose();
            return (int)NativeStatus.Ok;
        }
        catch (Exception e)
        {
            return Global(NativeStatus.Runtime, e.Message);
        }
    }

    /// <summary><c>rlk_last_error</c>: the handle's last message, or the handle-less one for 0 or an invalid handle.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rlk_last_error")]
    public static byte* LastError(long handle)
    {
        nint p = Sessions.TryGetValue(handle, out NativeSession? s) ? s.LastError : NativeErrors.Global;
        return p == 0 ? (byte*)EmptyUtf8 : (byte*)p;
    }

    private static readonly nint EmptyUtf8 = Marshal.StringToCoTaskMemUTF8("");

    /// <summary>Thrown for a length that does not match the env (becomes <see cref="NativeStatus.BufferSize"/>).</summary>
    private sealed class BufferSizeException(string message) : Exception(message);

    private static void CheckLength(long length, int expected, string what)
    {
        if (length != expected)
            throw new BufferSizeException($"{what} has length {length}; this env needs {expected}.");
    }

    // Bytes other than 0/1 are not valid .NET bools: normalize into a scratch copy when needed.
    private static byte* NormalizedMask(byte* mask, int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (mask[i] > 1)
            {
                byte* copy = (byte*)NativeMemory.Alloc((nuint)length);
                for (int j = 0; j < length; j++) copy[j] = mask[j] != 0 ? (byte)1 : (byte)0;
                ScratchMask.Value = (nint)copy;
                return copy;
            }
        }
        return mask;
    }

    private static readonly ThreadLocal<nint> ScratchMask = new();

    // Actions are checked before anything changes (ActionValidation), so a rejected step leaves the env usable.
    private static void Step(NativeSession s, Action step)
    {
        try
        {
            step();
        }
        catch (ArgumentException e)
        {
            throw new InvalidActionException(OneLine(e));
        }
        catch (InvalidOperationException e) when (e is not ObjectDisposedException && e.Message.Contains("action space"))
        {
            throw new InvalidActionException(OneLine(e));
        }
        s.CopyOutputs();
    }

    private sealed class InvalidActionException(string message) : Exception(message);

    private static int Run(long handle, Action<NativeSession> body, [CallerMemberName] string name = "")
    {
        if (!Sessions.TryGetValue(handle, out NativeSession? s))
            return Global(NativeStatus.InvalidHandle, $"{name}: invalid handle {handle}: never created or already closed.");
        try
        {
            body(s);
            s.SetError(null);
            return (int)NativeStatus.Ok;
        }
        catch (Exception e)
        {
            NativeStatus status = e switch
            {
                BufferSizeException => NativeStatus.BufferSize,
                InvalidActionException => NativeStatus.InvalidAction,
                NullReferenceException or ArgumentException => NativeStatus.InvalidArgument,
                ObjectDisposedException => NativeStatus.InvalidHandle,
                _ => NativeStatus.Runtime,
            };
            s.SetError(OneLine(e));
            return (int)status;
        }
        finally
        {
            if (ScratchMask.Value != 0)
            {
                NativeMemory.Free((void*)ScratchMask.Value);
                ScratchMask.Value = 0;
            }
        }
    }

    private static int Global(NativeStatus status, string message)
    {
        NativeErrors.SetGlobal(message);
        return (int)status;
    }

    // .NET appends " (Parameter 'x')" and "Actual value was v." lines; C callers get one line.
    private static string OneLine(Exception e)
    {
        string m = e.Message.Split('\n')[0].TrimEnd();
        int p = m.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return p >= 0 ? m[..p] : m;
    }

    private static string? Str(byte* p) => p == null ? null : Marshal.PtrToStringUTF8((nint)p);
}
