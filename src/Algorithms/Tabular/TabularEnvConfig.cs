namespace RlKernels.Algorithms.Tabular;

/// <summary>
/// The env settings every tabular learner on a batched env shares (<see cref="TabularTdConfig"/>,
/// <see cref="RMaxConfig"/>): which env, how many copies, how many batched steps. A learner with other
/// defaults sets them in its constructor.
/// </summary>
public abstract record TabularEnvConfig
{
    /// <summary>Env id with a state-index observation. Default "ChainWalk-v0".</summary>
    public string EnvId { get; init; } = "ChainWalk-v0";
    /// <summary>Gymnasium-style env options. Default none.</summary>
    public IReadOnlyDictionary<string, string>? EnvArgs { get; init; }
    /// <summary>E: env copies stepped together. Default 256.</summary>
    public int EnvCount { get; init; } = 256;
    /// <summary>Batched env steps. Default 2,000.</summary>
    public int Steps { get; init; } = 2_000;
}
