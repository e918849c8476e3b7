namespace RlKernels.Kernels.Threading;

/// <summary>A unit of work split into contiguous index ranges, one per worker.</summary>
public interface IRangeJob
{
    /// <summary>Processes items [start, end).</summary>
    void Run(int start, int end);
}

/// <summary>
/// Persistent worker threads that split a range over all cores without allocating per call
/// (Parallel.For allocates per invocation, and the batched step must not). The caller's thread
/// takes the first partition, so a pool of size 1 runs everything inline.
/// </summary>
public sealed class WorkerPool : IDisposable
{
    private readonly Thread[] _threads;
    private readonly SemaphoreSlim[] _start;
    private readonly CountdownEvent _done;
    private IRangeJob? _job;
    private int _count;
    private volatile bool _disposed;
    private Exception? _failure;

    /// <summary>Number of threads work is split over, the caller's included.</summary>
    public int ThreadCount { get; }

    /// <summary>Starts <paramref name="threadCount"/> − 1 background threads (the caller is the last worker).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threadCount"/> is less than 1.</exception>
    public WorkerPool(int threadCount)
    {
        if (threadCount < 1) throw new ArgumentOutOfRangeException(nameof(threadCount), threadCount, "threadCount must be at least 1.");
        ThreadCount = threadCount;
        _threads = new Thread[threadCount - 1];
        _start = new SemaphoreSlim[threadCount - 1];
        _done = new CountdownEvent(1);
        // A first blocking wait makes the event allocate its lock object; do it now, so no later Run
        // allocates (the batched step promises zero allocations per call).
        _done.Wait(1);
        _done.Signal();
        for (int w = 0; w < _threads.Length; w++)
        {
            int worker = w + 1;
            _start[w] = new SemaphoreSlim(0);
            _threads[w] = new Thread(() => Loop(worker)) { IsBackground = true, Name = $"rlk-worker-{worker}" };
            _threads[w].Start();
        }
    }

    /// <summary>Runs <paramref name="job"/> over [0, count), split into ThreadCount contiguous parts.</summary>
    public void Run(IRangeJob job, int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int parts = Math.Min(ThreadCount, count);
        if (parts <= 1)
        {
            if (count > 0) job.Run(0, count);
            return;
        }
        _job = job;
        _count = count;
        _failure = null;
        _done.Reset(parts - 1);
        for (int w = 0; w < parts - 1; w++) _start[w].Release();
        Exception? own = null;
        try
        {
            var (start, end) = Partition(0, parts, count);
            job.Run(start, end);
        }
        catch (Exception e)
        {
            own = e;
        }
        _done.Wait();
        _job = null;
        if (own is not null) throw own;
        if (_failure is not null) throw new AggregateException("A worker thread failed.", _failure);
    }

    private static (int Start, int End) Partition(int part, int parts, int count)
    {
        long start = (long)count * part / parts;
        long end = (long)count * (part + 1) / parts;
        return ((int)start, (int)end);
    }

    private void Loop(int worker)
    {
        while (true)
        {
            _start[worker - 1].Wait();
            if (_disposed) return;
            try
            {
                int parts = Math.Min(ThreadCount, _count);
                var (start, end) = Partition(worker, parts, _count);
                _job!.Run(start, end);
            }
            catch (Exception e)
            {
                _failure = e;
            }
            finally
            {
                _done.Signal();
            }
        }
    }

    /// <summary>Stops and joins the worker threads; calling it again does nothing.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var s in _start) s.Release();
        foreach (var t in _threads) t.Join();
        foreach (var s in _start) s.Dispose();
        _done.Dispose();
    }
}
