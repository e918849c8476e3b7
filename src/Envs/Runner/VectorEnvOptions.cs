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
}
