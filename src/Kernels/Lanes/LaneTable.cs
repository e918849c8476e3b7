using System.Runtime.CompilerServices;
using ILGPU;

namespace RlKernels.Kernels.Lanes;

/// <summary>
/// A read-only float table that lane code gathers from, e.g. a tabular MDP's transition table.
/// Env code is written over this interface so that the same code reads a managed array on the CPU
/// (<see cref="ArrayLaneTable{T}"/>) and device memory in an ILGPU kernel (<see cref="ViewLaneTable"/>):
/// env parameters are passed by value to GPU kernels, where a managed array is useless.
/// </summary>
public interface ILaneTable<T> where T : struct, ILane<T>
{
    /// <summary>Per element: table[(int)index]. Indices hold whole numbers.</summary>
    T Gather(T index);
}

/// <summary>A managed float array read with <see cref="ILane{TSelf}.Gather"/> (CPU lanes).</summary>
public readonly struct ArrayLaneTable<T> : ILaneTable<T> where T : struct, ILane<T>
{
    /// <summary>The table; must not be empty.</summary>
    public readonly float[] Data;

    /// <summary>Wraps <paramref name="data"/> without copying.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="data"/> is empty.</exception>
    public ArrayLaneTable(float[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length == 0) throw new ArgumentException("A lane table must not be empty.", nameof(data));
        Data = data;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Gather(T index) => T.Gather(Data, index);
}

/// <summary>
/// Device memory read by one GPU thread (T = <see cref="F1"/>). It holds only an ArrayView, so env
/// parameters that contain it can be passed by value to an ILGPU kernel. Indices are not checked.
/// </summary>
public readonly struct ViewLaneTable : ILaneTable<F1>
{
    /// <summary>The table in device memory.</summary>
    public readonly ArrayView<float> Data;

    /// <summary>Wraps <paramref name="data"/> (no copy).</summary>
    public ViewLaneTable(ArrayView<float> data) => Data = data;

    /// <summary>Data[(int)index]; the index is not clamped or checked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public F1 Gather(F1 index) => new(Data[(int)index.V]);
}
