using System.Collections.Concurrent;
using RlKernels.Kernels.Threading;

namespace RlKernels.Tests.Kernels;

public class WorkerPoolTests
{
    /// <summary>Counts how often each index is visited and records every range with the thread that ran it.</summary>
    private sealed class RecordingJob(int capacity) : IRangeJob
    {
        public readonly int[] Hits = new int[capacity];
        public readonly ConcurrentQueue<(int Start, int End, int Thread)> Ranges = new();

        public void Run(int start, int end)
        {
            Ranges.Enqueue((start, end, Environment.CurrentManagedThreadId));
            for (int i = start; i < end; i++) Interlocked.Increment(ref Hits[i]);
        }
    }

    private sealed class ThrowingJob(Func<int, int, bool> shouldThrow) : IRangeJob
    {
        public void Run(int start, int end)
        {
            if (shouldThrow(start, end)) throw new InvalidOperationException($"boom at [{start}, {end})");
        }
    }

    /// <summary>Every part waits for all the others: passes only if the parts really run at the same time.</summary>
    private sealed class BarrierJob(int parts) : IRangeJob
    {
        private readonly Barrier _barrier = new(parts);
        public int TimedOut;

        public void Run(int start, int end)
        {
            if (!_barrier.SignalAndWait(TimeSpan.FromSeconds(10))) Interlocked.Increment(ref TimedOut);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void RangesCoverEveryIndexExactlyOnce(int threads)
    {
        using var pool = new WorkerPool(threads);
        Assert.Equal(threads, pool.ThreadCount);
        int caller = Environment.CurrentManagedThreadId;
        for (int n = 0; n <= 50; n++)
        {
            var job = new RecordingJob(n);
            pool.Run(job, n);
            string ctx = $"threads {threads}, n {n}, ranges [{string.Join(", ", job.Ranges.Select(r => $"[{r.Start},{r.End})@{r.Thread}"))}]";
            for (int i = 0; i < n; i++) Assert.True(job.Hits[i] == 1, $"index {i} visited {job.Hits[i]} times; {ctx}");
            var ranges = job.Ranges.OrderBy(r => r.Start).ToArray();
            Assert.True(ranges.Length == Math.Min(threads, n), $"expected {Math.Min(threads, n)} ranges; {ctx}");
            for (int k = 0; k < ranges.Length; k++)
            {
                Assert.True(ranges[k].End > ranges[k].Start, $"empty range; {ctx}");
                Assert.True(ranges[k].Start == (k == 0 ? 0 : ranges[k - 1].End), $"ranges not contiguous; {ctx}");
            }
            if (n > 0)
            {
                Assert.True(ranges[^1].End == n, $"ranges do not end at n; {ctx}");
                // Balanced: part sizes differ by at most one.
                Assert.True(ranges.Max(r => r.End - r.Start) - ranges.Min(r => r.End - r.Start) <= 1, $"unbalanced; {ctx}");
                // The caller's thread takes the first part; each part runs on its own thread.
                Assert.True(ranges[0].Thread == caller, $"first part not on the caller's thread; {ctx}");
                Assert.True(ranges.Select(r => r.Thread).Distinct().Count() == ranges.Length, $"two parts on one thread; {ctx}");
            }
        }
    }

    [Fact]
    public void RepeatedRunsOnOnePool()
    {
        int seed = KernelAssert.FreshSeed();
        var rng = new System.Random(seed);
        using var pool = new WorkerPool(4);
        for (int run = 0; run < 300; run++)
        {
            int n = rng.Next(0, 200);
            var job = new RecordingJob(n);
            pool.Run(job, n);
            for (int i = 0; i < n; i++)
                Assert.True(job.Hits[i] == 1, $"run {run}, n {n}, index {i} visited {job.Hits[i]} times (seed {seed})");
        }
    }

    [Fact]
    public void PartsRunConcurrently()
    {
        using var pool = new WorkerPool(4);
        var job = new BarrierJob(4);
        pool.Run(job, 100);
        Assert.Equal(0, job.TimedOut);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void CallerExceptionPropagatesAndPoolStaysUsable(int threads)
    {
        using var pool = new WorkerPool(threads);
        var e = Assert.Throws<InvalidOperationException>(() => pool.Run(new ThrowingJob((start, _) => start == 0), 40));
        Assert.Contains("boom at [0,", e.Message);
        AssertRunsEachIndexOnce(pool, 40);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void WorkerExceptionPropagatesAndPoolStaysUsable(int threads)
    {
        using var pool = new WorkerPool(threads);
        for (int repeat = 0; repeat < 3; repeat++)
        {
            // Only the last part (a worker thread) throws.
            var e = Assert.Throws<AggregateException>(() => pool.Run(new ThrowingJob((_, end) => end == 40), 40));
            var inner = Assert.IsType<InvalidOperationException>(e.InnerException);
            Assert.Contains("boom", inner.Message);
            AssertRunsEachIndexOnce(pool, 40);
        }
        // Every part throws: some exception still surfaces, and the pool recovers.
        Assert.ThrowsAny<Exception>(() => pool.Run(new ThrowingJob((_, _) => true), 40));
        AssertRunsEachIndexOnce(pool, 40);
    }

    /// <summary>The pool is usable: a job over [0, <paramref name="n"/>) visits every index exactly once.</summary>
    private static void AssertRunsEachIndexOnce(WorkerPool pool, int n)
    {
        var job = new RecordingJob(n);
        pool.Run(job, n);
        Assert.All(job.Hits, h => Assert.Equal(1, h));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void RunItemsRunsEveryItemOnceAlone(int threads)
    {
        using var pool = new WorkerPool(threads);
        for (int n = 0; n <= 50; n++)
        {
            var job = new RecordingJob(n);
            pool.RunItems(job, n);
            string ctx = $"threads {threads}, n {n}, ranges [{string.Join(", ", job.Ranges.Select(r => $"[{r.Start},{r.End})"))}]";
            for (int i = 0; i < n; i++) Assert.True(job.Hits[i] == 1, $"item {i} ran {job.Hits[i]} times; {ctx}");
            Assert.True(job.Ranges.All(r => r.End == r.Start + 1), $"an item range is not one item; {ctx}");
            Assert.True(job.Ranges.Count == n, $"expected {n} calls; {ctx}");
        }
    }

    /// <summary>
    /// Item 0 waits until every other item has run: passes only if the other threads take all the items while
    /// the thread holding item 0 is busy (with fixed parts, that thread would own items 0 … n/T − 1 and time out).
    /// </summary>
    private sealed class SlowFirstItemJob(int count) : IRangeJob
    {
        private int _done;
        public int TimedOut;

        public void Run(int start, int end)
        {
            if (start == 0)
            {
                if (!SpinWait.SpinUntil(() => Volatile.Read(ref _done) == count - 1, TimeSpan.FromSeconds(10))) TimedOut = 1;
            }
            else Interlocked.Increment(ref _done);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void RunItemsHandsItemsToFreeThreads(int threads)
    {
        using var pool = new WorkerPool(threads);
        var job = new SlowFirstItemJob(64);
        pool.RunItems(job, 64);
        Assert.Equal(0, job.TimedOut);
    }

    /// <summary>
    /// Records the first item each thread runs; no item finishes before every thread has started one, so no thread can
    /// run out of its own part and help with another before the others begin.
    /// </summary>
    private sealed class FirstItemsJob(int threads) : IRangeJob
    {
        private int _started;
        public readonly ConcurrentDictionary<int, int> FirstItem = new();
        public int TimedOut;

        public void Run(int start, int end)
        {
            if (FirstItem.TryAdd(Environment.CurrentManagedThreadId, start)) Interlocked.Increment(ref _started);
            if (!SpinWait.SpinUntil(() => Volatile.Read(ref _started) >= threads, TimeSpan.FromSeconds(10))) TimedOut = 1;
        }
    }

    [Theory]
    [InlineData(2, 8)]
    [InlineData(2, 16)]
    [InlineData(3, 10)]
    [InlineData(4, 64)]
    public void RunItemsStartsEachThreadOnItsOwnPart(int threads, int count)
    {
        // Jobs of one count give each thread the same items while none is slowed (what one job wrote for an item is then
        // in that thread's cache when the next job reads it): each thread begins at the start of its part, as Run cuts them.
        using var pool = new WorkerPool(threads);
        int caller = Environment.CurrentManagedThreadId;
        for (int repeat = 0; repeat < 3; repeat++)
        {
            var job = new FirstItemsJob(threads);
            pool.RunItems(job, count);
            Assert.Equal(0, job.TimedOut);
            var partStarts = Enumerable.Range(0, threads).Select(t => (int)((long)count * t / threads)).ToArray();
            string ctx = $"threads {threads}, count {count}: first items {string.Join(", ", job.FirstItem.Select(kv => $"{kv.Value}@{kv.Key}"))}";
            Assert.True(job.FirstItem.Count == threads, ctx);
            Assert.True(job.FirstItem.Values.Order().SequenceEqual(partStarts), ctx);
            Assert.True(job.FirstItem[caller] == 0, $"the caller's thread does not begin at item 0; {ctx}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void RunItemsExceptionPropagatesAndPoolStaysUsable(int threads)
    {
        using var pool = new WorkerPool(threads);
        for (int bad = 0; bad < 40; bad += 13)
        {
            int item = bad;
            var e = Assert.ThrowsAny<Exception>(() => pool.RunItems(new ThrowingJob((start, _) => start == item), 40));
            var inner = e is AggregateException a ? a.InnerException! : e;
            Assert.Contains($"boom at [{item},", inner.Message);
            AssertRunsEachIndexOnce(pool, 40);
            var job = new RecordingJob(40);
            pool.RunItems(job, 40);
            Assert.All(job.Hits, h => Assert.Equal(1, h));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task DisposeStopsThePool(int threads)
    {
        var pool = new WorkerPool(threads);
        pool.Run(new RecordingJob(10), 10);
        // Dispose joins the worker threads; it must not hang.
        await DisposeWithin(pool, TimeSpan.FromSeconds(10));
        pool.Dispose();   // twice is fine
        Assert.Throws<ObjectDisposedException>(() => pool.Run(new RecordingJob(10), 10));
        Assert.Throws<ObjectDisposedException>(() => pool.RunItems(new RecordingJob(10), 10));
    }

    [Fact]
    public async Task DisposeWithoutAnyRun() => await DisposeWithin(new WorkerPool(3), TimeSpan.FromSeconds(10));

    /// <summary>Disposes on another thread; a TimeoutException means Dispose hung.</summary>
    private static Task DisposeWithin(WorkerPool pool, TimeSpan limit) =>
        Task.Run(pool.Dispose, TestContext.Current.CancellationToken).WaitAsync(limit, TestContext.Current.CancellationToken);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void RejectsNonPositiveThreadCounts(int threads) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(threads));
}
