using RlKernels.Envs.Wrappers;

namespace RlKernels.Envs.Runner;

/// <summary>How to build a vector env.</summary>
public sealed record VectorEnvOptions
{
    /// <summary>Where the envs run; <see cref="Backend.Cpu"/> by default.</summary>
    public Backend Backend { get; init; } = Backend.Cpu;
    /// <summary>How finished envs restart; <see cref="AutoResetMode.SameStep"/> by default.</summary>
    public AutoResetMode AutoReset { get; init; } = AutoResetMode.SameStep;
    /// <summary>Seed of the first reset.</summary>
    public ulong Seed { get; init; }
    /// <summary>CPU threads; 0 = all cores (cpu backend only). At most <see cref="MaxThreads"/>.</summary>
    public int Threads { get; init; }
    /// <summary>Overrides the env's time limit when set (0 = no limit).</summary>
    public int? MaxEpisodeSteps { get; init; }
    /// <summary>
    /// Running observation normalization over all envs and steps (<see cref="NormalizedVectorEnv"/>); null = off.
    /// The env argument <c>normalize_obs=true</c> turns it on too.
    /// </summary>
    public ObservationNormalization? NormalizeObservations { get; init; }

    /// <summary>
    /// The most threads a run may ask for: four per core. More only adds hand-off overhead, and a
    /// thread count in the millions would exhaust the process's thread stacks.
    /// </summary>
    public static int MaxThreads => 4 * Environment.ProcessorCount;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> on a thread count or time limit out of range.</summary>
    public void Validate()
    {
        if (Threads < 0 || Threads > MaxThreads)
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads,
                $"Threads must be between 0 (all cores) and {MaxThreads} (4 per core), got {Threads}.");
        if (MaxEpisodeSteps < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxEpisodeSteps), MaxEpisodeSteps, "MaxEpisodeSteps must be 0 (no limit) or positive.");
    }
}
