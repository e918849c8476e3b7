using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RlKernels.Algorithms.Tabular;

// The vector operations of the lane engine (BatchedQIteration.Lanes.cs), one struct per width, so the engine is
// written once and the JIT compiles it per width (struct type arguments are specialized, the one-line members
// inlined). Only the sweep's operations are here: the stopping rule runs per lane on the stored maxima.

public static partial class BatchedQIteration
{
    /// <summary>One SIMD width of <typeparamref name="T"/> (float or double) as a type: <typeparamref name="TV"/> is its vector.</summary>
    private interface ILaneVector<TV, T> where TV : struct where T : unmanaged
    {
        /// <summary>Lanes per vector.</summary>
        static abstract int Count { get; }
        static abstract TV Create(T value);
        static abstract TV Load(ref T source, nuint index);
        static abstract void Store(TV value, ref T destination, nuint index);
        /// <summary>a·b + c: fused (FMA), or on Vector128 fused where the CPU has FMA (NEON does; SSE-only CPUs round twice instead of the software FMA).</summary>
        static abstract TV MultiplyAdd(TV a, TV b, TV c);
        static abstract TV Max(TV a, TV b);
        static abstract TV Abs(TV a);
        /// <summary>|a − b|.</summary>
        static abstract TV AbsDifference(TV a, TV b);
    }

    private readonly struct LaneVector512<T> : ILaneVector<Vector512<T>, T> where T : unmanaged
    {
        public static int Count => Vector512<T>.Count;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Create(T value) => Vector512.Create(value);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Load(ref T source, nuint index) => Vector512.LoadUnsafe(ref source, index);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<T> value, ref T destination, nuint index) => value.StoreUnsafe(ref destination, index);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Max(Vector512<T> a, Vector512<T> b) => Vector512.Max(a, b);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Abs(Vector512<T> a) => Vector512.Abs(a);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> AbsDifference(Vector512<T> a, Vector512<T> b) => Vector512.Abs(a - b);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> MultiplyAdd(Vector512<T> a, Vector512<T> b, Vector512<T> c) =>
            typeof(T) == typeof(double) ? Vector512.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>()
            : typeof(T) == typeof(float) ? Vector512.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>()
            : a * b + c;
    }

    private readonly struct LaneVector256<T> : ILaneVector<Vector256<T>, T> where T : unmanaged
    {
        public static int Count => Vector256<T>.Count;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Create(T value) => Vector256.Create(value);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Load(ref T source, nuint index) => Vector256.LoadUnsafe(ref source, index);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<T> value, ref T destination, nuint index) => value.StoreUnsafe(ref destination, index);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Max(Vector256<T> a, Vector256<T> b) => Vector256.Max(a, b);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Abs(Vector256<T> a) => Vector256.Abs(a);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> AbsDifference(Vector256<T> a, Vector256<T> b) => Vector256.Abs(a - b);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> MultiplyAdd(Vector256<T> a, Vector256<T> b, Vector256<T> c) =>
            typeof(T) == typeof(double) ? Vector256.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>()
            : typeof(T) == typeof(float) ? Vector256.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>()
            : a * b + c;
    }

    private readonly struct LaneVector128<T> : ILaneVector<Vector128<T>, T> where T : unmanaged
    {
        public static int Count => Vector128<T>.Count;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Create(T value) => Vector128.Create(value);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Load(ref T source, nuint index) => Vector128.LoadUnsafe(ref source, index);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<T> value, ref T destination, nuint index) => value.StoreUnsafe(ref destination, index);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Max(Vector128<T> a, Vector128<T> b) => Vector128.Max(a, b);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Abs(Vector128<T> a) => Vector128.Abs(a);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> AbsDifference(Vector128<T> a, Vector128<T> b) => Vector128.Abs(a - b);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> MultiplyAdd(Vector128<T> a, Vector128<T> b, Vector128<T> c) =>
            typeof(T) == typeof(double) ? Vector128.MultiplyAddEstimate(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>()
            : typeof(T) == typeof(float) ? Vector128.MultiplyAddEstimate(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>()
            : a * b + c;
    }
}
