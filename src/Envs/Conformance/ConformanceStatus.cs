namespace RlKernels.Envs.Conformance;

/// <summary>Outcome of checking one file at one precision on one lane.</summary>
public enum ConformanceStatus
{
    /// <summary>Every row within tolerance.</summary>
    Pass,
    /// <summary>At least one row out of tolerance.</summary>
    Fail,
    /// <summary>The file's env is not registered: nothing was checked. Never counts as a pass.</summary>
    Skipped,
    /// <summary>The file could not be read or does not fit the env (a failure).</summary>
    Error,
}
