using RlKernels.Envs.Conformance;

namespace RlKernels.Tests;

/// <summary>
/// The reference data the tests read: the repository's data/reference, which the build copies beside the
/// test binaries as reference/ (rlk.csproj's content items flow to every project that references rlk).
/// The data is part of the repository, so a missing folder is an error, never a reason to skip.
/// </summary>
internal static class TestPaths
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>reference/ beside the test binaries: holds gymnasium/ and gymnasium-toytext/.</summary>
    public static string ReferenceDir => Root.Value;

    /// <summary>The classic-control transition files (format: data/reference/gymnasium/README.md).</summary>
    public static string GymnasiumReferenceDir => Path.Combine(ReferenceDir, ReferenceData.ClassicControlFolder);

    /// <summary>The toy-text P tables (format: data/reference/gymnasium-toytext/README.md).</summary>
    public static string ToyTextReferenceDir => Path.Combine(ReferenceDir, ReferenceData.ToyTextFolder);

    private static string FindRoot()
    {
        // Only the copy beside the binaries, not the checkout: the tests then also prove that the build
        // ships the data with rlk (ReferenceData.FindRoot's fallback to the checkout has its own test).
        string root = Path.Combine(AppContext.BaseDirectory, ReferenceData.BesideBinariesFolder);
        foreach (string folder in new[] { ReferenceData.ClassicControlFolder, ReferenceData.ToyTextFolder })
            if (!Directory.Exists(Path.Combine(root, folder)))
                throw new DirectoryNotFoundException(
                    $"'{Path.Combine(root, folder)}' is missing: the build copies data/reference/{folder} of the repository there (src/Cli/rlk.csproj).");
        return root;
    }
}
