using System.Runtime.CompilerServices;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Runner;

/// <summary>Per-env bookkeeping the runner keeps beside the env state.</summary>
public struct EnvBook<T> where T : struct, ILane<T>
{
    /// <summary>Bits: RNG blocks this env has drawn.</summary>
    public T RngCounter;
    /// <summary>Sum of rewards of the running episode.</summary>
    public T EpisodeReturn;
    /// <summary>Steps of the running episode.</summary>
    public T EpisodeLength;
    /// <summary>Mask: the episode ended and the env waits for a reset (next-step and disabled modes).</summary>
    public T Pending;

    /// <summary>A new episode where <paramref name="mask"/> is true: the RNG counter after the reset's draws, return and length 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Restart(T mask, T rngCounter)
    {
        T zero = T.Splat(0);
        RngCounter = T.Select(mask, rngCounter, RngCounter);
        EpisodeReturn = T.Select(mask, zero, EpisodeReturn);
        EpisodeLength = T.Select(mask, zero, EpisodeLength);
    }
}

/// <summary>
/// How the shared step logic (<see cref="EnvLaneStep{TEnv, T, TParams, TIO}"/>) reaches one lane value's memory. The CPU runner
/// implements it over lane arrays, the GPU runner over ILGPU array views; the step logic itself exists
/// once. <see cref="ILaneReader{T}.Read"/> reads state field k. Implementations are small structs that
/// reach their memory through references, so copies of them write to the same place.
/// </summary>
public interface IEnvLaneIO<T> : ILaneReader<T> where T : struct, ILane<T>
{
    /// <summary>Writes state field k of every element.</summary>
    void WriteState(int field, T value);
    /// <summary>Writes state field k where <paramref name="mask"/> is true.</summary>
    void WriteStateMasked(int field, T value, T mask);
    /// <summary>Writes observation feature k of every element.</summary>
    void WriteObservation(int feature, T value);
    /// <summary>Writes observation feature k where <paramref name="mask"/> is true.</summary>
    void WriteObservationMasked(int feature, T value, T mask);
    /// <summary>Writes final-observation feature k where <paramref name="mask"/> is true.</summary>
    void WriteFinalObservation(int feature, T value, T mask);
    /// <summary>Bits: the env index of each element.</summary>
    T EnvIndex();
    /// <summary>The action each element was given.</summary>
    T ReadAction();
    /// <summary>Reads the bookkeeping (RNG counter, running return and length, pending flag) of these envs; without
    /// <paramref name="withPending"/>, <see cref="EnvBook{T}.Pending"/> is not read (false), without <paramref name="withReturn"/>
    /// <see cref="EnvBook{T}.EpisodeReturn"/> is not (0: an env with a constant reward keeps none, see
    /// <see cref="IEnv{TSelf, T, TParams}.ConstantReward"/>). A one-step call streams every env's memory, so a column it does not
    /// need is a cost (constant arguments: folded after inlining).</summary>
    void ReadBook(out EnvBook<T> book, bool withPending, bool withReturn);
    /// <summary>The RNG counters alone (<see cref="EnvBook{T}.RngCounter"/>), as <see cref="ReadBook"/> reads them.</summary>
    T ReadRngCounter();
    /// <summary>Stores the running length of these envs back, the running return with <paramref name="withReturn"/>, the RNG
    /// counter with <paramref name="withCounter"/> and the pending flag with <paramref name="withPending"/> (each only where it
    /// may have changed).</summary>
    void WriteBook(in EnvBook<T> book, bool withCounter, bool withPending, bool withReturn);
    /// <summary>Writes reward and the two flags of this step.</summary>
    void WriteStep(T reward, T terminated, T truncated);
    /// <summary>Records return and length of the episodes that ended (where <paramref name="ended"/> is true). Elsewhere it
    /// may write the running values: the outputs are valid where an episode ended (<see cref="IVectorEnv.EpisodeReturns"/>).</summary>
    void WriteEpisode(T ended, T episodeReturn, T episodeLength);
}
