namespace RlKernels.Tests;

/// <summary>Paths to the shared data that lives beside the repository (not inside it).</summary>
internal static class TestPaths
{
    /// <summary>
    /// The <c>shared/reference</c> directory: the first ancestor of the test binaries that has one
    /// (a checkout may live anywhere as long as <c>shared/</c> is next to it or above it).
    /// </summary>
    public static string SharedReference { get; } = FindSharedReference();

    private static string FindSharedReference()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "reference");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"No shared/reference directory above {AppContext.BaseDirectory}.");
    }
}
