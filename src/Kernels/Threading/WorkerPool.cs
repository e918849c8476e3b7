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
    // RunItems: true while the threads take items one at a time from the parts' counters instead of running fixed parts.
    private bool _dynamic;
    // Threads the running job is split over (the caller's included).
    private int _parts;
    // RunItems: part t's next item at [t·PartStride] and its end at [t·PartStride + 1]; each part on a 128-byte line of
    // its own, so a thread counting through its part does not take the line from the others.
    private readonly int[] _partItems;
    private const int PartStride = 32;
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
        _partItems = new int[threadCount * PartStride];
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
    /// Runs <paramref name="job"/> on the items 0 … count − 1, one <c>Run(i, i + 1)</c> call each. The items are cut
    /// into ThreadCount contiguous parts as <see cref="Run"/> cuts them; each thread takes the items of its own part
    /// in order and then helps with the other parts' remaining items. For jobs whose items are independent and
    /// coarse (whole chunks of a batch): a thread slowed by another process takes fewer items instead of holding
    /// every other thread up at the end, as fixed parts do; and while no thread is slowed, jobs of the same count
    /// give each thread the same items, so what one job wrote for an item is still in that thread's core cache
    /// when the next job reads it (an MLP's forward pass and then its backward pass: handing the items to
    /// whichever thread was free made the cores fetch each other's activations). Which thread runs an item must
    /// not change its result.
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
        _parts = parts;
        if (dynamic)
            for (int t = 0; t < parts; t++)
            {
                var (start, end) = Partition(t, parts, count);
                _partItems[t * PartStride] = start;
                _partItems[t * PartStride + 1] = end;
            }
        _failure = null;
        _done.Reset(parts - 1);
        for (int w = 0; w < parts - 1; w++) _start[w].Release();
        Exception? own = null;
        try
        {
            if (dynamic) TakeItems(job, part: 0);
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

    /// <summary>A thread's share of <see cref="RunItems"/>: its own part's items, then the later parts', then the earlier ones'.</summary>
    private void TakeItems(IRangeJob job, int part)
    {
        int parts = _parts;
        for (int k = 0; k < parts; k++)
        {
            int t = (part + k) % parts;
            ref int next = ref _partItems[t * PartStride];
            int end = _partItems[t * PartStride + 1];
            for (int i = Interlocked.Increment(ref next) - 1; i < end; i = Interlocked.Increment(ref next) - 1)
                job.Run(i, i + 1);
        }
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
                if (_dynamic) TakeItems(_job!, part: worker);
                else
                {
                    var (start, end) = Partition(worker, _parts, _count);
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
