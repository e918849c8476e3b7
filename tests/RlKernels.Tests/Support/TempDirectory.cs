namespace RlKernels.Tests;

/// <summary>A scratch folder under the system temp folder, deleted on dispose (<c>using var dir = new TempDirectory("rlk-x-")</c>).</summary>
internal sealed class TempDirectory(string prefix = "rlk-test-") : IDisposable
{
    /// <summary>The folder's full path.</summary>
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>The path of <paramref name="name"/> inside the folder (not created).</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (!Directory.Exists(Path)) return;
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { } // best effort: a leftover temp dir must not fail a test
        catch (UnauthorizedAccessException) { }
    }
}
