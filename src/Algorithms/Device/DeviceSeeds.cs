using RlKernels.Kernels.Random;

namespace RlKernels.Algorithms.Device;

/// <summary>Members' seeds as the Philox keys the device kernels take.</summary>
internal static class DeviceSeeds
{
    /// <summary>[P, 2]: member p's key words (<see cref="Philox4x32.KeyFromSeed"/> of seeds[p]), as the CPU draws with them.</summary>
    public static uint[] Keys(ReadOnlySpan<ulong> seeds)
    {
        var keys = new uint[2 * seeds.Length];
        for (int p = 0; p < seeds.Length; p++) Philox4x32.KeyFromSeed(seeds[p], out keys[2 * p], out keys[2 * p + 1]);
        return keys;
    }
}
