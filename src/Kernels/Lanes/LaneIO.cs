using System.Runtime.CompilerServices;

namespace RlKernels.Kernels.Lanes;

/// <summary>Reads lane values by field index (state columns, parameters).</summary>
public interface ILaneReader<T> where T : struct, ILane<T>
{
    /// <summary>The lane value of field <paramref name="index"/>.</summary>
    T Read(int index);

    /// <summary>
    /// Whether the state being read will be observed. False for a step that writes no observation (the CPU runner's
    /// steps: it observes in a pass of its own after a call's steps): an env's Load may then leave out fields that only
    /// its Observe reads and its step neither reads nor stores (a frame stack's ring of past frames).
    /// </summary>
    bool Observed { get; }
}

/// <summary>Writes lane values by field index (state columns, observation features).</summary>
public interface ILaneWriter<T> where T : struct, ILane<T>
{
    /// <summary>Sets field <paramref name="index"/> to <paramref name="value"/>.</summary>
    void Write(int index, T value);
}

/// <summary>
/// Writes fields 0, 1, … in argument order, so an env's <c>Store</c> is one line naming its fields instead of
/// one <c>Write(k, …)</c> statement per field. Inlined: the same stores as the statements it replaces. (Pass
/// stored values; an <c>Observe</c> that computes features writes each as it computes it, which measured faster.)
/// </summary>
public static class LaneWriterFields
{
    /// <summary>Fields 0 and 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteFields<T, TWriter>(ref this TWriter dst, T f0, T f1) where T : struct, ILane<T> where TWriter : struct, ILaneWriter<T>
    {
        dst.Write(0, f0);
        dst.Write(1, f1);
    }

    /// <summary>Fields 0 to 3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteFields<T, TWriter>(ref this TWriter dst, T f0, T f1, T f2, T f3) where T : struct, ILane<T> where TWriter : struct, ILaneWriter<T>
    {
        dst.Write(0, f0);
        dst.Write(1, f1);
        dst.Write(2, f2);
        dst.Write(3, f3);
    }
}
