using System.Diagnostics;
using System.Runtime.Intrinsics;
using RlKernels.Kernels.Threading;

namespace RlKernels.Kernels.Hardware;

/// <summary>
/// The machine's streaming read bandwidth, measured: all cores sum disjoint parts of one large float32
/// array with 512-bit vectors (four independent accumulators, so the adds never limit the loads). The
/// yardstick that bandwidth-bound kernels (Q-iteration sweeps) are reported against.
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
        if (bytes < 1 << 20) throw new ArgumentException($"Measure at least 1 MiB, got {bytes} bytes.", nameof(bytes));
        if (passes < 1) throw new ArgumentException($"Passes must be ≥ 1, got {passes}.", nameof(passes));
        if (threads < 0) throw new ArgumentException($"Threads must be ≥ 0, got {threads}.", nameof(threads));
        int count = (int)Math.Min(bytes / sizeof(float), Array.MaxLength) & ~63;
        var data = GC.AllocateArray<float>(count, pinned: true);  // [count]
        Array.Fill(data, 1f);
        int workers = threads > 0 ? threads : Environment.ProcessorCount;
        using var pool = new WorkerPool(workers);
        var job = new SumJob(data, workers);
        pool.Run(job, workers);  // fault in, warm up the JIT
        var rates = new double[passes];
        for (int p = 0; p < passes; p++)
        {
            long start = Stopwatch.GetTimestamp();
            pool.Run(job, workers);
            rates[p] = (double)count * sizeof(float) / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9;
        }
        // The sums are checked so the reads cannot be optimized away.
        if (job.Total() != count) throw new InvalidOperationException($"Bandwidth probe summed {job.Total()}, expected {count}.");
        Array.Sort(rates);
        return rates[passes / 2];
    }

    private sealed class SumJob(float[] data, int parts) : IRangeJob
    {
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
                    long from = (long)data.Length * part / parts & ~63L, to = part == parts - 1 ? data.Length : (long)data.Length * (part + 1) / parts & ~63L;
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
