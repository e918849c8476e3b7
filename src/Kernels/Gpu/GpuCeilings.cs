using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;

namespace RlKernels.Kernels.Gpu;

/// <summary>
/// What the device allows, measured on it: the yardsticks that device rows are reported against (the host's are
/// <see cref="Hardware.MemoryBandwidth"/> and <see cref="Hardware.FmaPeak"/>, which say nothing about a GPU).
/// <list type="bullet">
/// <item><see cref="MeasureCopyGBps"/>: a kernel copies one float32 buffer into another, one element per thread;
/// bytes read plus bytes written, as STREAM's Copy counts them (and as the host's copy probe does).</item>
/// <item><see cref="MeasureFmaGflops"/>: every thread the device can hold at once runs independent chains of
/// multiply-adds on registers; 2 flops per multiply-add.</item>
/// </list>
/// Each timed launch is followed by a synchronize before the clock is read, and the results are checked after
/// timing so that the work cannot be optimized away.
/// </summary>
public static class GpuCeilings
{
    /// <summary>Independent multiply-add chains per thread: enough to hide the FMA latency on one thread.</summary>
    public const int FmaChains = 8;

    /// <summary>
    /// The copy probe at a size that suits the device: on a GPU 1 GiB (far beyond any L2); on ILGPU's CPU accelerator,
    /// which only proves the code path, 2 MiB.
    /// </summary>
    public static double MeasureCopyAtDeviceSize(GpuDevice device, int repeats)
    {
        ArgumentNullException.ThrowIfNull(device);
        long bytes = device.Kind == GpuDeviceKind.CpuAccelerator ? 2L << 20 : Math.Max(1L << 20, Math.Min(1L << 30, device.UsableBytes / 4));
        return MeasureCopyGBps(device, bytes, repeats);
    }

    /// <summary>The FMA probe at a length that suits the device: 65,536 multiply-adds per chain on a GPU (milliseconds per
    /// launch), 256 on ILGPU's CPU accelerator.</summary>
    public static double MeasureFmaAtDeviceSize(GpuDevice device, int repeats)
    {
        ArgumentNullException.ThrowIfNull(device);
        return MeasureFmaGflops(device, device.Kind == GpuDeviceKind.CpuAccelerator ? 256 : 1 << 16, repeats: repeats);
    }

