using ILGPU;
using ILGPU.Runtime;

namespace RlKernels.Kernels.Gpu;

/// <summary>
/// Read-only device memory that kernel parameters point into, e.g. a tabular env's dense table: data is
/// uploaded once and its view goes into the by-value params struct. The owner (a GPU runner) disposes
/// it with itself; disposing the accelerator also frees it.
/// </summary>
/// <remarks>
/// Why a separate owner: kernel parameters are plain structs copied into every launch, so they cannot
/// own memory; whoever builds them needs somewhere to put the buffers that outlives the build call.
/// </remarks>
public sealed class GpuParamsMemory : IDisposable
{
    private readonly Accelerator _accelerator;
    private readonly List<MemoryBuffer> _buffers = [];
    private bool _disposed;

    /// <param name="accelerator">Where uploads are allocated.</param>
    public GpuParamsMemory(Accelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        _accelerator = accelerator;
    }

    /// <summary>Total bytes uploaded so far.</summary>
    public long Bytes { get; private set; }

    /// <summary>
    /// Copies <paramref name="data"/> to a new device buffer owned by this object and returns its view
    /// (valid until <see cref="Dispose"/>). The copy is synchronous: <paramref name="data"/> may change after.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="data"/> is empty.</exception>
    public ArrayView<T> Upload<T>(ReadOnlySpan<T> data) where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (data.IsEmpty) throw new ArgumentException("Nothing to upload: the data is empty.", nameof(data));
        MemoryBuffer1D<T, Stride1D.Dense> buffer = _accelerator.Allocate1D<T>(data.Length); // [data.Length]
        _buffers.Add(buffer);
        ArrayView<T> view = buffer.View;
        view.CopyFromCPU(data);
        Bytes += buffer.LengthInBytes;
        return view;
    }

    /// <summary>Frees every upload; views returned by <see cref="Upload{T}"/> are invalid after this.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (MemoryBuffer buffer in _buffers) buffer.Dispose();
        _buffers.Clear();
    }
}
