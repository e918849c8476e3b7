using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Runner;

/// <summary>
/// Writes the features of one lane value, held as one lane value per feature (lane layout), into the caller's
/// row-major rows. The plain way, a spill and one scalar store per element, costs as much as a CartPole step itself
/// (measured: with it, a one-step call ran at half the speed of a 64-step call even in cache): a call with caller
/// actions pays it every step. For up to <see cref="MaxFastFeatures"/> features and a full lane value of
/// <see cref="F16"/> or <see cref="F8"/> (F4, on machines without AVX2, keeps the scalar path), the block of <c>Count × features</c> floats is
/// instead built in registers, each output vector from one permute per feature (two features per two-source permute
/// on AVX-512) merged by masks, and written with whole-vector stores. Either way the stored bits are the same.
/// </summary>
internal sealed class LaneRowExport<T> where T : struct, ILane<T>
{
    /// <summary>Above this, the permute path does more work than the scalar stores.</summary>
    public const int MaxFastFeatures = 8;

    private readonly int _features;
    // Features read by one permute: 2 with AVX-512's two-source permute (F16), else 1; and the number of groups.
    private readonly int _group, _groups;
    // For output vector q and feature group g (at [(q·groups + g)·Count]): the source element of each output element
    // (+ Count for the group's second feature), and all-ones where the output element comes from group g. Null when
    // the fast path is off.
    private readonly int[]? _index, _take;
    // More features than the permute path takes (a frame stack's): four at a time through the 8 × 4 transpose.
    private readonly bool _groupsOf4;

    /// <param name="features">Features per row (the observation size).</param>
    /// <param name="fast">False forces the scalar path (tests compare the two).</param>
    public LaneRowExport(int features, bool fast = true)
    {
        _features = features;
        _groupsOf4 = fast && features > MaxFastFeatures && Supported;
        if (!fast || features < 1 || features > MaxFastFeatures || !Supported) return;
        int n = T.Count;
        _group = typeof(T) == typeof(F16) ? 2 : 1;
        _groups = (features + _group - 1) / _group;
        _index = new int[features * _groups * n];
        _take = new int[features * _groups * n];
        for (int q = 0; q < features; q++)
            for (int e = 0; e < n; e++)
            {
                int flat = q * n + e, env = flat / features, feature = flat % features;
                for (int g = 0; g < _groups; g++)
                {
                    int at = (q * _groups + g) * n + e;
                    bool mine = feature / _group == g;
                    _index[at] = mine ? env + n * (feature % _group) : env;
                    _take[at] = mine ? -1 : 0;
                }
            }
    }

    /// <summary>Whether this machine has the variable permute the fast path needs for <typeparamref name="T"/>.</summary>
    public static bool Supported =>
        typeof(T) == typeof(F16) ? Avx512F.IsSupported :
        typeof(T) == typeof(F8) && Avx2.IsSupported;

    /// <summary>
    /// Element j of <c>lanes[k·stride + vec]</c> to <c>rows[rowStart + j·features + k]</c>, for j &lt; count and every
    /// feature k.
    /// </summary>
    /// <param name="lanes">[features, stride] lane values.</param>
    /// <param name="vec">The lane value's column.</param>
    /// <param name="stride">Distance between two features' columns, in lane values.</param>
    /// <param name="rows">[envCount, features] row-major floats.</param>
    /// <param name="rowStart">Index in <paramref name="rows"/> of the lane value's first env's first feature.</param>
    /// <param name="count">Envs of the lane value that are real (the last one may be partly padding).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Export(T[] lanes, int vec, int stride, float[] rows, int rowStart, int count)
    {
        if (_index is not null && count == T.Count)
        {
            // Bounds once for the unchecked block writes and column reads below.
            _ = rows.AsSpan(rowStart, _features * T.Count);
            _ = lanes[(_features - 1) * stride + vec];
            if (typeof(T) == typeof(F16)) Export16(lanes, vec, stride, rows, rowStart);
            else if (_features == 4) Transpose8x4(lanes, vec, stride, rows, rowStart);
            else if (_features == 2) Transpose8x2(lanes, vec, stride, rows, rowStart);
            else Export8(lanes, vec, stride, rows, rowStart);
            return;
        }
        if (_groupsOf4 && count == T.Count)
        {
            _ = rows.AsSpan(rowStart, _features * T.Count);
            _ = lanes[(_features - 1) * stride + vec];
            ExportGroupsOf4(lanes, vec, stride, rows, rowStart);
            return;
        }
        for (int k = 0; k < _features; k++)
            T.Store(lanes[k * stride + vec], rows, rowStart + k, _features, count);
    }

