using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RlKernels.Kernels.Nn;

/// <summary>
/// Register-blocked Vector512 matrix kernels for small layers and many rows. Sizes: rows = batch
/// rows of this call, K = reduction length, N = output columns.
/// </summary>
/// <remarks>
/// The main tile keeps 4 rows × 64 columns (16 zmm registers) of accumulators: each step of k
/// broadcasts 4 scalars of A and loads 4 vectors of the right matrix for 16 FMAs, so the loads stay
/// well under the two per cycle a core can do. Tails: 16-column vectors, then scalar columns, then a
/// one-row kernel for the last rows. Narrow outputs (N &lt; 16, e.g. a 2-action head) would leave
/// most of a vector idle, so they use dot products along K against the transposed matrix instead.
/// Callers pass width 16 only where <see cref="Vector512.IsHardwareAccelerated"/>, and width 8 (the
/// <see cref="MatMul256"/> kernels) only where Vector256 and FMA are.
/// </remarks>
internal static unsafe class MatMul
{
    /// <summary>
    /// C[r, n] = epi(Σ_k A[r, k] · M[k, n]). A: [rows, K] with row stride lda; M: [K, N] dense;
    /// mt: M transposed, [N, K] dense; C: [rows, N] with row stride ldc.
    /// </summary>
    /// <param name="a">A, [rows, K] with row stride <paramref name="lda"/>.</param>
    /// <param name="lda">Row stride of A in floats.</param>
    /// <param name="m">M, [K, N] dense.</param>
    /// <param name="mt">M transposed, [N, K] dense (read by the narrow-output path).</param>
    /// <param name="rows">Rows of A and C handled by this call.</param>
    /// <param name="K">Reduction length.</param>
    /// <param name="N">Output columns.</param>
    /// <param name="c">C, [rows, N] with row stride <paramref name="ldc"/>; overwritten.</param>
    /// <param name="ldc">Row stride of C in floats.</param>
    /// <param name="epi">Epilogue applied to each sum (bias, activation) before it is stored.</param>
    /// <param name="width">16 runs these Vector512 kernels, 8 the Vector256 ones in <see cref="MatMul256"/>.</param>
    public static void RowsTimesMatrix<TEpi>(float* a, int lda, float* m, float* mt, int rows, int K, int N,
        float* c, int ldc, TEpi epi, int width) where TEpi : struct, IEpilogue
    {
        if (width == 8)
        {
            MatMul256.RowsTimesMatrix(a, lda, m, mt, rows, K, N, c, ldc, epi);
            return;
        }
        if (N < 16 && K >= 16)
        {
            DotRows(a, lda, mt, rows, K, N, c, ldc, ref epi);
            return;
        }
        int r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            float* ar = a + (long)r * lda;
            int n = 0;
            for (; n + 64 <= N; n += 64) Tile4x64(ar, lda, m + n, N, K, c, ldc, r, n, ref epi);
            for (; n + 16 <= N; n += 16) Tile4x16(ar, lda, m + n, N, K, c, ldc, r, n, ref epi);
            for (; n < N; n++)
                for (int i = 0; i < 4; i++)
                    c[(long)(r + i) * ldc + n] = epi.Apply(ScalarDot(ar + (long)i * lda, m + n, N, K), r + i, n);
        }
        for (; r < rows; r++)
        {
            float* ar = a + (long)r * lda;
            int n = 0;
            for (; n + 16 <= N; n += 16)
            {
                Vector512<float> acc = Vector512<float>.Zero;
                for (int k = 0; k < K; k++) acc = Vector512.FusedMultiplyAdd(Vector512.Create(ar[k]), Vector512.Load(m + (long)k * N + n), acc);
                Vector512.Store(epi.Apply(acc, r, n), c + (long)r * ldc + n);
            }
            for (; n < N; n++) c[(long)r * ldc + n] = epi.Apply(ScalarDot(ar, m + n, N, K), r, n);
        }
    }

    /// <summary>Σ_k A[k]·M[k, column] as one FMA chain: the scalar tail both widths share.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float ScalarDot(float* ar, float* mColumn, int ldm, int K)
    {
        float s = 0f;
        for (int k = 0; k < K; k++) s = MathF.FusedMultiplyAdd(ar[k], mColumn[(long)k * ldm], s);
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x64<TEpi>(float* a, int lda, float* m, int ldm, int K, float* c, int ldc, int row, int col, ref TEpi epi)
        where TEpi : struct, IEpilogue
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda;
        for (int k = 0; k < K; k++)
        {
            float* mk = m + (long)k * ldm;
            Vector512<float> m0 = Vector512.Load(mk), m1 = Vector512.Load(mk + 16), m2 = Vector512.Load(mk + 32), m3 = Vector512.Load(mk + 48);
            Vector512<float> b = Vector512.Create(a0[k]);
            c00 = Vector512.FusedMultiplyAdd(b, m0, c00); c01 = Vector512.FusedMultiplyAdd(b, m1, c01);
            c02 = Vector512.FusedMultiplyAdd(b, m2, c02); c03 = Vector512.FusedMultiplyAdd(b, m3, c03);
            b = Vector512.Create(a1[k]);
            c10 = Vector512.FusedMultiplyAdd(b, m0, c10); c11 = Vector512.FusedMultiplyAdd(b, m1, c11);
            c12 = Vector512.FusedMultiplyAdd(b, m2, c12); c13 = Vector512.FusedMultiplyAdd(b, m3, c13);
            b = Vector512.Create(a2[k]);
            c20 = Vector512.FusedMultiplyAdd(b, m0, c20); c21 = Vector512.FusedMultiplyAdd(b, m1, c21);
            c22 = Vector512.FusedMultiplyAdd(b, m2, c22); c23 = Vector512.FusedMultiplyAdd(b, m3, c23);
            b = Vector512.Create(a3[k]);
            c30 = Vector512.FusedMultiplyAdd(b, m0, c30); c31 = Vector512.FusedMultiplyAdd(b, m1, c31);
            c32 = Vector512.FusedMultiplyAdd(b, m2, c32); c33 = Vector512.FusedMultiplyAdd(b, m3, c33);
        }
        float* c0 = c + (long)row * ldc + col, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        Vector512.Store(epi.Apply(c00, row, col), c0); Vector512.Store(epi.Apply(c01, row, col + 16), c0 + 16);
        Vector512.Store(epi.Apply(c02, row, col + 32), c0 + 32); Vector512.Store(epi.Apply(c03, row, col + 48), c0 + 48);
        Vector512.Store(epi.Apply(c10, row + 1, col), c1); Vector512.Store(epi.Apply(c11, row + 1, col + 16), c1 + 16);
        Vector512.Store(epi.Apply(c12, row + 1, col + 32), c1 + 32); Vector512.Store(epi.Apply(c13, row + 1, col + 48), c1 + 48);
        Vector512.Store(epi.Apply(c20, row + 2, col), c2); Vector512.Store(epi.Apply(c21, row + 2, col + 16), c2 + 16);
        Vector512.Store(epi.Apply(c22, row + 2, col + 32), c2 + 32); Vector512.Store(epi.Apply(c23, row + 2, col + 48), c2 + 48);
        Vector512.Store(epi.Apply(c30, row + 3, col), c3); Vector512.Store(epi.Apply(c31, row + 3, col + 16), c3 + 16);
        Vector512.Store(epi.Apply(c32, row + 3, col + 32), c3 + 32); Vector512.Store(epi.Apply(c33, row + 3, col + 48), c3 + 48);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x16<TEpi>(float* a, int lda, float* m, int ldm, int K, float* c, int ldc, int row, int col, ref TEpi epi)
        where TEpi : struct, IEpilogue
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda;
        for (int k = 0; k < K; k++)
        {
            Vector512<float> mk = Vector512.Load(m + (long)k * ldm);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a0[k]), mk, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a1[k]), mk, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a2[k]), mk, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a3[k]), mk, c3);
        }
        float* o = c + (long)row * ldc + col;
        Vector512.Store(epi.Apply(c0, row, col), o);
        Vector512.Store(epi.Apply(c1, row + 1, col), o + ldc);
        Vector512.Store(epi.Apply(c2, row + 2, col), o + 2 * ldc);
        Vector512.Store(epi.Apply(c3, row + 3, col), o + 3 * ldc);
    }

    /// <summary>Narrow outputs: C[r, n] = epi(A[r, :] · Mt[n, :]), vectorized along K.</summary>
    private static void DotRows<TEpi>(float* a, int lda, float* mt, int rows, int K, int N, float* c, int ldc, ref TEpi epi)
        where TEpi : struct, IEpilogue
    {
        int kv = K & ~15;
        for (int r = 0; r < rows; r++)
        {
            float* ar = a + (long)r * lda;
            for (int n = 0; n < N; n++)
            {
                float* mn = mt + (long)n * K;
                Vector512<float> acc = Vector512<float>.Zero;
                for (int k = 0; k < kv; k += 16) acc = Vector512.FusedMultiplyAdd(Vector512.Load(ar + k), Vector512.Load(mn + k), acc);
                float s = Vector512.Sum(acc);
                for (int k = kv; k < K; k++) s = MathF.FusedMultiplyAdd(ar[k], mn[k], s);
                c[(long)r * ldc + n] = epi.Apply(s, r, n);
            }
        }
    }

    /// <summary>
    /// C[m, n] += Σ_k A[k, m] · B[k, n]: the weight gradient dW += dZᵀ·X, reducing over K batch rows.
    /// A: [K, M] with row stride lda; B: [K, N] with row stride ldb; C: [M, N] dense.
    /// </summary>
    /// <param name="a">A, [K, M] with row stride <paramref name="lda"/>.</param>
    /// <param name="lda">Row stride of A in floats.</param>
    /// <param name="b">B, [K, N] with row stride <paramref name="ldb"/>.</param>
    /// <param name="ldb">Row stride of B in floats.</param>
    /// <param name="K">Reduction length (batch rows).</param>
    /// <param name="M">Rows of C.</param>
    /// <param name="N">Columns of C.</param>
    /// <param name="c">C, [M, N] dense; accumulated into.</param>
    /// <param name="width">16 runs these Vector512 kernels, 8 the Vector256 ones in <see cref="MatMul256"/>.</param>
    public static void TransposeATimesB(float* a, int lda, float* b, int ldb, int K, int M, int N, float* c, int width)
    {
        if (width == 8)
        {
            MatMul256.TransposeATimesB(a, lda, b, ldb, K, M, N, c);
            return;
        }
        int mi = 0;
        for (; mi + 4 <= M; mi += 4)
        {
            int n = 0;
            for (; n + 64 <= N; n += 64) GradTile4x64(a + mi, lda, b + n, ldb, K, c + (long)mi * N + n, N);
            for (; n + 16 <= N; n += 16)
            {
                Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
                for (int k = 0; k < K; k++)
                {
                    float* ak = a + (long)k * lda + mi;
                    Vector512<float> bk = Vector512.Load(b + (long)k * ldb + n);
                    c0 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[0]), bk, c0);
                    c1 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[1]), bk, c1);
                    c2 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[2]), bk, c2);
                    c3 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[3]), bk, c3);
                }
                float* o = c + (long)mi * N + n;
                Vector512.Store(Vector512.Load(o) + c0, o);
                Vector512.Store(Vector512.Load(o + N) + c1, o + N);
                Vector512.Store(Vector512.Load(o + 2 * N) + c2, o + 2 * N);
                Vector512.Store(Vector512.Load(o + 3 * N) + c3, o + 3 * N);
            }
            for (; n < N; n++)
                for (int i = 0; i < 4; i++) c[(long)(mi + i) * N + n] += ScalarDot(a + mi + i, b + n, lda, ldb, K);
        }
        for (; mi < M; mi++)
        {
            int n = 0;
            for (; n + 16 <= N; n += 16)
            {
                Vector512<float> acc = Vector512<float>.Zero;
                for (int k = 0; k < K; k++) acc = Vector512.FusedMultiplyAdd(Vector512.Create(a[(long)k * lda + mi]), Vector512.Load(b + (long)k * ldb + n), acc);
                float* o = c + (long)mi * N + n;
                Vector512.Store(Vector512.Load(o) + acc, o);
            }
            for (; n < N; n++) c[(long)mi * N + n] += ScalarDot(a + mi, b + n, lda, ldb, K);
        }
    }

    /// <summary>Σ_k A[k, ·]·B[k, ·] down two columns as one FMA chain: the scalar tail both widths share.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float ScalarDot(float* aColumn, float* bColumn, int lda, int ldb, int K)
    {
        float s = 0f;
        for (int k = 0; k < K; k++) s = MathF.FusedMultiplyAdd(aColumn[(long)k * lda], bColumn[(long)k * ldb], s);
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GradTile4x64(float* a, int lda, float* b, int ldb, int K, float* c, int ldc)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        for (int k = 0; k < K; k++)
        {
            float* ak = a + (long)k * lda;
            float* bk = b + (long)k * ldb;
            Vector512<float> m0 = Vector512.Load(bk), m1 = Vector512.Load(bk + 16), m2 = Vector512.Load(bk + 32), m3 = Vector512.Load(bk + 48);
            Vector512<float> s = Vector512.Create(ak[0]);
            c00 = Vector512.FusedMultiplyAdd(s, m0, c00); c01 = Vector512.FusedMultiplyAdd(s, m1, c01);
            c02 = Vector512.FusedMultiplyAdd(s, m2, c02); c03 = Vector512.FusedMultiplyAdd(s, m3, c03);
            s = Vector512.Create(ak[1]);
            c10 = Vector512.FusedMultiplyAdd(s, m0, c10); c11 = Vector512.FusedMultiplyAdd(s, m1, c11);
            c12 = Vector512.FusedMultiplyAdd(s, m2, c12); c13 = Vector512.FusedMultiplyAdd(s, m3, c13);
            s = Vector512.Create(ak[2]);
            c20 = Vector512.FusedMultiplyAdd(s, m0, c20); c21 = Vector512.FusedMultiplyAdd(s, m1, c21);
            c22 = Vector512.FusedMultiplyAdd(s, m2, c22); c23 = Vector512.FusedMultiplyAdd(s, m3, c23);
            s = Vector512.Create(ak[3]);
            c30 = Vector512.FusedMultiplyAdd(s, m0, c30); c31 = Vector512.FusedMultiplyAdd(s, m1, c31);
            c32 = Vector512.FusedMultiplyAdd(s, m2, c32); c33 = Vector512.FusedMultiplyAdd(s, m3, c33);
        }
        AddRow(c, c00, c01, c02, c03);
        AddRow(c + ldc, c10, c11, c12, c13);
        AddRow(c + 2 * ldc, c20, c21, c22, c23);
        AddRow(c + 3 * ldc, c30, c31, c32, c33);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRow(float* o, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3)
    {
        Vector512.Store(Vector512.Load(o) + v0, o);
        Vector512.Store(Vector512.Load(o + 16) + v1, o + 16);
        Vector512.Store(Vector512.Load(o + 32) + v2, o + 32);
        Vector512.Store(Vector512.Load(o + 48) + v3, o + 48);
    }

    /// <summary>sums[n] += Σ_r A[r, n] (bias gradient). A: [rows, N] with row stride lda.</summary>
    /// <param name="a">A, [rows, N] with row stride <paramref name="lda"/>.</param>
    /// <param name="lda">Row stride of A in floats.</param>
    /// <param name="rows">Rows of A summed.</param>
    /// <param name="N">Columns of A (length of sums).</param>
    /// <param name="sums">[N]; accumulated into.</param>
    /// <param name="width">16 runs these Vector512 kernels, 8 the Vector256 ones in <see cref="MatMul256"/>.</param>
    public static void ColumnSums(float* a, int lda, int rows, int N, float* sums, int width)
    {
        if (width == 8)
        {
            MatMul256.ColumnSums(a, lda, rows, N, sums);
            return;
        }
        int n = 0;
        for (; n + 16 <= N; n += 16)
        {
            Vector512<float> acc0 = default, acc1 = default;
            int r = 0;
            for (; r + 2 <= rows; r += 2)
            {
                acc0 += Vector512.Load(a + (long)r * lda + n);
                acc1 += Vector512.Load(a + (long)(r + 1) * lda + n);
            }
            if (r < rows) acc0 += Vector512.Load(a + (long)r * lda + n);
            Vector512.Store(Vector512.Load(sums + n) + acc0 + acc1, sums + n);
        }
        for (; n < N; n++)
        {
            float s = 0f;
            for (int r = 0; r < rows; r++) s += a[(long)r * lda + n];
            sums[n] += s;
        }
    }

    /// <summary>dst[j, i] = src[i, j]: src [rows, cols] dense, dst [cols, rows] dense.</summary>
    public static void Transpose(float* src, int rows, int cols, float* dst)
    {
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) dst[(long)j * rows + i] = src[(long)i * cols + j];
    }
}
