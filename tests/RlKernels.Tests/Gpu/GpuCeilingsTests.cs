using System.Text.RegularExpressions;
using ILGPU.Runtime;
using RlKernels.Kernels.Gpu;

namespace RlKernels.Tests.Gpu;

/// <summary>
/// The device yardsticks (<see cref="GpuCeilings"/>) on ILGPU's CPU accelerator: they run, check their own results
/// and return positive rates; bad sizes are refused before anything is allocated; every kernel compiles to PTX, and
/// the FMA chain compiles to the multiply and add that ptxas fuses (a form that could not fuse would halve the peak).
/// </summary>
public class GpuCeilingsTests
{
    [Fact]
    public void BothProbesRunOnTheCpuAccelerator()
    {
        using var device = GpuDevice.Open(GpuDeviceKind.CpuAccelerator);
        double copy = GpuCeilings.MeasureCopyGBps(device, 2L << 20, repeats: 3);
        double fma = GpuCeilings.MeasureFmaGflops(device, iterations: 64, threads: 256, repeats: 3);
        Assert.True(double.IsFinite(copy) && copy > 0, $"copy {copy} GB/s");
        Assert.True(double.IsFinite(fma) && fma > 0, $"fma {fma} GFLOP/s");
        Assert.True(GpuCeilings.MeasureCopyAtDeviceSize(device, repeats: 1) > 0 && GpuCeilings.MeasureFmaAtDeviceSize(device, repeats: 1) > 0);
    }

    [Fact]
    public void TheFmaChainStaysAtItsFixedPoint()
    {
        // The kernel itself, as the probe checks it: 8 chains of x·a + (1 − a) from 1 sum to 8 for any thread.
        using var device = GpuDevice.Open(GpuDeviceKind.CpuAccelerator);
        var acc = device.Accelerator;
        using var output = acc.Allocate1D<float>(37);
        var kernel = ILGPU.Runtime.KernelLoaders.LoadAutoGroupedStreamKernel<ILGPU.Index1D, ILGPU.ArrayView<float>, int>(acc, GpuCeilings.FmaKernel);
        kernel(37, output.View, 1000);
        device.Synchronize();
        foreach (float sum in output.GetAsArray1D()) Assert.InRange(sum, GpuCeilings.FmaChains - 1e-3f, GpuCeilings.FmaChains + 1e-3f);
    }

    [Fact]
    public void BadSizesAreRefused()
    {
        using var device = GpuDevice.Open(GpuDeviceKind.CpuAccelerator);
        Assert.Throws<ArgumentOutOfRangeException>(() => GpuCeilings.MeasureCopyGBps(device, 1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => GpuCeilings.MeasureCopyGBps(device, 2L << 20, repeats: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GpuCeilings.MeasureFmaGflops(device, iterations: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GpuCeilings.MeasureFmaGflops(device, iterations: 8, threads: -1));
        Assert.Throws<ArgumentNullException>(() => GpuCeilings.MeasureCopyGBps(null!, 2L << 20));
    }

    [Theory]
    [InlineData(nameof(GpuCeilings.CopyKernel))]
    [InlineData(nameof(GpuCeilings.FillKernel))]
    [InlineData(nameof(GpuCeilings.CheckKernel))]
    [InlineData(nameof(GpuCeilings.FmaKernel))]
    public void KernelsCompileToPtx(string name) =>
        PtxAssert.CompilesWithoutExterns(typeof(GpuCeilings).GetMethod(name)!, nameof(GpuCeilings));

    [Fact]
    public void TheFmaChainCompilesToAFusibleMultiplyAdd()
    {
        string ptx = PtxCompiler.Compile(typeof(GpuCeilings).GetMethod(nameof(GpuCeilings.FmaKernel))!);
        // Either an explicit fma, or mul.f32 + add.f32 without a rounding modifier (.rn would forbid ptxas to fuse them).
        int fused = Regex.Matches(ptx, @"\bfma\.rn\.f32\b").Count;
        int contractible = Regex.Matches(ptx, @"\bmul\.f32\b").Count;
        Assert.DoesNotContain("mul.rn.f32", ptx);
        Assert.True(fused + contractible >= GpuCeilings.FmaChains, $"{fused} fma and {contractible} mul.f32 in:\n{ptx}");
    }
}
