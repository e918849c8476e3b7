using System.Text;

namespace RlKernels.Kernels.IO;

/// <summary>
/// Writes a file so that readers only ever see the old complete file or the new complete file: the bytes go to
/// a unique temporary name in the same folder (so concurrent writers never share one), are flushed to disk,
/// then the temporary file is renamed over the final name. On any failure the temporary file is removed and
/// the final name is left as it was.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>.</summary>
    /// <exception cref="IOException">The write or the rename failed (disk full, no permission…); the message names <paramref name="path"/>.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? ".";
        // Dot-prefixed so a half-written file never looks like an output; unique per call (concurrent runs share folders).
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new IOException($"Could not write {path}: {e.Message}", e);
        }
        catch (ArgumentOutOfRangeException e) when (e.StackTrace?.Contains("System.IO.RandomAccess", StringComparison.Ordinal) == true)
        {
            // The runtime reports EFBIG (a write past the file-size limit, ulimit -f) this way, not as an IOException.
            TryDelete(temp);
            throw new IOException($"Could not write {path}: the file would exceed the file-size limit.", e);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, stream => stream.Write(new UTF8Encoding(false).GetBytes(text)));

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
