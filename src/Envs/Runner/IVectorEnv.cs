namespace RlKernels.Envs.Runner;

/// <summary>Compute backends a vector env can run on.</summary>
public enum Backend
{
    /// <summary>SIMD lanes (F16/F8/F4, see LaneSelection) on all cores. The default.</summary>
    Cpu,
    /// <summary>F1 lanes on one thread: the baseline every speed-up is measured against.</summary>
    CpuScalar,
    /// <summary>D1 lanes on one thread: Gymnasium's float64 arithmetic (reference precision).</summary>
    CpuDouble,
    /// <summary>ILGPU: CUDA where a device is present.</summary>
    Gpu,
    /// <summary>ILGPU's CPU accelerator: the GPU kernels run on the CPU (tests and debugging).</summary>
    GpuCpuAccelerator,
}

/// <summary>
/// A batch of copies of one env stepped together. Outputs are row-major spans owned by the env and
/// overwritten by the next call; nothing is allocated per step.
/// </summary>
/// <remarks>
/// Thread safety: a vector env serves one caller at a time. Calls may come from different threads, one after
/// another; a Reset, Step or StepRandom that starts while another call is running, or a Dispose during a call,
/// throws <see cref="InvalidOperationException"/> and changes nothing (the running call completes normally).
/// The output spans are valid until the next call. Dispose is idempotent; calls after it throw
/// <see cref="ObjectDisposedException"/>.
/// </remarks>
public interface IVectorEnv : IDisposable
{
    /// <summary>The env being batched: sizes, action space and time limit.</summary>
    EnvSpec Spec { get; }
    /// <summary>Number of env copies; the leading dimension of every output span.</summary>
    int EnvCount { get; }
    /// <summary>Where the env copies are stepped.</summary>
    Backend Backend { get; }
    /// <summary>How finished envs are restarted by <see cref="Step(ReadOnlySpan{int})"/>.</summary>
    AutoResetMode AutoReset { get; }
    /// <summary>Threads the CPU runner splits work over (1 for the scalar and GPU backends).</summary>
    int ThreadCount { get; }
    /// <summary>Elements per lane value (16, 8 or 1).</summary>
    int LaneWidth { get; }
    /// <summary>Memory held per env: state, bookkeeping and outputs.</summary>
    long BytesPerEnv { get; }

    /// <summary>Starts a new episode in every env; all randomness now derives from <paramref name="seed"/>.</summary>
    void Reset(ulong seed);
    /// <summary>Starts a new episode where <paramref name="mask"/> is true ([envCount]).</summary>
    void Reset(ReadOnlySpan<bool> mask);
    /// <summary>
    /// Starts a new episode in every env, env i's randomness from now on derived from <paramref name="seeds"/>[i] and
    /// its index alone ([envCount]; see <see cref="PerEnvSeeds"/>): the same seeds give the same episodes whatever came
    /// before. Random actions (<see cref="StepRandom"/>) restart too.
    /// </summary>
    void Reset(ReadOnlySpan<ulong> seeds);
    /// <summary>One step with discrete actions ([envCount], each in [0, n)).</summary>
    void Step(ReadOnlySpan<int> actions);
    /// <summary>One step with continuous actions ([envCount], finite).</summary>
    void Step(ReadOnlySpan<float> actions);
    /// <summary>
    /// <paramref name="stepCount"/> steps with uniformly random actions from the counter RNG; on a GPU
    /// in one launch. Outputs afterwards are those of the last step. Each action is a bit field of a Philox block keyed
    /// by env and step (<see cref="RandomActions"/>): exactly uniform for Discrete(2^m), within n/2^16 of uniform for
    /// other Discrete(n) with n &lt; 256, 24-bit uniform for Box spaces.
    /// </summary>
    void StepRandom(int stepCount);
    /// <summary>
    /// Waits until every queued call has finished on the device. GPU runners launch their kernels
    /// asynchronously: Step and StepRandom return once the work is queued, so a timed loop must call this
    /// before it reads the clock. The output spans synchronize by themselves; on CPU runners this is a no-op.
    /// </summary>
    void Synchronize();

    /// <summary>[envCount, obsSize] observations after the last call.</summary>
    ReadOnlySpan<float> Observations { get; }
    /// <summary>[envCount, obsSize] last observation of episodes that ended in the last step (same-step mode).</summary>
    ReadOnlySpan<float> FinalObservations { get; }
    /// <summary>[envCount] rewards of the last step.</summary>
    ReadOnlySpan<float> Rewards { get; }
    /// <summary>[envCount] terminated flags of the last step.</summary>
    ReadOnlySpan<bool> Terminated { get; }
    /// <summary>[envCount] truncated (time limit) flags of the last step.</summary>
    ReadOnlySpan<bool> Truncated { get; }
    /// <summary>[envCount] return of the episode that ended in the last step (valid where it ended).</summary>
    ReadOnlySpan<float> EpisodeReturns { get; }
    /// <summary>[envCount] length of the episode that ended in the last step (valid where it ended).</summary>
    ReadOnlySpan<int> EpisodeLengths { get; }
}
