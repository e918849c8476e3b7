using RlKernels.Envs.Wrappers;

namespace RlKernels.Envs.Runner;

/// <summary>How to build a vector env.</summary>
public sealed record VectorEnvOptions
{
    public Backend Backend { get; init; } = Backend.Cpu;
    public AutoResetMode AutoReset { get; init; } = AutoResetMode.SameStep;
    /// <summary>Seed of the first reset.</summary>
    public ulong Seed { get; init; }
    /// <summary>CPU threads; 0 = all cores (cpu backend only).</summary>
    public int Threads { get; init; }
    /// <summary>Overrides the env's time limit when set (0 = no limit).</summary>
    public int? MaxEpisodeSteps { get; init; }
    /// <summary>
    /// Running observation normalization over all envs and steps (<see cref="NormalizedVectorEnv"/>); null = off.
    /// The env argument <c>normalize_obs=true</c> turns it on too.
    /// </summary>
    public ObservationNormalization? NormalizeObservations { get; init; }
}
