namespace RlKernels.Cli.Sweep;

/// <summary>How one swept parameter takes its values.</summary>
public enum SweepParamKind
{
    /// <summary>One value for every run.</summary>
    Fixed,
    /// <summary>A list, crossed with the other lists (grid).</summary>
    Grid,
    /// <summary>Uniform on [low, high].</summary>
    Uniform,
    /// <summary>Uniform in log space on [low, high], low &gt; 0.</summary>
    LogUniform,
    /// <summary>Uniform integer in [low, high].</summary>
    Int,
    /// <summary>Uniform pick from a list.</summary>
    Choice,
}

/// <summary>One entry of the spec's <c>[search]</c> table.</summary>
/// <param name="Name">Parameter name (lr, envs, steps).</param>
/// <param name="Kind">Fixed, grid or a distribution.</param>
/// <param name="Values">Fixed: one value; grid and choice: the list.</param>
/// <param name="Low">Distribution lower bound.</param>
/// <param name="High">Distribution upper bound.</param>
public sealed record SweepParam(string Name, SweepParamKind Kind, IReadOnlyList<double> Values, double Low = 0, double High = 0)
{
    /// <summary>True for the distributions, which draw <c>samples</c> values with the sampler seed.</summary>
    public bool IsSampled => Kind is SweepParamKind.Uniform or SweepParamKind.LogUniform or SweepParamKind.Int or SweepParamKind.Choice;

    /// <summary>One draw; <paramref name="u"/> is uniform in [0, 1).</summary>
    public double Draw(double u) => Kind switch
    {
        SweepParamKind.Uniform => Low + (High - Low) * u,
        SweepParamKind.LogUniform => Math.Exp(Math.Log(Low) + (Math.Log(High) - Math.Log(Low)) * u),
        SweepParamKind.Int => Math.Floor(Low + (High - Low + 1) * u),
        SweepParamKind.Choice => Values[(int)Math.Min(Values.Count - 1, Math.Floor(u * Values.Count))],
        _ => throw new InvalidOperationException($"{Name} is not a distribution."),
    };
}
