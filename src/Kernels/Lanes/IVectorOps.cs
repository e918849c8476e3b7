namespace RlKernels.Kernels.Lanes;

/// <summary>
/// One SIMD width of <typeparamref name="T"/> (float or double) as a type: <typeparamref name="TV"/> is its vector.
/// Code written once over this interface is compiled by the JIT per width (struct type arguments are specialized,
/// the one-line members inlined). The implementations, VectorOps128/256/512, are generated from
/// Lanes/VectorOps.template.
/// </summary>
public interface IVectorOps<TV, T> where TV : struct where T : unmanaged
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }
    /// <summary>All lanes set to <paramref name="value"/>.</summary>
    static abstract TV Create(T value);
    /// <summary>The vector at <paramref name="source"/>[<paramref name="index"/>..].</summary>
    static abstract TV Load(ref T source, nuint index);
    /// <summary>Stores <paramref name="value"/> at <paramref name="destination"/>[<paramref name="index"/>..].</summary>
    static abstract void Store(TV value, ref T destination, nuint index);
    /// <summary>a·b + c: fused (FMA), or on Vector128 fused where the CPU has FMA (NEON does; SSE-only CPUs round twice instead of the software FMA).</summary>
    static abstract TV MultiplyAdd(TV a, TV b, TV c);
    /// <summary>Lane-wise maximum.</summary>
    static abstract TV Max(TV a, TV b);
    /// <summary>Lane-wise absolute value.</summary>
    static abstract TV Abs(TV a);
    /// <summary>|a − b|.</summary>
    static abstract TV AbsDifference(TV a, TV b);
}
