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

    /// <summary>Env state, [stateSize, envCount] (column per field); plain floats, the RNG counter lives in <see cref="Book"/>.</summary>
    public ArrayView<float> State;
    /// <summary>Bookkeeping, [BookRows, envCount]; row <see cref="BookRngCounter"/> holds uint counter bits reinterpreted as float.</summary>
    public ArrayView<float> Book;
    /// <summary>[envCount] actions of the next step (discrete indices as floats).</summary>
    public ArrayView<float> Actions;
    /// <summary>[envCount, obsSize] observations.</summary>
    public ArrayView<float> Obs;
    /// <summary>[envCount, obsSize] final observations of episodes that ended in the last step (same-step mode).</summary>
    public ArrayView<float> FinalObs;
    /// <summary>[envCount] rewards of the last step.</summary>
    public ArrayView<float> Rewards;
    /// <summary>[envCount] terminated flags (0/1) of the last step.</summary>
    public ArrayView<byte> Terminated;
    /// <summary>[envCount] truncated (time limit) flags (0/1) of the last step.</summary>
    public ArrayView<byte> Truncated;
    /// <summary>[envCount] return of the episode that ended in the last step (valid where one ended).</summary>
    public ArrayView<float> CompletedReturn;
    /// <summary>[envCount] length of the episode that ended in the last step (valid where one ended).</summary>
    public ArrayView<int> CompletedLength;
    /// <summary>[envCount] input of the masked reset: nonzero = reset this env.</summary>
    public ArrayView<byte> ResetMask;
    /// <summary>Number of envs (threads of a full launch).</summary>
    public int EnvCount;
    /// <summary>Features per observation row.</summary>
    public int ObsSize;
}
