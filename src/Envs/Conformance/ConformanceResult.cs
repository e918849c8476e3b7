namespace RlKernels.Envs.Conformance;

/// <summary>
/// One line of a conformance report: one file, one precision, one lane. Errors are absolute maxima over
/// all rows and features; pass/fail uses the relative bounds of <see cref="ConformanceTolerances"/>.
/// </summary>
/// <param name="File">Reference file name.</param>
/// <param name="EnvId">Env id taken from the file name.</param>
/// <param name="Precision">Tolerances applied.</param>
/// <param name="Lane">Lane computed with; null when nothing ran (skipped, unreadable file).</param>
/// <param name="Status">Outcome.</param>
/// <param name="Rows">Transitions compared.</param>
/// <param name="MaxObsError">Max |Δ next_obs| (float32 values).</param>
/// <param name="MaxObsUlps">Max float32 ulps between next_obs values.</param>
/// <param name="MaxRewardError">Max |Δ reward|.</param>
/// <param name="MaxStateError">Max |Δ next_state| (NaN when the file has no next_state columns).</param>
/// <param name="FailedRows">Rows with any value out of tolerance or an unexcused flag mismatch.</param>
/// <param name="TerminatedMismatches">Unexcused terminated mismatches.</param>
/// <param name="TerminatedExcused">Terminated flips excused near a threshold (fast only).</param>
/// <param name="TruncatedMismatches">Rows where t + 1 ≥ max_episode_steps disagrees with truncated.</param>
/// <param name="Message">First failing row, or why the file was skipped or could not be checked.</param>
public sealed record ConformanceResult(
    string File,
    string EnvId,
    ConformancePrecision Precision,
    StepperLane? Lane,
    ConformanceStatus Status,
    int Rows,
    double MaxObsError,
    long MaxObsUlps,
    double MaxRewardError,
    double MaxStateError,
    int FailedRows,
    int TerminatedMismatches,
    int TerminatedExcused,
    int TruncatedMismatches,
    string? Message)
{
    /// <summary>A result for a file that was not compared (skipped or unreadable).</summary>
    public static ConformanceResult NotRun(string file, string envId, ConformancePrecision precision, ConformanceStatus status, string message) =>
        new(file, envId, precision, null, status, 0, 0, 0, 0, double.NaN, 0, 0, 0, 0, message);

    /// <summary>True for statuses that make the whole check fail.</summary>
    public bool IsFailure => Status is ConformanceStatus.Fail or ConformanceStatus.Error;
}
