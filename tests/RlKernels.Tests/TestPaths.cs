namespace RlKernels.Tests;

/// <summary>Locates files the tests read from outside the repository.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string?> Shared = new(FindShared);

    /// <summary>
    /// The <c>shared</c> folder that sits beside the repository (/work/main next to /work/shared here;
    /// CI clones the repo elsewhere with shared/ beside it): walks up from the test binaries until a
    /// parent holds <c>shared/reference</c>. Null when there is none.
    /// </summary>
    public static string? SharedDir => Shared.Value;

    /// <summary>shared/reference; throws when the shared folder is not found.</summary>
    public static string SharedReference =>
        SharedDir is null
            ? throw new DirectoryNotFoundException($"No shared/reference directory above {AppContext.BaseDirectory}.")
            : Path.Combine(SharedDir, "reference");

    /// <summary>shared/reference/gymnasium, or null when the shared folder is not found.</summary>
    public static string? GymnasiumReferenceDir =>
        SharedDir is null ? null : Path.Combine(SharedDir, "reference", "gymnasium");

    private static string? FindShared()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "reference"))) return candidate;
        }
        return null;
    }
}