    /// <summary>Median copy GB/s (10^9 bytes per second) over <paramref name="repeats"/> timed launches.</summary>
    /// <param name="device">The device to measure.</param>
    /// <param name="bytes">Both buffers together (≥ 1 MiB); use far more than the device's last-level cache.</param>
    /// <param name="repeats">Timed launches (≥ 1), after one untimed launch that loads the kernel.</param>
    public static double MeasureCopyGBps(GpuDevice device, long bytes, int repeats = 7)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (bytes < 1 << 20) throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "Measure at least 1 MiB.");
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        long count = bytes / 2 / sizeof(float);
        if (count > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "At most 2^31 floats per buffer.");
        Accelerator acc = device.Accelerator;
        using var src = acc.Allocate1D<float>(count);
        using var dst = acc.Allocate1D<float>(count);
        using var mismatches = acc.Allocate1D<int>(1);
        GpuDevice.ThrowIfCompileFailureInjected();
        var fill = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>>(FillKernel);
        var copy = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(CopyKernel);
        var check = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>>(CheckKernel);
        // Filled and checked on the device: a host copy of a buffer far larger than the device's cache would cost
        // gigabytes of host memory and seconds of bus time.
        fill((int)count, src.View);
        double seconds = MedianSeconds(device, repeats, () => copy((int)count, src.View, dst.View));
        mismatches.MemSetToZero();
        check((int)count, dst.View, mismatches.View);
        int wrong = mismatches.GetAsArray1D()[0];
        if (wrong != 0) throw new InvalidOperationException($"Device copy probe: {wrong} of {count} elements differ from the source.");
        return 2.0 * count * sizeof(float) / seconds / 1e9;
    }

    /// <summary>Median GFLOP/s of multiply-add chains over <paramref name="repeats"/> timed launches.</summary>
    /// <param name="device">The device to measure.</param>
    /// <param name="iterations">Multiply-adds per chain per thread (≥ 1): size a launch to a few milliseconds at least.</param>
    /// <param name="threads">Threads per launch; 0 = every thread the device holds at once (multiprocessors × threads each).</param>
    /// <param name="repeats">Timed launches (≥ 1), after one untimed launch.</param>
    public static double MeasureFmaGflops(GpuDevice device, int iterations, int threads = 0, int repeats = 7)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        Accelerator acc = device.Accelerator;
        if (threads == 0) threads = Math.Max(1, acc.NumMultiprocessors * acc.MaxNumThreadsPerMultiprocessor);
        using var output = acc.Allocate1D<float>(threads);
        GpuDevice.ThrowIfCompileFailureInjected();
        var fma = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int>(FmaKernel);
        double seconds = MedianSeconds(device, repeats, () => fma(threads, output.View, iterations));
        // Every chain stays at its fixed point 1 (1·a + (1 − a) = 1 for any a): a sum of FmaChains per thread.
        float[] sums = output.GetAsArray1D();
        for (int i = 0; i < sums.Length; i += Math.Max(1, sums.Length / 64))
            if (Math.Abs(sums[i] - FmaChains) > 1e-3f) throw new InvalidOperationException($"Device FMA probe: thread {i} summed {sums[i]}, expected {FmaChains}.");
        return 2.0 * FmaChains * iterations * (double)threads / seconds / 1e9;
    }

    /// <summary>The copy probe's source pattern: src[i] = i mod 1024.</summary>
    public static void FillKernel(Index1D i, ArrayView<float> src) => src[i] = i & 1023;

    /// <summary>Counts the elements of the copy that differ from <see cref="FillKernel"/>'s pattern into mismatches[0].</summary>
    public static void CheckKernel(Index1D i, ArrayView<float> dst, ArrayView<int> mismatches)
    {
        if (dst[i] != (i & 1023)) Atomic.Add(ref mismatches[0], 1);
    }

    /// <summary>Copy: dst[i] = src[i] (i &lt; the launch size).</summary>
    public static void CopyKernel(Index1D i, ArrayView<float> src, ArrayView<float> dst) => dst[i] = src[i];

    /// <summary>
    /// <see cref="FmaChains"/> chains per thread of <c>x = x·a + b</c>. ILGPU emits each as <c>mul.f32</c> and <c>add.f32</c>
    /// without a rounding modifier, which ptxas fuses into one FFMA (its default, --fmad=true), as in the MLP kernels
    /// measured against this peak; a test checks that form. With <c>b = 1 − a</c>, started at 1, each stays 1,
    /// yet the compiler cannot know it (a comes from the thread index); output[i] is their sum.
    /// </summary>
    public static void FmaKernel(Index1D i, ArrayView<float> output, int iterations)
    {
        float a = 0.999f + 1e-9f * (i & 7);
        float b = 1f - a;
        float x0 = 1f, x1 = 1f, x2 = 1f, x3 = 1f, x4 = 1f, x5 = 1f, x6 = 1f, x7 = 1f;
        for (int k = 0; k < iterations; k++)
        {
            x0 = x0 * a + b;
            x1 = x1 * a + b;
            x2 = x2 * a + b;
            x3 = x3 * a + b;
            x4 = x4 * a + b;
            x5 = x5 * a + b;
            x6 = x6 * a + b;
            x7 = x7 * a + b;
        }
        output[i] = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
    }

    /// <summary>One untimed launch, then the median of <paramref name="repeats"/> timed ones, each synchronized before the clock is read.</summary>
    private static double MedianSeconds(GpuDevice device, int repeats, Action launch)
    {
        launch();
        device.Synchronize();
        var seconds = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            long start = Stopwatch.GetTimestamp();
            launch();
            device.Synchronize();
            seconds[r] = Math.Max(Stopwatch.GetElapsedTime(start).TotalSeconds, 1e-9);
        }
        Array.Sort(seconds);
        return repeats % 2 == 1 ? seconds[repeats / 2] : (seconds[repeats / 2 - 1] + seconds[repeats / 2]) / 2;
    }
}
