using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace RlKernels.Kernels.Gpu;

/// <summary>Which ILGPU accelerator a <see cref="GpuDevice"/> runs kernels on.</summary>
public enum GpuDeviceKind
{
    /// <summary>The first CUDA GPU; an error when there is none.</summary>
    Cuda,
    /// <summary>ILGPU's CPU accelerator: the same kernels, simulated on CPU threads (tests, debugging).</summary>
    CpuAccelerator,
}

/// <summary>One accelerator as ILGPU reports it (for <c>rlk info</c>).</summary>
/// <param name="Name">Device name.</param>
/// <param name="Type">Cuda, OpenCL or CPU.</param>
/// <param name="MemoryBytes">Device memory in bytes.</param>
/// <param name="WarpSize">Threads per warp (SIMD group).</param>
/// <param name="MultiprocessorCount">Streaming multiprocessors (or CPU groups).</param>
public sealed record GpuDeviceInfo(string Name, string Type, long MemoryBytes, int WarpSize, int MultiprocessorCount)
{
    /// <summary>One line: type, name, memory in GiB, warp size and multiprocessor count.</summary>
    public override string ToString() =>
        $"{Type} '{Name}' ({MemoryBytes / (1024.0 * 1024 * 1024):0.#} GiB, warp {WarpSize}, {MultiprocessorCount} SMs)";
}

/// <summary>
/// An ILGPU context plus one accelerator. Dispose frees the accelerator and with it every buffer
/// allocated on it.
/// </summary>
/// <remarks>
/// The context enables ILGPU.Algorithms: without it ILGPU 1.5.3 rejects <c>MathF.Log</c> in a kernel
/// ("'LogF' does not have an intrinsic implementation for this backend"). With it, checked in the PTX of
/// the env kernels: <c>MathF.Sin/Cos</c> become <c>sin.approx.f32/cos.approx.f32</c>, <c>MathF.Log</c>
/// becomes <c>lg2.approx.f32</c> times ln 2, <c>MathF.Sqrt</c> becomes <c>sqrt.rn.f32</c> (exact). So CUDA
/// results differ from the CPU's in the last bits of sin, cos and log; the CPU accelerator runs the
/// .NET methods themselves and matches <c>cpu-scalar</c>.
/// </remarks>
public sealed class GpuDevice : IDisposable
{
    /// <summary>The ILGPU context (Algorithms enabled).</summary>
    public Context Context { get; }
    /// <summary>The accelerator kernels are loaded on and buffers allocated on.</summary>
    public Accelerator Accelerator { get; }
    /// <summary>Which kind of accelerator this is.</summary>
    public GpuDeviceKind Kind { get; }

    private GpuDevice(Context context, Accelerator accelerator, GpuDeviceKind kind)
    {
        Context = context;
        Accelerator = accelerator;
        Kind = kind;
    }

    /// <summary>Test hook: the memory size <see cref="MemoryBytes"/> reports on this thread instead of the accelerator's
    /// (ILGPU's CPU accelerator reports effectively unlimited memory).</summary>
    [ThreadStatic] internal static long? t_memoryForTests;

    /// <summary>Test hook: when set on this thread, <see cref="ThrowIfCompileFailureInjected"/> throws ILGPU's own compiler
    /// exception with this message, as a kernel that does not compile for the device would (no real kernel fails here).</summary>
    [ThreadStatic] internal static string? t_compileFailureForTests;

    /// <summary>Called where kernels are loaded (compiled): the test hook's failure, else nothing.</summary>
    /// <exception cref="ILGPU.InternalCompilerException">The hook is set.</exception>
    public static void ThrowIfCompileFailureInjected()
    {
        if (t_compileFailureForTests is { } message) throw new ILGPU.InternalCompilerException(message);
    }

    /// <summary>The device's memory in bytes.</summary>
    public long MemoryBytes => t_memoryForTests ?? Accelerator.MemorySize;

    /// <summary>What a run may plan to allocate on the device, checked before it allocates: 90% of
    /// <see cref="MemoryBytes"/>, the rest left for the runtime and the kernels' code.</summary>
    public long UsableBytes => MemoryBytes / 10 * 9;

    /// <summary>
    /// The CPU accelerator's simulated device: groups of 2 threads on one multiprocessor. ILGPU's default (groups of
    /// 16 OS threads that meet at a barrier after every group) made a 65,536-thread launch take seconds on 2 cores;
    /// 2-thread groups take milliseconds. No kernel here needs larger groups (the tiled product then uses 1 × 1 tiles).
    /// </summary>
    private static readonly CPUDevice CpuSimulator = new(numThreadsPerWarp: 2, numWarpsPerMultiprocessor: 1, numMultiprocessors: 1);

    /// <summary>Opens the first CUDA GPU or ILGPU's CPU accelerator.</summary>
    /// <exception cref="InvalidOperationException">
    /// <paramref name="kind"/> is <see cref="GpuDeviceKind.Cuda"/> and ILGPU finds no CUDA device; thrown
    /// before anything is allocated, listing the devices ILGPU did find.
    /// </exception>
    public static GpuDevice Open(GpuDeviceKind kind)
    {
        if (kind == GpuDeviceKind.CpuAccelerator)
        {
            var cpuContext = Context.Create(b => b.CPU(CpuSimulator).EnableAlgorithms());
            return new GpuDevice(cpuContext, cpuContext.CreateCPUAccelerator(0), kind);
        }

        var context = Context.Create(b => b.Cuda().EnableAlgorithms());
        if (context.GetCudaDevices().Count == 0)
        {
            context.Dispose();
            throw new InvalidOperationException(
                $"--backend gpu: no CUDA GPU found; ILGPU saw: {DescribeDevices()}. " +
                "Use --backend cpu, or --backend gpu-cpu (Backend.GpuCpuAccelerator) to run the GPU kernels on ILGPU's CPU accelerator.");
        }
        try
        {
            return new GpuDevice(context, context.CreateCudaAccelerator(0), kind);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>True when ILGPU finds at least one CUDA device (the driver loads and reports a GPU).</summary>
    public static bool CudaAvailable()
    {
        try
        {
            using var context = Context.Create(b => b.Cuda());
            return context.GetCudaDevices().Count > 0;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Every accelerator ILGPU finds (CUDA, OpenCL and its CPU accelerator).</summary>
    public static IReadOnlyList<GpuDeviceInfo> ListDevices()
    {
        using var context = Context.Create(b => b.AllAccelerators());
        return context.Devices
            .Select(d => new GpuDeviceInfo(d.Name, d.AcceleratorType.ToString(), d.MemorySize, d.WarpSize, d.NumMultiprocessors))
            .ToList();
    }

    /// <summary>"none" or the devices ILGPU finds, comma separated.</summary>
    public static string DescribeDevices()
    {
        IReadOnlyList<GpuDeviceInfo> devices;
        try
        {
            devices = ListDevices();
        }
        catch (Exception e)
        {
            return $"(listing failed: {e.Message})";
        }
        return devices.Count == 0 ? "none" : string.Join(", ", devices);
    }

    /// <summary>Waits for every launched kernel and copy to finish.</summary>
    public void Synchronize() => Accelerator.Synchronize();

    /// <summary>Disposes the accelerator (and every buffer on it), then the context.</summary>
    public void Dispose()
    {
        Accelerator.Dispose();
        Context.Dispose();
    }
}
