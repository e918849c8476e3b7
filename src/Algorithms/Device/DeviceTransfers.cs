using ILGPU;
using ILGPU.Runtime;

namespace RlKernels.Algorithms.Device;

/// <summary>
/// The one door between host and device memory for the on-device training loop: every copy goes through
/// it and is counted, so a test can prove what crosses the bus per rollout or update (only scalar metrics
/// on the way back).
/// </summary>
public sealed class DeviceTransfers
{
    /// <summary>Device → host copies so far.</summary>
    public int ToHostCopies { get; private set; }
    /// <summary>Bytes copied device → host so far.</summary>
    public long ToHostBytes { get; private set; }
    /// <summary>Host → device copies so far.</summary>
    public int ToDeviceCopies { get; private set; }
    /// <summary>Bytes copied host → device so far.</summary>
    public long ToDeviceBytes { get; private set; }

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> (waits for the queued launches) and counts it.</summary>
    public void ToHost<T>(ArrayView<T> source, Span<T> destination) where T : unmanaged
    {
        source.CopyToCPU(destination);
        ToHostCopies++;
        ToHostBytes += source.LengthInBytes;
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> and counts it.</summary>
    public void ToDevice<T>(ReadOnlySpan<T> source, ArrayView<T> destination) where T : unmanaged
    {
        destination.CopyFromCPU(source);
        ToDeviceCopies++;
        ToDeviceBytes += destination.LengthInBytes;
    }

    /// <summary>Sets every count back to 0.</summary>
    public void Reset() => (ToHostCopies, ToHostBytes, ToDeviceCopies, ToDeviceBytes) = (0, 0, 0, 0);
}
