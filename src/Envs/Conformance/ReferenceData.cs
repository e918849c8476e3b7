namespace RlKernels.Envs.Conformance;

/// <summary>
/// Where the recorded Gymnasium reference data lives. The repository keeps it in
/// <c>data/reference/</c> (<c>gymnasium/</c>: classic-control transitions, <c>gymnasium-toytext/</c>:
/// toy-text P tables; format and provenance in each folder's README.md, recorder in
/// <c>tools/reference/</c>). The build copies it beside the <c>rlk</c> binaries as <c>reference/</c>
/// (rlk.csproj), so a built, published or installed <c>rlk</c> carries it too.
/// </summary>
public static class ReferenceData
{
    /// <summary>The folder name of the classic-control transition files.</summary>
    public const string ClassicControlFolder = "gymnasium";

    /// <summary>The folder name of the toy-text P-table files.</summary>
    public const string ToyTextFolder = "gymnasium-toytext";

    /// <summary>The name of the copy beside the binaries.</summary>
    public const string BesideBinariesFolder = "reference";

    /// <summary>The repository's marker file and the data's path inside the repository.</summary>
    private const string SolutionFile = "RlKernels.sln";
    private static readonly string InRepository = Path.Combine("data", "reference");

    /// <summary>
    /// The folder that holds <see cref="ClassicControlFolder"/> and <see cref="ToyTextFolder"/>:
    /// <c>reference/</c> beside the binaries when the build copied it there, otherwise
    /// <c>data/reference</c> of the first folder at or above <paramref name="start"/> that holds
    /// RlKernels.sln (a source checkout). Null when there is neither.
    /// </summary>
    /// <param name="start">Where to look; default the folder of the running binaries.</param>
    public static string? FindRoot(string? start = null)
    {
        start ??= AppContext.BaseDirectory;
        if (HasBothFolders(Path.Combine(start, BesideBinariesFolder))) return Path.GetFullPath(Path.Combine(start, BesideBinariesFolder));
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, SolutionFile))) continue;
            string candidate = Path.Combine(dir.FullName, InRepository);
            return HasBothFolders(candidate) ? candidate : null;
        }
        return null;
    }

    /// <summary>
    /// The default folders <c>rlk conform</c> checks: the classic-control and the toy-text folder of
    /// <see cref="FindRoot"/>. Throws <see cref="DirectoryNotFoundException"/> naming both places looked in
    /// when the data is not found.
    /// </summary>
    public static IReadOnlyList<string> DefaultDirectories(string? start = null)
    {
        string root = FindRoot(start) ?? throw new DirectoryNotFoundException(
            $"the reference data was found neither in '{Path.Combine(start ?? AppContext.BaseDirectory, BesideBinariesFolder)}' " +
            $"nor in {InRepository} of a checkout above it; pass --reference DIR.");
        return [Path.Combine(root, ClassicControlFolder), Path.Combine(root, ToyTextFolder)];
    }

    private static bool HasBothFolders(string root) =>
        Directory.Exists(Path.Combine(root, ClassicControlFolder)) && Directory.Exists(Path.Combine(root, ToyTextFolder));
}
