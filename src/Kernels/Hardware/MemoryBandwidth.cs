using System.Diagnostics;
using System.Runtime.Intrinsics;
using RlKernels.Kernels.Threading;

namespace RlKernels.Kernels.Hardware;

/// <summary>
/// The machine's streaming bandwidth, measured: read (all cores sum disjoint parts of one large float32
/// array with 512-bit vectors, four independent accumulators so the adds never limit the loads) and copy.
/// The yardsticks that bandwidth-bound kernels (Q-iteration sweeps, env outputs) are reported against.
/// </summary>
public static unsafe class MemoryBandwidth
{
    /// <summary>
    /// Median GB/s (10^9 bytes per second) of <paramref name="passes"/> timed passes over
    /// <paramref name="bytes"/> bytes, after one untimed pass that faults the pages in.
    /// </summary>
    /// <param name="bytes">Array size; use far more than the last-level cache (default 512 MiB).</param>
    /// <param name="threads">Reader threads; 0 = all cores.</param>
    /// <param name="passes">Timed passes (≥ 1).</param>
    public static double MeasureReadGBps(long bytes = 512L << 20, int threads = 0, int passes = 7)
    {
        int count = CheckAndCount(bytes, threads, passes);
        var data = GC.AllocateArray<float>(count, pinned: true);  // [count]
        Array.Fill(data, 1f);
        var job = new SumJob(data, Workers(threads));
        double rate = MedianRate(job, (double)count * sizeof(float), passes);
        // The sums are checked so the reads cannot be optimized away.
        if (job.Total() != count) throw new InvalidOperationException($"Bandwidth probe summed {job.Total()}, expected {count}.");
        return rate;
    }

    /// <summary>
    /// Median copy GB/s: all cores copy disjoint parts of one float32 array of <paramref name="bytes"/>/2
    /// bytes into another with 512-bit loads and stores. Counted as STREAM's Copy counts it, bytes read
    /// plus bytes written (a write-allocating cache also reads the destination, which is not counted).
    /// The yardstick for kernels that stream outputs (an env writing observations, a wrapper copying frames).
    /// </summary>
    /// <param name="bytes">Both arrays together; use far more than the last-level cache (default 512 MiB).</param>
    /// <param name="threads">Copying threads; 0 = all cores.</param>
    /// <param name="passes">Timed passes (≥ 1).</param>
    public static double MeasureCopyGBps(long bytes = 512L << 20, int threads = 0, int passes = 7)
    {
        int count = CheckAndCount(bytes / 2, threads, passes);
        var src = GC.AllocateArray<float>(count, pinned: true);  // [count]
        var dst = GC.AllocateArray<float>(count, pinned: true);  // [count]
        for (int i = 0; i < count; i++) src[i] = i & 1023;
        var job = new CopyJob(src, dst, Workers(threads));
        double rate = MedianRate(job, 2.0 * count * sizeof(float), passes);
        // Spot checks so the stores cannot be optimized away.
        for (int i = 0; i < count; i += 4099)
            if (dst[i] != src[i]) throw new InvalidOperationException($"Copy probe: element {i} is {dst[i]}, expected {src[i]}.");
        return rate;
    }

    private static int CheckAndCount(long bytes, int threads, int passes)
    {
        if (bytes < 1 << 20) throw new ArgumentException($"Measure at least 1 MiB, got {bytes} bytes.", nameof(bytes));
        if (passes < 1) throw new ArgumentException($"Passes must be ≥ 1, got {passes}.", nameof(passes));
        if (threads < 0) throw new ArgumentException($"Threads must be ≥ 0, got {threads}.", nameof(threads));
        return (int)Math.Min(bytes / sizeof(float), Array.MaxLength) & ~63;
    }

    private static int Workers(int threads) => threads > 0 ? threads : Environment.ProcessorCount;

    /// <summary>One untimed pass (faults pages in, warms the JIT), then the median of <paramref name="passes"/> timed ones.</summary>
    private static double MedianRate(IPartJob job, double bytesPerPass, int passes)
    {
        using var pool = new WorkerPool(job.Parts);
        pool.Run(job, job.Parts);
        var rates = new double[passes];
        for (int p = 0; p < passes; p++)
        {
            long start = Stopwatch.GetTimestamp();
            pool.Run(job, job.Parts);
            rates[p] = bytesPerPass / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9;
        }
        Array.Sort(rates);
        return rates[passes / 2];
    }

    private interface IPartJob : IRangeJob
    {
        int Parts { get; }
    }

    /// <summary>Part <paramref name="part"/> of <paramref name="parts"/>: [from, to), 64-element aligned.</summary>
    private static (long From, long To) PartRange(long length, int part, int parts) =>
        (length * part / parts & ~63L, part == parts - 1 ? length : length * (part + 1) / parts & ~63L);

    private sealed class CopyJob(float[] src, float[] dst, int parts) : IPartJob
    {
        public int Parts => parts;

        public void Run(int start, int end)
        {
            fixed (float* s = src)
            fixed (float* d = dst)
                for (int part = start; part < end; part++)
                {
                    var (from, to) = PartRange(src.Length, part, parts);
                    for (long i = from; i < to; i += 64)
                    {
                        Vector512.Store(Vector512.Load(s + i), d + i);
                        Vector512.Store(Vector512.Load(s + i + 16), d + i + 16);
                        Vector512.Store(Vector512.Load(s + i + 32), d + i + 32);
                        Vector512.Store(Vector512.Load(s + i + 48), d + i + 48);
                    }
                }
        }
    }

    private sealed class SumJob(float[] data, int parts) : IPartJob
    {
        public int Parts => parts;

        private readonly double[] _sums = new double[parts * 8];  // [parts, 8]: a cache line apart

        public double Total()
        {
            double total = 0;
            for (int p = 0; p < parts; p++) total += _sums[p * 8];
            return total;
        }

        public void Run(int start, int end)
        {
            fixed (float* basePtr = data)
                for (int part = start; part < end; part++)
                {
                    var (from, to) = PartRange(data.Length, part, parts);
                    var s0 = Vector512<float>.Zero;
                    var s1 = s0;
                    var s2 = s0;
                    var s3 = s0;
                    double total = 0;
                    // Blocks of 2^16 floats keep float32 sums of 1s exact (each lane ≤ 1024 per block).
                    for (long block = from; block < to; block += 1 << 16)
                    {
                        long blockEnd = Math.Min(to, block + (1 << 16));
                        for (long i = block; i < blockEnd; i += 64)
                        {
                            s0 += Vector512.Load(basePtr + i);
                            s1 += Vector512.Load(basePtr + i + 16);
                            s2 += Vector512.Load(basePtr + i + 32);
                            s3 += Vector512.Load(basePtr + i + 48);
                        }
                        total += Vector512.Sum(s0 + s1 + s2 + s3);
                        s0 = s1 = s2 = s3 = Vector512<float>.Zero;
                    }
                    _sums[part * 8] = total;
                }
        }
    }
}
