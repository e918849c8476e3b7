using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Runner;

/// <summary>Where <see cref="IEnvLaneIO{T}.Write"/> sends values.</summary>
public enum WriteTarget
{
    /// <summary>State columns, every element.</summary>
    State,
    /// <summary>State columns, only elements whose mask is true.</summary>
    StateMasked,
    /// <summary>Observation rows, every element.</summary>
    Observation,
    /// <summary>Observation rows, only elements whose mask is true.</summary>
    ObservationMasked,
    /// <summary>Final-observation rows, only elements whose mask is true.</summary>
    FinalObservation,
}

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
}

/// <summary>
/// How the shared step logic (<see cref="EnvLaneStep"/>) reaches one lane's memory. The CPU runner
/// implements it over lane arrays, the GPU runner over ILGPU array views; the step logic itself exists
/// once. <see cref="ILaneReader{T}.Read"/> reads state field k.
/// </summary>
public interface IEnvLaneIO<T> : ILaneReader<T>, ILaneWriter<T> where T : struct, ILane<T>
{
    /// <summary>Routes the following <see cref="ILaneWriter{T}.Write"/> calls.</summary>
    void SetTarget(WriteTarget target, T mask);
    /// <summary>Bits: the env index of each element.</summary>
    T EnvIndex();
    /// <summary>The action each element was given.</summary>
    T ReadAction();
    void ReadBook(out EnvBook<T> book);
    void WriteBook(in EnvBook<T> book);
    /// <summary>Writes reward and the two flags of this step.</summary>
    void WriteStep(T reward, T terminated, T truncated);
    /// <summary>Records return and length of the episodes that ended (where <paramref name="ended"/> is true).</summary>
    void WriteEpisode(T ended, T episodeReturn, T episodeLength);
}
