using System.Runtime.CompilerServices;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Runner;

// Adapters that let an env's Store/Observe write to one destination of an IEnvLaneIO. Each is its
// own type so the destination is known when the JIT (or ILGPU) compiles the call: no run-time switch. The
// primary-constructor parameters are the adapters' fields (io mutable, as IEnvLaneIO writes may update it).

/// <summary>Env Store → state columns.</summary>
public struct StateWriter<T, TIO>(TIO io) : ILaneWriter<T> where T : struct, ILane<T> where TIO : struct, IEnvLaneIO<T>
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Write(int index, T value) => io.WriteState(index, value);
}

/// <summary>Env Store → state columns where the mask is true.</summary>
public struct MaskedStateWriter<T, TIO>(TIO io, T mask) : ILaneWriter<T> where T : struct, ILane<T> where TIO : struct, IEnvLaneIO<T>
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Write(int index, T value) => io.WriteStateMasked(index, value, mask);
}

/// <summary>Env Observe → observation rows.</summary>
public struct ObservationWriter<T, TIO>(TIO io) : ILaneWriter<T> where T : struct, ILane<T> where TIO : struct, IEnvLaneIO<T>
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Write(int index, T value) => io.WriteObservation(index, value);
}

/// <summary>Env Observe → observation rows where the mask is true.</summary>
public struct MaskedObservationWriter<T, TIO>(TIO io, T mask) : ILaneWriter<T> where T : struct, ILane<T> where TIO : struct, IEnvLaneIO<T>
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Write(int index, T value) => io.WriteObservationMasked(index, value, mask);
}

/// <summary>Env Observe → final-observation rows where the mask is true.</summary>
public struct FinalObservationWriter<T, TIO>(TIO io, T mask) : ILaneWriter<T> where T : struct, ILane<T> where TIO : struct, IEnvLaneIO<T>
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Write(int index, T value) => io.WriteFinalObservation(index, value, mask);
}
