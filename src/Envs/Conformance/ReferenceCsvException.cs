namespace RlKernels.Envs.Conformance;

/// <summary>A reference CSV file that cannot be read: names the file, the 1-based line and, where known, the column.</summary>
public sealed class ReferenceCsvException : FormatException
{
    /// <summary>The file (as given to the reader).</summary>
    public string File { get; }

    /// <summary>1-based line number (the header is line 1); 0 when the problem is the file as a whole.</summary>
    public int Line { get; }

    /// <summary>Column name, or null when the problem is not tied to one column.</summary>
    public string? Column { get; }

    /// <summary>The message reads "file:line (column 'name'): problem", leaving out what is not known.</summary>
    /// <param name="file">The file, as given to the reader.</param>
    /// <param name="line">1-based line, or 0 for the file as a whole.</param>
    /// <param name="column">Column name, or null.</param>
    /// <param name="problem">What is wrong, as a sentence.</param>
    public ReferenceCsvException(string file, int line, string? column, string problem)
        : base(Format(file, line, column, problem))
    {
        File = file;
        Line = line;
        Column = column;
    }

    private static string Format(string file, int line, string? column, string problem)
    {
        string where = line > 0 ? $"{file}:{line}" : file;
        if (column is not null) where += $" (column '{column}')";
        return $"{where}: {problem}";
    }
}