    private void Export16(T[] lanes, int vec, int stride, float[] rows, int rowStart)
    {
        ref T column = ref lanes[vec];
        ref float row = ref rows[rowStart];
        ref int index = ref _index![0], take = ref _take![0];
        int s = _features, groups = _groups;
        for (int q = 0; q < s; q++)
        {
            int at = q * groups * 16;
            var acc = Pair16(ref column, stride, 0, s, Vector512.LoadUnsafe(ref index, (nuint)at));
            for (int g = 1; g < groups; g++)
            {
                at += 16;
                var v = Pair16(ref column, stride, 2 * g, s, Vector512.LoadUnsafe(ref index, (nuint)at));
                acc = Vector512.ConditionalSelect(Vector512.LoadUnsafe(ref take, (nuint)at).AsSingle(), v, acc);
            }
            acc.StoreUnsafe(ref row, (nuint)(q * 16));
        }
    }

    /// <summary>Features k and k + 1 (k again when k is the last) through one two-source permute.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Pair16(ref T column, int stride, int k, int features, Vector512<int> index) =>
        Avx512F.PermuteVar16x32x2(
            Unsafe.As<T, Vector512<float>>(ref Unsafe.Add(ref column, k * stride)), index,
            Unsafe.As<T, Vector512<float>>(ref Unsafe.Add(ref column, Math.Min(k + 1, features - 1) * stride)));

    /// <summary>
    /// Four features of 8 lanes (CartPole's observation): the classic in-lane transpose, 12 shuffles with immediate
    /// operands and no index loads, against 16 variable permutes and 12 blends on the general path (measured: the
    /// general path took a fifth of a one-step call's time).
    /// </summary>
    private static void Transpose8x4(T[] lanes, int vec, int stride, float[] rows, int rowStart)
    {
        ref T column = ref lanes[vec];
        var a = Unsafe.As<T, Vector256<float>>(ref column);
        var b = Unsafe.As<T, Vector256<float>>(ref Unsafe.Add(ref column, stride));
        var c = Unsafe.As<T, Vector256<float>>(ref Unsafe.Add(ref column, 2 * stride));
        var d = Unsafe.As<T, Vector256<float>>(ref Unsafe.Add(ref column, 3 * stride));
        var ab0 = Avx.UnpackLow(a, b);   // a0 b0 a1 b1 | a4 b4 a5 b5
        var ab1 = Avx.UnpackHigh(a, b);  // a2 b2 a3 b3 | a6 b6 a7 b7
        var cd0 = Avx.UnpackLow(c, d);
        var cd1 = Avx.UnpackHigh(c, d);
        var e0 = Avx.Shuffle(ab0, cd0, 0x44); // a0 b0 c0 d0 | a4 b4 c4 d4
        var e1 = Avx.Shuffle(ab0, cd0, 0xEE); // a1 b1 c1 d1 | a5 b5 c5 d5
        var e2 = Avx.Shuffle(ab1, cd1, 0x44);
        var e3 = Avx.Shuffle(ab1, cd1, 0xEE);
        ref float row = ref rows[rowStart];
        Avx.Permute2x128(e0, e1, 0x20).StoreUnsafe(ref row, 0);  // envs 0, 1
        Avx.Permute2x128(e2, e3, 0x20).StoreUnsafe(ref row, 8);  // envs 2, 3
        Avx.Permute2x128(e0, e1, 0x31).StoreUnsafe(ref row, 16); // envs 4, 5
        Avx.Permute2x128(e2, e3, 0x31).StoreUnsafe(ref row, 24); // envs 6, 7
    }

