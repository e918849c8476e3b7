using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RlKernels.Kernels.Nn;

/// <summary>
/// The Vector256 (AVX2 + FMA) versions of the <see cref="MatMul"/> kernels, for machines without
/// AVX-512. Same contracts and argument order; see <see cref="MatMul"/> for what each computes.
/// </summary>
/// <remarks>
/// AVX2 has 16 ymm registers, so the main tile is 4 rows × 16 columns: 8 accumulators, 2 loads of the
/// right matrix and a broadcast stay in registers (a 4 × 32 tile would need 16 accumulators and spill).
/// Tails: 8-column vectors, then scalar columns, then a one-row kernel. Callers guarantee
/// <see cref="Vector256.IsHardwareAccelerated"/>.
/// </remarks>
internal static unsafe class MatMul256
{
    /// <summary>C[r, n] = epi(Σ_k A[r, k] · M[k, n]); see <see cref="MatMul.RowsTimesMatrix"/>.</summary>
    public static void RowsTimesMatrix<TEpi>(float* a, int lda, float* m, float* mt, int rows, int K, int N,
        float* c, int ldc, TEpi epi) where TEpi : struct, IEpilogue
    {
        if (N < 8 && K >= 8)
        {
            DotRows(a, lda, mt, rows, K, N, c, ldc, ref epi);
            return;
        }
        int r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            float* ar = a + (long)r * lda;
            int n = 0;
            for (; n + 16 <= N; n += 16) Tile4x16(ar, lda, m + n, N, K, c, ldc, r, n, ref epi);
            for (; n + 8 <= N; n += 8) Tile4x8(ar, lda, m + n, N, K, c, ldc, r, n, ref epi);
            for (; n < N; n++)
                for (int i = 0; i < 4; i++)
                    c[(long)(r + i) * ldc + n] = epi.Apply(MatMul.ScalarDot(ar + (long)i * lda, m + n, N, K), r + i, n);
        }
        for (; r < rows; r++)
        {
            float* ar = a + (long)r * lda;
            int n = 0;
            for (; n + 8 <= N; n += 8)
            {
                Vector256<float> acc = Vector256<float>.Zero;
                for (int k = 0; k < K; k++) acc = Vector256.FusedMultiplyAdd(Vector256.Create(ar[k]), Vector256.Load(m + (long)k * N + n), acc);
                Vector256.Store(epi.Apply(acc, r, n), c + (long)r * ldc + n);
            }
            for (; n < N; n++) c[(long)r * ldc + n] = epi.Apply(MatMul.ScalarDot(ar, m + n, N, K), r, n);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x16<TEpi>(float* a, int lda, float* m, int ldm, int K, float* c, int ldc, int row, int col, ref TEpi epi)
        where TEpi : struct, IEpilogue
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda;
        for (int k = 0; k < K; k++)
        {
            float* mk = m + (long)k * ldm;
            Vector256<float> m0 = Vector256.Load(mk), m1 = Vector256.Load(mk + 8);
            Vector256<float> b = Vector256.Create(a0[k]);
            c00 = Vector256.FusedMultiplyAdd(b, m0, c00); c01 = Vector256.FusedMultiplyAdd(b, m1, c01);
            b = Vector256.Create(a1[k]);
            c10 = Vector256.FusedMultiplyAdd(b, m0, c10); c11 = Vector256.FusedMultiplyAdd(b, m1, c11);
            b = Vector256.Create(a2[k]);
            c20 = Vector256.FusedMultiplyAdd(b, m0, c20); c21 = Vector256.FusedMultiplyAdd(b, m1, c21);
            b = Vector256.Create(a3[k]);
            c30 = Vector256.FusedMultiplyAdd(b, m0, c30); c31 = Vector256.FusedMultiplyAdd(b, m1, c31);
        }
        float* c0 = c + (long)row * ldc + col, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        Vector256.Store(epi.Apply(c00, row, col), c0); Vector256.Store(epi.Apply(c01, row, col + 8), c0 + 8);
        Vector256.Store(epi.Apply(c10, row + 1, col), c1); Vector256.Store(epi.Apply(c11, row + 1, col + 8), c1 + 8);
        Vector256.Store(epi.Apply(c20, row + 2, col), c2); Vector256.Store(epi.Apply(c21, row + 2, col + 8), c2 + 8);
        Vector256.Store(epi.Apply(c30, row + 3, col), c3); Vector256.Store(epi.Apply(c31, row + 3, col + 8), c3 + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x8<TEpi>(float* a, int lda, float* m, int ldm, int K, float* c, int ldc, int row, int col, ref TEpi epi)
        where TEpi : struct, IEpilogue
    {
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda;
        for (int k = 0; k < K; k++)
        {
            Vector256<float> mk = Vector256.Load(m + (long)k * ldm);
            c0 = Vector256.FusedMultiplyAdd(Vector256.Create(a0[k]), mk, c0);
            c1 = Vector256.FusedMultiplyAdd(Vector256.Create(a1[k]), mk, c1);
            c2 = Vector256.FusedMultiplyAdd(Vector256.Create(a2[k]), mk, c2);
            c3 = Vector256.FusedMultiplyAdd(Vector256.Create(a3[k]), mk, c3);
        }
        float* o = c + (long)row * ldc + col;
        Vector256.Store(epi.Apply(c0, row, col), o);
        Vector256.Store(epi.Apply(c1, row + 1, col), o + ldc);
        Vector256.Store(epi.Apply(c2, row + 2, col), o + 2 * ldc);
        Vector256.Store(epi.Apply(c3, row + 3, col), o + 3 * ldc);
    }

    /// <summary>Narrow outputs: C[r, n] = epi(A[r, :] · Mt[n, :]), vectorized along K.</summary>
    private static void DotRows<TEpi>(float* a, int lda, float* mt, int rows, int K, int N, float* c, int ldc, ref TEpi epi)
        where TEpi : struct, IEpilogue
    {
        int kv = K & ~7;
        for (int r = 0; r < rows; r++)
        {
            float* ar = a + (long)r * lda;
            for (int n = 0; n < N; n++)
            {
                float* mn = mt + (long)n * K;
                Vector256<float> acc = Vector256<float>.Zero;
                for (int k = 0; k < kv; k += 8) acc = Vector256.FusedMultiplyAdd(Vector256.Load(ar + k), Vector256.Load(mn + k), acc);
                float s = Vector256.Sum(acc);
                for (int k = kv; k < K; k++) s = MathF.FusedMultiplyAdd(ar[k], mn[k], s);
                c[(long)r * ldc + n] = epi.Apply(s, r, n);
            }
        }
    }

    /// <summary>C[m, n] += Σ_k A[k, m] · B[k, n]; see <see cref="MatMul.TransposeATimesB"/>.</summary>
    public static void TransposeATimesB(float* a, int lda, float* b, int ldb, int K, int M, int N, float* c)
    {
        int mi = 0;
        for (; mi + 4 <= M; mi += 4)
        {
            int n = 0;
            for (; n + 16 <= N; n += 16) GradTile4x16(a + mi, lda, b + n, ldb, K, c + (long)mi * N + n, N);
            for (; n + 8 <= N; n += 8)
            {
                Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
                for (int k = 0; k < K; k++)
                {
                    float* ak = a + (long)k * lda + mi;
                    Vector256<float> bk = Vector256.Load(b + (long)k * ldb + n);
                    c0 = Vector256.FusedMultiplyAdd(Vector256.Create(ak[0]), bk, c0);
                    c1 = Vector256.FusedMultiplyAdd(Vector256.Create(ak[1]), bk, c1);
                    c2 = Vector256.FusedMultiplyAdd(Vector256.Create(ak[2]), bk, c2);
                    c3 = Vector256.FusedMultiplyAdd(Vector256.Create(ak[3]), bk, c3);
                }
                float* o = c + (long)mi * N + n;
                Vector256.Store(Vector256.Load(o) + c0, o);
                Vector256.Store(Vector256.Load(o + N) + c1, o + N);
                Vector256.Store(Vector256.Load(o + 2 * N) + c2, o + 2 * N);
                Vector256.Store(Vector256.Load(o + 3 * N) + c3, o + 3 * N);
            }
            for (; n < N; n++)
                for (int i = 0; i < 4; i++) c[(long)(mi + i) * N + n] += MatMul.ScalarDot(a + mi + i, b + n, lda, ldb, K);
        }
        for (; mi < M; mi++)
        {
            int n = 0;
            for (; n + 8 <= N; n += 8)
            {
                Vector256<float> acc = Vector256<float>.Zero;
                for (int k = 0; k < K; k++) acc = Vector256.FusedMultiplyAdd(Vector256.Create(a[(long)k * lda + mi]), Vector256.Load(b + (long)k * ldb + n), acc);
                float* o = c + (long)mi * N + n;
                Vector256.Store(Vector256.Load(o) + acc, o);
            }
            for (; n < N; n++) c[(long)mi * N + n] += MatMul.ScalarDot(a + mi, b + n, lda, ldb, K);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GradTile4x16(float* a, int lda, float* b, int ldb, int K, float* c, int ldc)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        for (int k = 0; k < K; k++)
        {
            float* ak = a + (long)k * lda;
            float* bk = b + (long)k * ldb;
            Vector256<float> m0 = Vector256.Load(bk), m1 = Vector256.Load(bk + 8);
            Vector256<float> s = Vector256.Create(ak[0]);
            c00 = Vector256.FusedMultiplyAdd(s, m0, c00); c01 = Vector256.FusedMultiplyAdd(s, m1, c01);
            s = Vector256.Create(ak[1]);
            c10 = Vector256.FusedMultiplyAdd(s, m0, c10); c11 = Vector256.FusedMultiplyAdd(s, m1, c11);
            s = Vector256.Create(ak[2]);
            c20 = Vector256.FusedMultiplyAdd(s, m0, c20); c21 = Vector256.FusedMultiplyAdd(s, m1, c21);
            s = Vector256.Create(ak[3]);
            c30 = Vector256.FusedMultiplyAdd(s, m0, c30); c31 = Vector256.FusedMultiplyAdd(s, m1, c31);
        }
        AddRow(c, c00, c01);
        AddRow(c + ldc, c10, c11);
        AddRow(c + 2 * ldc, c20, c21);
        AddRow(c + 3 * ldc, c30, c31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRow(float* o, Vector256<float> v0, Vector256<float> v1)
    {
        Vector256.Store(Vector256.Load(o) + v0, o);
        Vector256.Store(Vector256.Load(o + 8) + v1, o + 8);
    }

    /// <summary>sums[n] += Σ_r A[r, n]; see <see cref="MatMul.ColumnSums"/>.</summary>
    public static void ColumnSums(float* a, int lda, int rows, int N, float* sums)
    {
        int n = 0;
        for (; n + 8 <= N; n += 8)
        {
            Vector256<float> acc0 = default, acc1 = default;
            int r = 0;
            for (; r + 2 <= rows; r += 2)
            {
                acc0 += Vector256.Load(a + (long)r * lda + n);
                acc1 += Vector256.Load(a + (long)(r + 1) * lda + n);
            }
            if (r < rows) acc0 += Vector256.Load(a + (long)r * lda + n);
            Vector256.Store(Vector256.Load(sums + n) + acc0 + acc1, sums + n);
        }
        for (; n < N; n++)
        {
            float s = 0f;
            for (int r = 0; r < rows; r++) s += a[(long)r * lda + n];
            sums[n] += s;
        }
    }
}
