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
    // RunItems: true while the threads take items one at a time from _nextItem instead of fixed parts.
    private bool _dynamic;
    private int _nextItem;
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
    public void Run(IRangeJob job, int count) => Start(job, count, dynamic: false);

    /// <summary>
    /// Runs <paramref name="job"/> on the items 0 … count − 1, one <c>Run(i, i + 1)</c> call each, handed out in
    /// order to whichever thread is free. For jobs whose items are independent and coarse (whole chunks of a
    /// batch): a thread slowed by another process takes fewer items instead of holding every other thread up
    /// at the end, as fixed parts do. Which thread runs an item must not change its result.
    /// </summary>
    public void RunItems(IRangeJob job, int count) => Start(job, count, dynamic: true);

    private void Start(IRangeJob job, int count, bool dynamic)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int parts = Math.Min(ThreadCount, count);
        if (parts <= 1)
        {
            if (dynamic)
                for (int i = 0; i < count; i++) job.Run(i, i + 1);
            else if (count > 0) job.Run(0, count);
            return;
        }
        _job = job;
        _count = count;
        _dynamic = dynamic;
        _nextItem = 0;
        _failure = null;
        _done.Reset(parts - 1);
        for (int w = 0; w < parts - 1; w++) _start[w].Release();
        Exception? own = null;
        try
        {
            if (dynamic) TakeItems(job, count);
            else
            {
                var (start, end) = Partition(0, parts, count);
                job.Run(start, end);
            }
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

    private void TakeItems(IRangeJob job, int count)
    {
        for (int i = Interlocked.Increment(ref _nextItem) - 1; i < count; i = Interlocked.Increment(ref _nextItem) - 1)
            job.Run(i, i + 1);
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
                if (_dynamic) TakeItems(_job!, _count);
                else
                {
                    int parts = Math.Min(ThreadCount, _count);
                    var (start, end) = Partition(worker, parts, _count);
                    _job!.Run(start, end);
                }
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
