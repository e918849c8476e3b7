using ILGPU;

namespace RlKernels.Envs.Runner;

/// <summary>
/// The GPU runner's device memory as ILGPU views, passed by value to every kernel. Layout mirrors
/// <see cref="CpuEnvBuffers{T}"/> with lane width 1: state and bookkeeping are columns (thread i touches
/// element i of each, so a warp's accesses coalesce), outputs are row-major as the caller reads them.
/// </summary>
public struct GpuEnvViews
{
    /// <summary>Bookkeeping rows of <see cref="Book"/>.</summary>
    public const int BookRngCounter = 0, BookEpisodeReturn = 1, BookEpisodeLength = 2, BookPending = 3, BookRows = 4;

    public ArrayView<float> State;           // [stateSize, envCount]; RNG-free, plain floats
    public ArrayView<float> Book;            // [BookRows, envCount]; row 0 holds uint counter bits reinterpreted as float
    public ArrayView<float> Actions;         // [envCount]
    public ArrayView<float> Obs;             // [envCount, obsSize]
    public ArrayView<float> FinalObs;        // [envCount, obsSize]
    public ArrayView<float> Rewards;         // [envCount]
    public ArrayView<byte> Terminated;       // [envCount] 0/1
    public ArrayView<byte> Truncated;        // [envCount] 0/1
    public ArrayView<float> CompletedReturn; // [envCount], valid where the episode ended in the last step
    public ArrayView<int> CompletedLength;   // [envCount], valid where the episode ended in the last step
    public ArrayView<byte> ResetMask;        // [envCount] nonzero = reset, input of the masked reset
    public int EnvCount;
    public int ObsSize;
}
