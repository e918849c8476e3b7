namespace RlKernels.Cli;

/// <summary>The exit codes of every <c>rlk</c> command (the table in README.md).</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;
    /// <summary>A check ran and found a mismatch (<c>conform</c>, <c>check</c>).</summary>
    public const int Mismatch = 1;
    /// <summary>Bad input: unknown names, out-of-range numbers, malformed files, a backend this machine lacks. Nothing was changed.</summary>
    public const int BadInput = 2;
    /// <summary>A runtime failure: I/O (disk full, no permission), training divergence, a device error.</summary>
    public const int RuntimeFailure = 3;
}
