using System.Diagnostics;
using System.Runtime.CompilerServices;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Nn;
using RlKernels.Kernels.Threading;

namespace RlKernels.Kernels.Hardware;

/// <summary>
/// The machine's single-precision FMA peak, measured: every core runs a loop of fused multiply-adds on
/// register-resident vectors with enough independent accumulators to hide the FMA latency (4 cycles × 2
/// FMA ports needs 8 in flight; 16 where there are 32 vector registers, as with AVX-512 and NEON, else 12 so they
/// fit in 16). The loop is written once per width in Nn/NnWidth.template. The yardstick that compute-bound kernels (the MLP matrix products) are reported against.
/// </summary>
public static unsafe class FmaPeak
{
    /// <summary>
    /// Best GFLOP/s (10^9 float operations per second, an FMA counting 2) of <paramref name="repeats"/>
    /// timed runs of about <paramref name="seconds"/> each, after an untimed calibration run. The best, not
    /// the median: other processes can only slow the loop down, never speed it up, so the fastest run is
    /// the closest to the hardware's peak.
    /// </summary>
    /// <param name="threads">Threads; 0 = all cores.</param>
    /// <param name="width">Vector width in floats: 16 (Vector512), 8 (Vector256), 4 (Vector128), 1 (scalar), or 0 = the widest accelerated.</param>
    /// <param name="seconds">Target seconds per timed run.</param>
    /// <param name="repeats">Timed runs (≥ 1).</param>
    public static double MeasureGflops(int threads = 0, int width = 0, double seconds = 0.05, int repeats = 5)
    {
        if (repeats < 1) throw new ArgumentException($"Repeats must be ≥ 1, got {repeats}.", nameof(repeats));
        using var probe = Probe.Create(threads, width, seconds);
        var rates = new double[repeats];
        for (int r = 0; r < repeats; r++) rates[r] = probe.TimeRepeat();
        return rates.Max();
    }

    /// <summary>
    /// The FMA loop on its own threads, calibrated once, timed run by run: for a benchmark that times its own repeats in
    /// rounds with the peak's (<c>rlk bench mlp</c>), so that both are taken over the same seconds of a machine whose
    /// speed drifts. Dispose stops the threads.
    /// </summary>
    public sealed class Probe : IDisposable
    {
        private readonly WorkerPool _pool;
        private readonly FmaJob _job;
        private readonly int _workers;

        private Probe(int workers, int width)
        {
            _workers = workers;
            _pool = new WorkerPool(workers);
            _job = new FmaJob(workers, width);
        }

        /// <summary>A probe on <paramref name="threads"/> threads (0 = all cores) and <paramref name="width"/>-float
        /// vectors (0 = the widest accelerated), calibrated so that a timed run lasts about <paramref name="seconds"/>.</summary>
        /// <exception cref="ArgumentException">A negative thread count, a width other than 0, 1, 4, 8, 16 or one not
        /// accelerated here, or seconds not positive.</exception>
        public static Probe Create(int threads = 0, int width = 0, double seconds = 0.05)
        {
            if (threads < 0) throw new ArgumentException($"Threads must be ≥ 0, got {threads}.", nameof(threads));
            if (!(seconds > 0)) throw new ArgumentException($"Seconds must be positive, got {seconds}.", nameof(seconds));
            if (width == 0) width = LaneSelection.HardwareWidth;
            if (!LaneSelection.Widths.Contains(width)) throw new ArgumentException($"Width must be 1, 4, 8 or 16, got {width}.", nameof(width));
            if (!LaneSelection.IsAccelerated(width)) throw new ArgumentException($"{width}-float vectors are not hardware-accelerated here.", nameof(width));
            var probe = new Probe(threads > 0 ? threads : Environment.ProcessorCount, width);
            probe.Calibrate(seconds);
            return probe;
        }

        /// <summary>Grows the iteration count until a run lasts a tenth of the target, then scales it to the target.</summary>
        private void Calibrate(double seconds)
        {
            _job.Iterations = 1024;
            double elapsed = Time();
            while (elapsed < seconds / 10 && _job.Iterations < 1L << 40)
            {
                _job.Iterations *= 4;
                elapsed = Time();
            }
            _job.Iterations = Math.Max(1024, (long)(_job.Iterations * seconds / Math.Max(elapsed, 1e-9)));
        }

        /// <summary>One timed run: GFLOP/s (10^9 float operations per second, an FMA counting 2) on all the probe's threads.</summary>
        public double TimeRepeat()
        {
            double rate = _job.FlopsPerRun(_workers) / Time() / 1e9;
            // The sums are checked so the loop cannot be optimized away.
            if (!double.IsFinite(_job.Total())) throw new InvalidOperationException("FMA peak probe produced a non-finite sum.");
            return rate;
        }

        private double Time()
        {
            long start = Stopwatch.GetTimestamp();
            _pool.Run(_job, _workers);
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        /// <summary>Stops the probe's threads.</summary>
        public void Dispose() => _pool.Dispose();
    }

    private sealed class FmaJob(int parts, int width) : IRangeJob
    {
        private readonly double[] _sums = new double[parts * 8];  // [parts, 8]: a cache line apart

        /// <summary>Loop iterations per thread.</summary>
        public long Iterations;

        /// <summary>Accumulators × lanes × 2 flops per iteration, on every thread.</summary>
        public double FlopsPerRun(int threads) => (double)Iterations * threads * width switch
        {
            16 => FmaLoop512.Accumulators * 16,
            8 => FmaLoop256.Accumulators * 8,
            4 => FmaLoop128.Accumulators * 4,
            _ => 8,
        } * 2;

        public double Total()
        {
            double total = 0;
            for (int p = 0; p < parts; p++) total += _sums[p * 8];
            return total;
        }

        public void Run(int start, int end)
        {
            for (int part = start; part < end; part++)
                _sums[part * 8] = width switch
                {
                    16 => FmaLoop512.Loop(Iterations, M, A),
                    8 => FmaLoop256.Loop(Iterations, M, A),
                    4 => FmaLoop128.Loop(Iterations, M, A),
                    _ => LoopScalar(Iterations),
                };
        }
    }

    // AggressiveOptimization: a loop method called a few times would otherwise run as tier-0 / OSR code
    // with the accumulators on the stack.
    // acc ← acc·m + a with m just below 1 converges to a/(1 − m): values stay finite and normal however
    // long the loop runs, so no denormal slow path distorts the rate.
    private const float M = 0.99999994f, A = 1e-7f;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double LoopScalar(long iterations)
    {
        float c0 = 0, c1 = 1, c2 = 2, c3 = 3, c4 = 4, c5 = 5, c6 = 6, c7 = 7;
        for (long i = 0; i < iterations; i++)
        {
            c0 = MathF.FusedMultiplyAdd(c0, M, A); c1 = MathF.FusedMultiplyAdd(c1, M, A);
            c2 = MathF.FusedMultiplyAdd(c2, M, A); c3 = MathF.FusedMultiplyAdd(c3, M, A);
            c4 = MathF.FusedMultiplyAdd(c4, M, A); c5 = MathF.FusedMultiplyAdd(c5, M, A);
            c6 = MathF.FusedMultiplyAdd(c6, M, A); c7 = MathF.FusedMultiplyAdd(c7, M, A);
        }
        return c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7;
    }
}
