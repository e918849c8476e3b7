using RlKernels.Cli.Commands;
using RlKernels.Kernels.Hardware;

namespace RlKernels.Tests.Cli;

/// <summary>
/// <see cref="InterleavedTiming"/>: rounds of one repeat per loop, the order reversed every other round, and each
/// loop's repeats returned in its own row.
/// </summary>
public sealed class InterleavedTimingTests
{
    /// <summary>A loop that records when it was timed and returns a rate that encodes who and which call.</summary>
    private sealed class RecordingLoop(string name, List<string> log) : ITimedLoop
    {
        private int _calls;
        public void WarmUp() => log.Add(name + " warm");
        public RepeatRate TimeRepeat(double seconds)
        {
            log.Add(name);
            return new RepeatRate(1000 * name[0] + _calls++, seconds);
        }
    }

    [Fact]
    public void RoundsAlternateTheOrderAndEachLoopKeepsItsOwnRepeats()
    {
        var log = new List<string>();
        var loops = new ITimedLoop[] { new RecordingLoop("A", log), new RecordingLoop("B", log), new RecordingLoop("C", log) };
        var rates = InterleavedTiming.Run(loops, repeats: 4, seconds: 0.5);
        Assert.Equal(["A", "B", "C", "C", "B", "A", "A", "B", "C", "C", "B", "A"], log);
        Assert.Equal(3, rates.Length);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(4, rates[i].Length);
            for (int r = 0; r < 4; r++)
            {
                Assert.Equal(1000 * ("ABC"[i]) + r, rates[i][r].PerSecond);
                Assert.Equal(0.5, rates[i][r].PerCpuSecond);
            }
        }
    }

    [Fact]
    public void BadArgumentsAreRefusedBeforeAnythingIsTimed()
    {
        var log = new List<string>();
        var loops = new ITimedLoop[] { new RecordingLoop("A", log) };
        Assert.Throws<ArgumentException>(() => InterleavedTiming.Run(loops, 0, 0.1));
        Assert.Throws<ArgumentException>(() => InterleavedTiming.Run(loops, 3, 0));
        Assert.Throws<ArgumentException>(() => InterleavedTiming.Run(loops, 3, double.NaN));
        Assert.Empty(log);
    }

    [Fact]
    public void MedianOfOddAndEvenCounts()
    {
        Assert.Equal(2.0, Medians.Of([3.0, 1.0, 2.0]));
        Assert.Equal(2.5, Medians.Of([4.0, 1.0, 3.0, 2.0]));
        Assert.Throws<ArgumentException>(() => Medians.Of([]));
    }
}
