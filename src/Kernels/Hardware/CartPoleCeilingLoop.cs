using System.Diagnostics;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Threading;

namespace RlKernels.Kernels.Hardware;

/// <summary>
/// The <see cref="CartPoleCeiling"/> loop made once, warmed up and calibrated, then timed one repeat at a time, so that
/// a benchmark can alternate its repeats with those of the rows it is the ceiling of (drift of a shared machine then
/// falls on both alike instead of on the percentage).
/// </summary>
public abstract class CartPoleCeilingLoop : IDisposable
{
    /// <summary>Envs stepped.</summary>
    public int EnvCount { get; }
    /// <summary>Lane width.</summary>
    public abstract int Lanes { get; }
    /// <summary>Threads stepping.</summary>
    public abstract int Threads { get; }
    /// <summary>Steps per timed call (set by <see cref="WarmUp"/>: calls of about 20 ms, like rlk bench's env rows).</summary>
    public abstract int StepsPerCall { get; }

    private protected CartPoleCeilingLoop(int envCount) => EnvCount = envCount;

    /// <summary>The loop for <paramref name="envCount"/> envs.</summary>
    /// <param name="envCount">Envs stepped (≥ 1).</param>
    /// <param name="width">Lane width: 16, 8, 4 or 1; 0 = the width the cpu backend uses (<see cref="LaneSelection.BestWidth"/>).</param>
    /// <param name="threads">Threads; 0 = all cores, fewer when each would get under <see cref="CartPoleCeiling.MinVecsPerThread"/> lane values.</param>
    public static CartPoleCeilingLoop Create(int envCount, int width = 0, int threads = 0)
    {
        if (envCount < 1) throw new ArgumentException($"envCount must be ≥ 1, got {envCount}.", nameof(envCount));
        if (threads < 0) throw new ArgumentException($"Threads must be ≥ 0, got {threads}.", nameof(threads));
        if (width == 0) width = LaneSelection.BestWidth;
        return width switch
        {
            16 => new Loop<F16>(envCount, threads),
            8 => new Loop<F8>(envCount, threads),
            4 => new Loop<F4>(envCount, threads),
            1 => new Loop<F1>(envCount, threads),
            _ => throw new ArgumentException($"Width must be 1, 4, 8 or 16, got {width}.", nameof(width)),
        };
    }

    /// <summary>Untimed calls (JIT tiers), then the steps per call calibrated to calls of about 20 ms.</summary>
    public abstract void WarmUp();

    /// <summary>One timed repeat: back-to-back calls for at least <paramref name="seconds"/>.</summary>
    /// <returns>Env-steps per second.</returns>
    public abstract double TimeRepeat(double seconds);

    /// <inheritdoc />
    public abstract void Dispose();

    private sealed class Loop<T> : CartPoleCeilingLoop where T : struct, ILane<T>
    {
        private readonly CartPoleCeiling.Job<T> _job;
        private readonly WorkerPool _pool;

        public Loop(int envCount, int threads) : base(envCount)
        {
            _job = new CartPoleCeiling.Job<T>(envCount) { Steps = 1 };
            int workers = threads > 0 ? threads : Environment.ProcessorCount;
            workers = Math.Max(1, Math.Min(workers, _job.VecCount / CartPoleCeiling.MinVecsPerThread));
            _pool = new WorkerPool(workers);
        }

        public override int Lanes => T.Count;
        public override int Threads => _pool.ThreadCount;
        public override int StepsPerCall => _job.Steps;

        public override void WarmUp()
        {
            _job.Steps = 1;
            for (int i = 0; i < 64; i++) _pool.Run(_job, _job.VecCount);
            // The faster of two calls at each length: a descheduled thread slows one call, not both.
            double call = Math.Min(TimeCall(), TimeCall());
            while (call < 0.01 && _job.Steps < 1 << 24)
            {
                _job.Steps *= 2;
                call = Math.Min(TimeCall(), TimeCall());
            }
            _job.Steps = (int)Math.Clamp(_job.Steps * 0.02 / Math.Max(call, 1e-9), 1, 1 << 24);
        }

        public override double TimeRepeat(double seconds)
        {
            if (!(seconds > 0)) throw new ArgumentException($"Seconds must be positive, got {seconds}.", nameof(seconds));
            long calls = 0;
            long start = Stopwatch.GetTimestamp();
            double elapsed;
            do
            {
                _pool.Run(_job, _job.VecCount);
                calls++;
                elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            } while (elapsed < seconds);
            // The state is checked so the loop cannot be optimized away (and stays finite).
            if (!_job.IsFinite()) throw new InvalidOperationException("CartPole ceiling loop produced a non-finite state.");
            return (double)EnvCount * _job.Steps * calls / elapsed;
        }

        private double TimeCall()
        {
            long start = Stopwatch.GetTimestamp();
            _pool.Run(_job, _job.VecCount);
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        public override void Dispose() => _pool.Dispose();
    }
}