    /// <summary>
    /// Many features (a frame stack's 12 to 64): four at a time, each group through the 8 × 4 in-lane transpose of
    /// <see cref="Transpose8x4"/> and one 128-bit store per env (its four floats, <c>features</c> apart from the next
    /// env's), a 16-wide lane value as two 8-wide halves; the last <c>features mod 4</c> one strided store each. One
    /// strided store per feature (a spill and eight scalar stores each) took 6% of a frame-stacked CartPole step's time.
    /// </summary>
    private void ExportGroupsOf4(T[] lanes, int vec, int stride, float[] rows, int rowStart)
    {
        ref T column = ref lanes[vec];
        ref float row = ref rows[rowStart];
        int f = _features, k = 0;
        for (; k + 4 <= f; k += 4)
        {
            ref T first = ref Unsafe.Add(ref column, k * stride);
            for (int half = 0; half < T.Count / 8; half++)
            {
                // Elements [8·half, 8·half + 8) of the four features' lane values: envs 8·half … 8·half + 7.
                ref Vector256<float> a = ref Unsafe.Add(ref Unsafe.As<T, Vector256<float>>(ref first), half);
                TransposeStore4(a,
                    Unsafe.Add(ref Unsafe.As<T, Vector256<float>>(ref Unsafe.Add(ref first, stride)), half),
                    Unsafe.Add(ref Unsafe.As<T, Vector256<float>>(ref Unsafe.Add(ref first, 2 * stride)), half),
                    Unsafe.Add(ref Unsafe.As<T, Vector256<float>>(ref Unsafe.Add(ref first, 3 * stride)), half),
                    ref Unsafe.Add(ref row, 8 * half * f + k), f);
            }
        }
        for (; k < f; k++) T.Store(lanes[k * stride + vec], rows, rowStart + k, f, T.Count);
    }

    /// <summary>Features a, b, c, d of 8 envs to rows <paramref name="f"/> floats apart: env j's four at <c>row[j·f]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeStore4(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d, ref float row, int f)
    {
        var ab0 = Avx.UnpackLow(a, b);   // a0 b0 a1 b1 | a4 b4 a5 b5
        var ab1 = Avx.UnpackHigh(a, b);  // a2 b2 a3 b3 | a6 b6 a7 b7
        var cd0 = Avx.UnpackLow(c, d);
        var cd1 = Avx.UnpackHigh(c, d);
        var e0 = Avx.Shuffle(ab0, cd0, 0x44); // env 0 | env 4
        var e1 = Avx.Shuffle(ab0, cd0, 0xEE); // env 1 | env 5
        var e2 = Avx.Shuffle(ab1, cd1, 0x44); // env 2 | env 6
        var e3 = Avx.Shuffle(ab1, cd1, 0xEE); // env 3 | env 7
        e0.GetLower().StoreUnsafe(ref row, 0);
        e1.GetLower().StoreUnsafe(ref row, (nuint)f);
        e2.GetLower().StoreUnsafe(ref row, (nuint)(2 * f));
        e3.GetLower().StoreUnsafe(ref row, (nuint)(3 * f));
        e0.GetUpper().StoreUnsafe(ref row, (nuint)(4 * f));
        e1.GetUpper().StoreUnsafe(ref row, (nuint)(5 * f));
        e2.GetUpper().StoreUnsafe(ref row, (nuint)(6 * f));
        e3.GetUpper().StoreUnsafe(ref row, (nuint)(7 * f));
    }

    /// <summary>Two features of 8 lanes (MountainCar's observation): interleave, then put the halves in order.</summary>
    private static void Transpose8x2(T[] lanes, int vec, int stride, float[] rows, int rowStart)
    {
        ref T column = ref lanes[vec];
        var a = Unsafe.As<T, Vector256<float>>(ref column);
        var b = Unsafe.As<T, Vector256<float>>(ref Unsafe.Add(ref column, stride));
        var lo = Avx.UnpackLow(a, b);  // a0 b0 a1 b1 | a4 b4 a5 b5
        var hi = Avx.UnpackHigh(a, b); // a2 b2 a3 b3 | a6 b6 a7 b7
        ref float row = ref rows[rowStart];
        Avx.Permute2x128(lo, hi, 0x20).StoreUnsafe(ref row, 0);
        Avx.Permute2x128(lo, hi, 0x31).StoreUnsafe(ref row, 8);
    }

    private void Export8(T[] lanes, int vec, int stride, float[] rows, int rowStart)
    {
        ref T column = ref lanes[vec];
        ref float row = ref rows[rowStart];
        ref int index = ref _index![0], take = ref _take![0];
        int s = _features;
        for (int q = 0; q < s; q++)
        {
            int at = q * s * 8; // one feature per group
            var acc = Avx2.PermuteVar8x32(Unsafe.As<T, Vector256<float>>(ref column), Vector256.LoadUnsafe(ref index, (nuint)at));
            for (int k = 1; k < s; k++)
            {
                at += 8;
                var v = Avx2.PermuteVar8x32(Unsafe.As<T, Vector256<float>>(ref Unsafe.Add(ref column, k * stride)), Vector256.LoadUnsafe(ref index, (nuint)at));
                acc = Vector256.ConditionalSelect(Vector256.LoadUnsafe(ref take, (nuint)at).AsSingle(), v, acc);
            }
            acc.StoreUnsafe(ref row, (nuint)(q * 8));
        }
    }
}
