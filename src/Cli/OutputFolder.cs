namespace RlKernels.Cli;

/// <summary>
/// The <c>--out</c> folder of a run, checked before any work: not empty, not an existing file, creatable and
/// writable, and not already holding a run's outputs unless the user said <c>--force</c>.
/// </summary>
public static class OutputFolder
{
    /// <summary>
    /// Checks <paramref name="path"/> and creates it. Writability is probed by creating and deleting a uniquely
    /// named file, so two runs probing one folder never collide. On failure, folders this call created are
    /// removed again, so bad input leaves the disk as it was.
    /// </summary>
    /// <param name="outputs">File names the run writes; any of them present means an earlier run's folder.</param>
    /// <returns>The full path of the folder.</returns>
    /// <exception cref="ArgumentException">Why the folder cannot be used, naming <c>--out</c> and the path.</exception>
    public static string Prepare(string? path, IReadOnlyList<string> outputs, bool force)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException("--out is empty; give a folder for the run's outputs.");
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ArgumentException($"--out '{path}' is not a valid path: {e.Message}");
        }
        if (File.Exists(full))
            throw new ArgumentException($"--out '{path}' is an existing file, not a folder.");
        if (Directory.Exists(full))
        {
            string[] existing = outputs.Where(name => File.Exists(Path.Combine(full, name))).ToArray();
            if (existing.Length > 0 && !force)
                throw new ArgumentException($"--out '{path}' already holds a run ({string.Join(", ", existing)}); use --force to overwrite it, or another folder.");
        }

        // The first missing ancestor: everything from there down is ours to remove if the folder is unusable.
        string? firstCreated = null;
        for (string? dir = full; dir is not null && !Directory.Exists(dir); dir = Path.GetDirectoryName(dir))
            firstCreated = dir;
        try
        {
            Directory.CreateDirectory(full);
            string probe = Path.Combine(full, $".rlk-write-probe.{Environment.ProcessId}.{Guid.NewGuid():N}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
            return full;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (firstCreated is not null)
            {
                try { Directory.Delete(firstCreated, recursive: true); }
                catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException) { /* best effort: it was never usable */ }
            }
            throw new ArgumentException($"--out '{path}' cannot be created or written: {e.Message}");
        }
    }
}
