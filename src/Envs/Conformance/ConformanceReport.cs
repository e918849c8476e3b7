namespace RlKernels.Envs.Conformance;

/// <summary>All results of a conformance run over a directory of reference files.</summary>
/// <param name="Directory">The directory checked.</param>
/// <param name="Results">Transition files: one per file × precision × lane, files in name order.</param>
public sealed record ConformanceReport(string Directory, IReadOnlyList<ConformanceResult> Results)
{
    /// <summary>P-table files (Gymnasium toy-text models): one per file, in name order.</summary>
    public IReadOnlyList<TabularConformanceResult> TabularResults { get; init; } = [];

    /// <summary>True iff no result failed. Skipped files do not fail the run, but they are not passes either.</summary>
    public bool Passed => !Results.Any(r => r.IsFailure) && !TabularResults.Any(r => r.IsFailure);

    /// <summary>Results (transition and P-table) that passed.</summary>
    public int PassCount => Results.Count(r => r.Status == ConformanceStatus.Pass) + TabularResults.Count(r => r.Status == ConformanceStatus.Pass);
    /// <summary>Results that failed (mismatch or error).</summary>
    public int FailCount => Results.Count(r => r.IsFailure) + TabularResults.Count(r => r.IsFailure);
    /// <summary>Results skipped (e.g. an env or precision not available here).</summary>
    public int SkipCount => Results.Count(r => r.Status == ConformanceStatus.Skipped) + TabularResults.Count(r => r.Status == ConformanceStatus.Skipped);
}
