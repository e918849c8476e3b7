namespace RlKernels.Envs.Registry;

/// <summary>
/// How much memory a run may plan to allocate, so that counts (env copies, tables, batch sizes) are refused
/// with a clear message before allocating instead of ending in an <see cref="OutOfMemoryException"/>.
/// </summary>
public static class MemoryBudget
{
    /// <summary>
    /// Three quarters of the memory the GC may use (the machine's RAM, or the container's limit): the rest
    /// is left for the runtime, the networks and whatever else the process holds.
    /// </summary>
    public static long UsableBytes
    {
        get
        {
            long total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            return total > 0 ? total / 4 * 3 : 1L << 30;
        }
    }

    /// <summary>"12.3 GiB" style, for messages.</summary>
    public static string Format(long bytes) =>
        bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.0} GiB"
        : bytes >= 1L << 20 ? $"{bytes / (double)(1L << 20):0.0} MiB"
        : $"{bytes / 1024.0:0.0} KiB";
}
