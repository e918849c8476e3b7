using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using RlKernels.Kernels.Gpu;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;

namespace RlKernels.Envs.Runner;

/// <summary>
/// The GPU batched runner: one ILGPU thread per env, struct-of-arrays state in device memory, the same
/// semantics as <see cref="CpuVectorEnv{TEnv, T, TParams}"/> (both call <see cref="EnvLaneStep{TEnv, T, TParams, TIO}"/>).
/// Runs on CUDA (<see cref="Backend.Gpu"/>) or on ILGPU's CPU accelerator
/// (<see cref="Backend.GpuCpuAccelerator"/>, for tests).
/// </summary>
/// <remarks>
/// Outputs are copied back to host arrays lazily, each on its first access after a kernel, so
/// <see cref="StepRandom"/> runs k steps in one launch and the host pays one copy for what it reads.
/// Read the output properties again after each call: a span kept from before a step still shows the
/// host copy as it was (on the CPU runner it would show the new values).
/// Each runner owns its ILGPU context and accelerator; <see cref="Dispose"/> frees all device memory,
/// including what the env parameters point into (see the constructor that builds them on the device).
/// </remarks>
public sealed class GpuVectorEnv<TEnv, TParams> : IVectorEnv
    where TEnv : struct, IEnv<TEnv, F1, TParams>
    where TParams : struct
{
    /// <summary>Host copies that are out of date with the device.</summary>
    [Flags]
    private enum Stale
    {
        None = 0,
        Obs = 1, FinalObs = 2, Rewards = 4, Terminated = 8, Truncated = 16,
        EpisodeReturns = 32, EpisodeLengths = 64, Pending = 128,
        All = 255,
    }

    private readonly GpuDevice _device;
    private readonly GpuParamsMemory _paramsMemory; // device memory behind _params (e.g. a tabular table)
    private readonly TParams _params;
    private StepSettings _settings;
    private uint _stepCount;
    private Stale _stale;
    private readonly SingleCallerGuard _caller;

    // DEVICE MEMORY
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _dState;           // [stateSize, envCount]
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _dBook;            // [GpuEnvViews.BookRows, envCount]
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _dActions;         // [envCount]
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _dObs;             // [envCount, obsSize]
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _dFinalObs;        // [envCount, obsSize]
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _dRewards;         // [envCount]
    private readonly MemoryBuffer1D<byte, Stride1D.Dense> _dTerminated;       // [envCount] 0/1
    private readonly MemoryBuffer1D<byte, Stride1D.Dense> _dTruncated;        // [envCount] 0/1
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _dCompletedReturn; // [envCount]
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _dCompletedLength;   // [envCount]
    private readonly MemoryBuffer1D<byte, Stride1D.Dense> _dResetMask;        // [envCount]
    private readonly GpuEnvViews _views;

    // HOST MEMORY
    private readonly float[] _actions;         // [envCount] validated actions, staged for the device
    private readonly VectorEnvOutputs _out;    // the device outputs, copied back on first read after a call
    private readonly float[] _pending;         // [envCount] mask (disabled auto-reset checks)

    private readonly Action<Index1D, GpuEnvViews, TParams, GpuStepArgs, int> _stepKernel;
    private readonly Action<Index1D, GpuEnvViews, TParams, GpuStepArgs> _resetKernel;
    private readonly Action<Index1D, GpuEnvViews, TParams, GpuStepArgs> _resetMaskedKernel;

    /// <inheritdoc/>
    public EnvSpec Spec { get; }
    /// <inheritdoc/>
    public int EnvCount { get; }
    /// <inheritdoc/>
    public Backend Backend { get; }
    /// <inheritdoc/>
    public AutoResetMode AutoReset { get; }
    /// <inheritdoc/>
    public int ThreadCount => 1;
    /// <inheritdoc/>
    public int LaneWidth => 1;
    /// <inheritdoc/>
    public long BytesPerEnv =>
        4L * (Spec.StateSize + GpuEnvViews.BookRows + 1 + 2 * Spec.ObsSize + 1 + 1 + 1) + 3;

    /// <summary>The ILGPU device this runner launches on (shared with fused algorithm kernels).</summary>
    public GpuDevice Device => _device;

    /// <summary>Views of this runner's device memory, for kernels that step the envs themselves.</summary>
    public GpuEnvViews Views => _views;

    /// <summary>The env parameters the kernels take (for kernels that step the envs themselves).</summary>
    public TParams KernelParameters => _params;

    /// <summary>
    /// The step settings (time limit, auto-reset mode, the env's Philox key) as a kernel argument, actions
    /// read rather than drawn: what a kernel that steps the envs itself passes to the shared step logic.
    /// </summary>
    public GpuStepArgs KernelStepArgs => GpuStepArgs.From(_settings, false, _stepCount);

    /// <summary>
    /// Tells the runner that a kernel of its own stepped every env <paramref name="stepCount"/> times through
    /// <see cref="Views"/>: the host copies are out of date and the step count moves on, as after
    /// <see cref="Step(ReadOnlySpan{int})"/>. No launch, no copy.
    /// </summary>
    public void MarkSteppedOnDevice(int stepCount)
    {
        using var call = _caller.Enter("MarkSteppedOnDevice");
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        ThrowIfDisposed();
        _stepCount += (uint)stepCount;
        _stale = Stale.All;
    }

    /// <summary>A runner for env parameters that are plain values (no device memory).</summary>
    /// <param name="spec">The env's spec for <paramref name="parameters"/> (sizes, spaces, time limit).</param>
    /// <param name="parameters">Env constants.</param>
    /// <param name="envCount">Number of env copies (threads).</param>
    /// <param name="options"><see cref="VectorEnvOptions.Backend"/> picks CUDA (<see cref="Backend.Gpu"/>)
    /// or ILGPU's CPU accelerator (<see cref="Backend.GpuCpuAccelerator"/>).</param>
    /// <exception cref="InvalidOperationException">Backend.Gpu and no CUDA device (nothing is allocated).</exception>
    public GpuVectorEnv(EnvSpec spec, TParams parameters, int envCount, VectorEnvOptions options)
        : this(spec, _ => parameters, envCount, options)
    {
    }

    /// <summary>
    /// A runner whose env parameters point into device memory: <paramref name="buildParams"/> runs once,
    /// after the device is open, uploads what the parameters need through the <see cref="GpuParamsMemory"/>
    /// it is given and returns the parameters (holding views of the uploads). The runner owns the uploads
    /// and frees them in <see cref="Dispose"/>.
    /// </summary>
    /// <param name="spec">The env's spec (sizes, spaces, time limit): the parameters built on the device
    /// need not know it.</param>
    /// <param name="buildParams">Builds the kernel parameters on this runner's device.</param>
    /// <param name="envCount">Number of env copies (threads).</param>
    /// <param name="options"><see cref="VectorEnvOptions.Backend"/> picks CUDA (<see cref="Backend.Gpu"/>)
    /// or ILGPU's CPU accelerator (<see cref="Backend.GpuCpuAccelerator"/>).</param>
    /// <exception cref="InvalidOperationException">Backend.Gpu and no CUDA device (nothing is allocated).</exception>
    public GpuVectorEnv(EnvSpec spec, Func<GpuParamsMemory, TParams> buildParams, int envCount, VectorEnvOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(buildParams);
        _caller = new SingleCallerGuard(this);
        if (envCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(envCount), envCount, "envCount must be at least 1.");
        GpuDeviceKind kind = options.Backend switch
        {
            Backend.Gpu => GpuDeviceKind.Cuda,
            Backend.GpuCpuAccelerator => GpuDeviceKind.CpuAccelerator,
            _ => throw new ArgumentException($"GpuVectorEnv runs on Backend.Gpu or Backend.GpuCpuAccelerator, not {options.Backend}.", nameof(options)),
        };
        Spec = spec;
        EnvCount = envCount;
        Backend = options.Backend;
        AutoReset = options.AutoReset;
        _settings = StepSettings.For(Spec, options);

        // Kernels index with 32-bit ints (cheaper on a GPU), so every buffer must fit that.
        if ((long)envCount * Math.Max(Math.Max(Spec.ObsSize, Spec.StateSize), GpuEnvViews.BookRows) > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(envCount), envCount,
                $"Too many envs for the gpu backend: envCount × {Math.Max(Spec.ObsSize, Spec.StateSize)} must stay below 2^31.");

        // First: with no CUDA device this throws before anything is allocated.
        _device = GpuDevice.Open(kind);

        try
        {
            CheckFitsOnDevice(Spec, envCount, _device);
            int obsSize = Spec.ObsSize, stateSize = Spec.StateSize;
            _actions = new float[envCount];
            _out = new VectorEnvOutputs(envCount, obsSize, pinned: false);
            _pending = new float[envCount];

            Accelerator acc = _device.Accelerator;
            _paramsMemory = new GpuParamsMemory(acc);
            _params = buildParams(_paramsMemory);
            _dState = acc.Allocate1D<float>((long)stateSize * envCount);
            _dBook = acc.Allocate1D<float>((long)GpuEnvViews.BookRows * envCount);
            _dActions = acc.Allocate1D<float>(envCount);
            _dObs = acc.Allocate1D<float>((long)envCount * obsSize);
            _dFinalObs = acc.Allocate1D<float>((long)envCount * obsSize);
            _dRewards = acc.Allocate1D<float>(envCount);
            _dTerminated = acc.Allocate1D<byte>(envCount);
            _dTruncated = acc.Allocate1D<byte>(envCount);
            _dCompletedReturn = acc.Allocate1D<float>(envCount);
            _dCompletedLength = acc.Allocate1D<int>(envCount);
            _dResetMask = acc.Allocate1D<byte>(envCount);
            // Completed episode stats start at 0 as on the CPU runner (fresh device memory is undefined).
            _dCompletedReturn.MemSetToZero();
            _dCompletedLength.MemSetToZero();
            _views = new GpuEnvViews
            {
                State = _dState.View,
                Book = _dBook.View,
                Actions = _dActions.View,
                Obs = _dObs.View,
                FinalObs = _dFinalObs.View,
                Rewards = _dRewards.View,
                Terminated = _dTerminated.View,
                Truncated = _dTruncated.View,
                CompletedReturn = _dCompletedReturn.View,
                CompletedLength = _dCompletedLength.View,
                ResetMask = _dResetMask.View,
                EnvCount = envCount,
                ObsSize = obsSize,
            };
            GpuDevice.ThrowIfCompileFailureInjected();
            _stepKernel = acc.LoadAutoGroupedStreamKernel<Index1D, GpuEnvViews, TParams, GpuStepArgs, int>(
                GpuEnvKernels.StepKernel<TEnv, TParams>);
            _resetKernel = acc.LoadAutoGroupedStreamKernel<Index1D, GpuEnvViews, TParams, GpuStepArgs>(
                GpuEnvKernels.ResetKernel<TEnv, TParams>);
            _resetMaskedKernel = acc.LoadAutoGroupedStreamKernel<Index1D, GpuEnvViews, TParams, GpuStepArgs>(
                GpuEnvKernels.ResetMaskedKernel<TEnv, TParams>);
            Reset(options.Seed);
        }
        catch
        {
            // Disposing the accelerator frees whatever was allocated before the failure.
            _device.Dispose();
            throw;
        }
    }

    /// <summary>Device bytes per env: state, bookkeeping, actions, observations and final observations, rewards,
    /// completed returns and lengths (4 bytes each), and the terminated, truncated and reset-mask flags.</summary>
    public static long DeviceBytesPerEnv(EnvSpec spec) =>
        4L * (spec.StateSize + GpuEnvViews.BookRows + 1 + 2L * spec.ObsSize + 3) + 3;

    /// <summary>
    /// Refuses, before anything is allocated on the device, an env count whose buffers would not fit in the device's
    /// usable memory (<see cref="GpuDevice.UsableBytes"/>): one line instead of an allocation failure midway.
    /// </summary>
    private static void CheckFitsOnDevice(EnvSpec spec, int envCount, GpuDevice device)
    {
        long perEnv = DeviceBytesPerEnv(spec);
        if ((long)envCount * perEnv > device.UsableBytes)
            throw new ArgumentOutOfRangeException(nameof(envCount), envCount,
                $"{envCount} copies of {spec.Id} need about {Registry.MemoryBudget.Format(envCount * perEnv)} of device memory; " +
                $"at most {device.UsableBytes / perEnv} fit in 90% of {device.Accelerator.Name}'s {Registry.MemoryBudget.Format(device.MemoryBytes)}.");
    }

    /// <inheritdoc/>
    public void Reset(ulong seed)
    {
        using var call = _caller.Enter("Reset");
        Philox4x32.KeyFromSeed(seed, out _settings.Key0, out _settings.Key1);
        RestartAll(null);
    }

    /// <inheritdoc/>
    public void Reset(ReadOnlySpan<ulong> seeds)
    {
        using var call = _caller.Enter("Reset(seeds)");
        PerEnvSeeds.CheckLength(seeds, EnvCount);
        (_settings.Key0, _settings.Key1) = PerEnvSeeds.Key();
        // The book row holds each counter's bits as a float.
        var counters = new float[EnvCount];
        for (int i = 0; i < counters.Length; i++) counters[i] = BitConverter.UInt32BitsToSingle(PerEnvSeeds.Counter(seeds[i]));
        RestartAll(counters);
    }

    /// <summary>Outputs and bookkeeping cleared, the RNG counters set (<paramref name="counters"/>, [envCount] bits; null: 0), and every env reset.</summary>
    private void RestartAll(float[]? counters)
    {
        _dBook.MemSetToZero();
        if (counters is not null) _views.Book.SubView((long)GpuEnvViews.BookRngCounter * EnvCount, EnvCount).CopyFromCPU(counters);
        _dRewards.MemSetToZero();
        _dTerminated.MemSetToZero();
        _dTruncated.MemSetToZero();
        _dFinalObs.MemSetToZero();
        _stepCount = 0;
        _resetKernel(EnvCount, _views, _params, GpuStepArgs.From(_settings, false, _stepCount));
        _stale = Stale.All;
    }

    /// <inheritdoc/>
    public void Reset(ReadOnlySpan<bool> mask)
    {
        using var call = _caller.Enter("Reset(mask)");
        if (mask.Length != EnvCount)
            throw new ArgumentException($"Expected a reset mask of {EnvCount} flags, got {mask.Length}.", nameof(mask));
        _views.ResetMask.CopyFromCPU(MemoryMarshal.AsBytes(mask));
        _resetMaskedKernel(EnvCount, _views, _params, GpuStepArgs.From(_settings, false, _stepCount));
        _stale = Stale.All;
    }

    /// <inheritdoc/>
    public void Step(ReadOnlySpan<int> actions)
    {
        using var call = _caller.Enter("Step");
        ActionValidation.CopyDiscrete(Spec, actions, _actions);
        StepCore(1, random: false);
    }

    /// <inheritdoc/>
    public void Step(ReadOnlySpan<float> actions)
    {
        using var call = _caller.Enter("Step");
        ActionValidation.CopyContinuous(Spec, actions, _actions);
        StepCore(1, random: false);
    }

    /// <inheritdoc/>
    public void StepRandom(int stepCount)
    {
        using var call = _caller.Enter("StepRandom");
        ActionValidation.CheckStepCount(stepCount, AutoReset);
        StepCore(stepCount, random: true);
    }

    /// <inheritdoc/>
    public void Synchronize()
    {
        using var call = _caller.Enter("Synchronize");
        _device.Synchronize();
    }

    private void StepCore(int stepCount, bool random)
    {
        if (stepCount == 0) return;
        if (AutoReset == AutoResetMode.Disabled) ThrowIfAnyPending();
        if (!random) _views.Actions.CopyFromCPU(_actions);
        _stepKernel(EnvCount, _views, _params, GpuStepArgs.From(_settings, random, _stepCount), stepCount);
        _stepCount += (uint)stepCount;
        _stale = Stale.All;
    }

    private void ThrowIfAnyPending()
    {
        Refresh(Stale.Pending);
        for (int env = 0; env < EnvCount; env++)
        {
            if (_pending[env] != 0f)
                throw new InvalidOperationException(
                    $"Env {env} ended its episode and auto-reset is disabled: call Reset(mask) for it before stepping.");
        }
    }

    /// <summary>Copies the device buffer behind <paramref name="what"/> to its host array if it is out of date.</summary>
    private void Refresh(Stale what)
    {
        ThrowIfDisposed();
        if ((_stale & what) == 0) return;
        // CopyToCPU runs on the default stream after the kernels queued there and waits for the copy.
        switch (what)
        {
            case Stale.Obs: _views.Obs.CopyToCPU(_out.Obs.AsSpan()); break;
            case Stale.FinalObs: _views.FinalObs.CopyToCPU(_out.FinalObs.AsSpan()); break;
            case Stale.Rewards: _views.Rewards.CopyToCPU(_out.Rewards.AsSpan()); break;
            // The device writes the flags as bytes 0/1: the bool arrays' own representation.
            case Stale.Terminated: _views.Terminated.CopyToCPU(MemoryMarshal.AsBytes(_out.Terminated.AsSpan())); break;
            case Stale.Truncated: _views.Truncated.CopyToCPU(MemoryMarshal.AsBytes(_out.Truncated.AsSpan())); break;
            case Stale.EpisodeReturns: _views.CompletedReturn.CopyToCPU(_out.CompletedReturn.AsSpan()); break;
            case Stale.EpisodeLengths: _views.CompletedLength.CopyToCPU(_out.CompletedLength.AsSpan()); break;
            case Stale.Pending:
                _views.Book.SubView((long)GpuEnvViews.BookPending * EnvCount, EnvCount).CopyToCPU(_pending.AsSpan());
                break;
        }
        _stale &= ~what;
    }

    /// <inheritdoc/>
    public ReadOnlySpan<float> Observations { get { using var call = _caller.Enter("reading Observations"); Refresh(Stale.Obs); return _out.Obs; } }
    /// <inheritdoc/>
    public ReadOnlySpan<float> FinalObservations { get { using var call = _caller.Enter("reading FinalObservations"); Refresh(Stale.FinalObs); return _out.FinalObs; } }
    /// <inheritdoc/>
    public ReadOnlySpan<float> Rewards { get { using var call = _caller.Enter("reading Rewards"); Refresh(Stale.Rewards); return _out.Rewards; } }
    /// <inheritdoc/>
    public ReadOnlySpan<bool> Terminated { get { using var call = _caller.Enter("reading Terminated"); Refresh(Stale.Terminated); return _out.Terminated; } }
    /// <inheritdoc/>
    public ReadOnlySpan<bool> Truncated { get { using var call = _caller.Enter("reading Truncated"); Refresh(Stale.Truncated); return _out.Truncated; } }
    /// <inheritdoc/>
    public ReadOnlySpan<float> EpisodeReturns { get { using var call = _caller.Enter("reading EpisodeReturns"); Refresh(Stale.EpisodeReturns); return _out.CompletedReturn; } }
    /// <inheritdoc/>
    public ReadOnlySpan<int> EpisodeLengths { get { using var call = _caller.Enter("reading EpisodeLengths"); Refresh(Stale.EpisodeLengths); return _out.CompletedLength; } }

    /// <summary>Test access: state field <paramref name="field"/> of env <paramref name="env"/> (one small copy).</summary>
    internal double StateOf(int env, int field)
    {
        ThrowIfDisposed();
        Span<float> one = stackalloc float[1];
        _views.State.SubView((long)field * EnvCount + env, 1).CopyToCPU(one);
        return one[0];
    }

    /// <summary>Test access: the RNG counter of env <paramref name="env"/> (the raw bits).</summary>
    internal uint RngCounterOf(int env)
    {
        ThrowIfDisposed();
        Span<float> one = stackalloc float[1];
        _views.Book.SubView((long)GpuEnvViews.BookRngCounter * EnvCount + env, 1).CopyToCPU(one);
        return BitConverter.SingleToUInt32Bits(one[0]);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_caller.IsDisposed, this);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_caller.TryBeginDispose()) return;
        // The accelerator frees the buffers it still owns; dispose ours first to release them in order.
        _dState.Dispose();
        _dBook.Dispose();
        _dActions.Dispose();
        _dObs.Dispose();
        _dFinalObs.Dispose();
        _dRewards.Dispose();
        _dTerminated.Dispose();
        _dTruncated.Dispose();
        _dCompletedReturn.Dispose();
        _dCompletedLength.Dispose();
        _dResetMask.Dispose();
        _paramsMemory.Dispose();
        _device.Dispose();
    }
}
