using System.Runtime.Intrinsics;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Envs.Tabular;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Tests.Kernels;

/// <summary>
/// The lane width the cpu backend uses: the widest vector .NET accelerates, narrowed by RLK_LANES or --lanes
/// (<see cref="LaneSelection.Use"/>); a bad override is one clear error, never silently replaced.
/// </summary>
public class LaneSelectionTests
{
    [Fact]
    public void HardwareWidthIsTheWidestAcceleratedVector()
    {
        int expected = Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : Vector128.IsHardwareAccelerated ? 4 : 1;
        Assert.Equal(expected, LaneSelection.HardwareWidth);
        foreach (int w in LaneSelection.Widths)
            Assert.Equal(w <= LaneSelection.HardwareWidth, LaneSelection.IsAccelerated(w));
        Assert.False(LaneSelection.IsAccelerated(2));
        Assert.False(LaneSelection.IsAccelerated(32));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    public void NoOverrideGivesTheHardwareWidthAndSaysWhy(int hardware)
    {
        foreach (string? none in new[] { null, "", "  " })
        {
            LaneChoice c = LaneSelection.Choose(none, "RLK_LANES", LaneSource.Environment, hardware);
            Assert.Equal(hardware, c.Width);
            Assert.Equal(LaneSource.Hardware, c.Source);
            Assert.Equal(LaneSelection.HardwareReason(hardware), c.Reason);
        }
        Assert.Contains(hardware == 1 ? "no SIMD" : $"Vector{hardware * 32}", LaneSelection.HardwareReason(hardware));
    }

    [Fact]
    public void EveryAcceleratedWidthCanBeChosen()
    {
        foreach (int hardware in LaneSelection.Widths)
            foreach (int w in LaneSelection.Widths.Where(w => w <= hardware))
            {
                LaneChoice c = LaneSelection.Choose($" {w}", "RLK_LANES", LaneSource.Environment, hardware);
                Assert.Equal(w, c.Width);
                Assert.Equal(LaneSource.Environment, c.Source);
                Assert.Contains($"RLK_LANES={w}", c.Reason);
            }
    }

    [Theory]
    [InlineData("3")]
    [InlineData("0")]
    [InlineData("-4")]
    [InlineData("+4")]
    [InlineData("32")]
    [InlineData("8.0")]
    [InlineData("four")]
    [InlineData("4,8")]
    public void ANonWidthIsRejectedNamingTheSetting(string bad)
    {
        var e = Assert.Throws<ArgumentException>(() => LaneSelection.Choose(bad, "RLK_LANES", LaneSource.Environment, 16));
        Assert.Equal($"RLK_LANES must be one of 1, 4, 8, 16, not '{bad}'.", e.Message);
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(4, 8)]
    [InlineData(8, 16)]
    [InlineData(1, 16)]
    public void AWidthWiderThanTheHardwareIsRejected(int hardware, int asked)
    {
        var e = Assert.Throws<ArgumentException>(() => LaneSelection.Choose(asked.ToString(), "--lanes", LaneSource.Explicit, hardware));
        Assert.StartsWith($"--lanes={asked} asks for Vector{asked * 32} lanes, which this process does not accelerate (widest: {hardware}", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void UseScopesNestAndRestore()
    {
        LaneChoice before = LaneSelection.Current;
        using (LaneSelection.Use(1))
        {
            Assert.Equal(1, LaneSelection.BestWidth);
            Assert.Equal(LaneSource.Explicit, LaneSelection.Current.Source);
            using (LaneSelection.Use(LaneSelection.HardwareWidth))
                Assert.Equal(LaneSelection.HardwareWidth, LaneSelection.BestWidth);
            Assert.Equal(1, LaneSelection.BestWidth);
        }
        Assert.Equal(before, LaneSelection.Current);
    }

    [Fact]
    public void UseDoesNotReachAThreadStartedBefore()
    {
        // Async-local: one CLI invocation's --lanes (or one test's) never changes what a concurrent caller gets.
        LaneChoice before = LaneSelection.Current;
        using var go = new ManualResetEventSlim();
        LaneChoice seen = default;
        var thread = new Thread(() => { go.Wait(); seen = LaneSelection.Current; });
        thread.Start();
        using (LaneSelection.Use(1))
        {
            go.Set();
            thread.Join();
        }
        Assert.Equal(before, seen);
    }

    [Fact]
    public void UseRefusesWhatThisProcessCannotRun()
    {
        Assert.Throws<ArgumentException>(() => LaneSelection.Use(3));
        Assert.Throws<ArgumentException>(() => LaneSelection.Use(32));
        if (LaneSelection.HardwareWidth < 16)
            Assert.Throws<ArgumentException>(() => LaneSelection.Use(LaneSelection.HardwareWidth * 2));
    }

    /// <summary>Every place that builds a cpu runner dispatches on the chosen width, 4 included.</summary>
    [Fact]
    public void TheCpuBackendRunsOnTheChosenWidth()
    {
        var options = new VectorEnvOptions { Seed = 1, Backend = Backend.Cpu };
        foreach (int w in LaneSelection.Widths.Where(LaneSelection.IsAccelerated))
            using (LaneSelection.Use(w))
            {
                foreach (string id in EnvRegistry.Ids)
                {
                    using var env = EnvRegistry.Make(id, 37, options);
                    Assert.True(w == env.LaneWidth, $"{id}: lane width {env.LaneWidth}, chosen {w}");
                }
                using var user = TabularVectorEnv.Create(FrozenLake.BuildModel(), 37, options);
                Assert.Equal(w, user.LaneWidth);
            }
    }
}
