namespace RlKernels.Kernels.Nn;

/// <summary>
/// The one exception every safetensors read raises for a bad file: a malformed header (length, UTF-8, JSON,
/// types), a dtype this reader cannot load, shapes and data_offsets that disagree or do not tile the data
/// area, non-finite weights, and tensors or metadata that do not fit the network being loaded. The message
/// is one line: "FILE: tensor 'NAME': PROBLEM" (or "FILE: PROBLEM" when no single tensor is at fault).
/// </summary>
/// <remarks>
/// I/O failures (a missing or unreadable file) are not format errors: they stay
/// <see cref="FileNotFoundException"/>, <see cref="UnauthorizedAccessException"/> or <see cref="IOException"/>.
/// </remarks>
public sealed class SafetensorsFormatException : FormatException
{
    /// <param name="filePath">The file (or stream name) read.</param>
    /// <param name="tensor">The tensor at fault, or null.</param>
    /// <param name="problem">What is wrong, without the file and tensor.</param>
    /// <param name="inner">The parser's own exception, when there is one.</param>
    public SafetensorsFormatException(string filePath, string? tensor, string problem, Exception? inner = null)
        : base(Compose(filePath, tensor, problem), inner)
    {
        FilePath = filePath;
        Tensor = tensor;
        Problem = problem;
    }

    /// <summary>The file (or stream name) read.</summary>
    public string FilePath { get; }
    /// <summary>The tensor at fault, or null when the problem is the whole file (header length, JSON, metadata).</summary>
    public string? Tensor { get; }
    /// <summary>What is wrong, without the file and tensor.</summary>
    public string Problem { get; }

    private static string Compose(string filePath, string? tensor, string problem) =>
        tensor is null ? $"{filePath}: {problem}" : $"{filePath}: tensor '{Printable(tensor)}': {problem}";

    /// <summary>
    /// A name as it may appear in a one-line message: control characters escaped (a hostile name must not
    /// break the line), very long names cut.
    /// </summary>
    public static string Printable(string name)
    {
        const int maxLength = 120;
        var text = new System.Text.StringBuilder(Math.Min(name.Length, maxLength) + 8);
        foreach (char c in name.Length > maxLength ? name[..maxLength] : name)
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029') text.Append($"\\u{(int)c:x4}");
            else text.Append(c);
        }
        if (name.Length > maxLength) text.Append($"… ({name.Length} characters)");
        return text.ToString();
    }
}
