using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RlKernels.Kernels.Nn;

/// <summary>
/// Register-blocked matrix kernels for small layers and many rows, at a chosen vector width. Sizes: rows =
/// batch rows of this call, K = reduction length, N = output columns.
/// </summary>
/// <remarks>
/// The kernels are written once, in Nn/NnWidth.template, and generated per width: <c>MatMul512</c> (16 floats;
/// 4 × 64 tiles, 16 of the 32 zmm registers), <c>MatMul256</c> (8 floats; 6 × 16 tiles, 12 accumulators in AVX2's 16 ymm
/// registers) and <c>MatMul128</c> (4 floats; 4 × 16 tiles on NEON's 32 registers, 6 × 8 on SSE's 16). This
/// class picks one by width. Callers pass a width only where <see cref="Lanes.LaneSelection.IsAccelerated"/>.
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
    /// <param name="width">Floats per vector: 16, 8 or 4.</param>
    public static void RowsTimesMatrix<TEpi>(float* a, int lda, float* m, float* mt, int rows, int K, int N,
        float* c, int ldc, TEpi epi, int width) where TEpi : struct, IEpilogue
    {
        switch (width)
        {
            case 16: MatMul512.RowsTimesMatrix(a, lda, m, mt, rows, K, N, c, ldc, epi); break;
            case 8: MatMul256.RowsTimesMatrix(a, lda, m, mt, rows, K, N, c, ldc, epi); break;
            case 4: MatMul128.RowsTimesMatrix(a, lda, m, mt, rows, K, N, c, ldc, epi); break;
            default: throw new ArgumentOutOfRangeException(nameof(width), width, "Width must be 16, 8 or 4.");
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
    /// <param name="width">Floats per vector: 16, 8 or 4.</param>
    public static void TransposeATimesB(float* a, int lda, float* b, int ldb, int K, int M, int N, float* c, int width)
    {
        switch (width)
        {
            case 16: MatMul512.TransposeATimesB(a, lda, b, ldb, K, M, N, c); break;
            case 8: MatMul256.TransposeATimesB(a, lda, b, ldb, K, M, N, c); break;
            case 4: MatMul128.TransposeATimesB(a, lda, b, ldb, K, M, N, c); break;
            default: throw new ArgumentOutOfRangeException(nameof(width), width, "Width must be 16, 8 or 4.");
        }
    }

    /// <summary>sums[n] += Σ_r A[r, n] (bias gradient). A: [rows, N] with row stride lda.</summary>
    /// <param name="a">A, [rows, N] with row stride <paramref name="lda"/>.</param>
    /// <param name="lda">Row stride of A in floats.</param>
    /// <param name="rows">Rows of A summed.</param>
    /// <param name="N">Columns of A (length of sums).</param>
    /// <param name="sums">[N]; accumulated into.</param>
    /// <param name="width">Floats per vector: 16, 8 or 4.</param>
    public static void ColumnSums(float* a, int lda, int rows, int N, float* sums, int width)
    {
        switch (width)
        {
            case 16: MatMul512.ColumnSums(a, lda, rows, N, sums); break;
            case 8: MatMul256.ColumnSums(a, lda, rows, N, sums); break;
            case 4: MatMul128.ColumnSums(a, lda, rows, N, sums); break;
            default: throw new ArgumentOutOfRangeException(nameof(width), width, "Width must be 16, 8 or 4.");
        }
    }

    /// <summary>dst[j, i] = src[i, j]: src [rows, cols] dense, dst [cols, rows] dense.</summary>
    /// <remarks>
    /// Every forward pass transposes the weights (they change at every optimizer step); with AVX, 8 × 8 blocks move
    /// through registers (unpack, shuffle, lane permute), the edges element by element. A copy, so exact either way.
    /// </remarks>
    public static void Transpose(float* src, int rows, int cols, float* dst)
    {
        int rowBlocks = Avx.IsSupported ? rows & ~7 : 0, colBlocks = Avx.IsSupported ? cols & ~7 : 0;
        for (int i = 0; i < rowBlocks; i += 8)
            for (int j = 0; j < colBlocks; j += 8) Transpose8x8(src + (long)i * cols + j, cols, dst + (long)j * rows + i, rows);
        for (int i = 0; i < rows; i++)
            for (int j = i < rowBlocks ? colBlocks : 0; j < cols; j++) dst[(long)j * rows + i] = src[(long)i * cols + j];
    }

    /// <summary>The 8 × 8 block at src (row stride ls) written transposed at dst (row stride ld).</summary>
    private static void Transpose8x8(float* src, int ls, float* dst, int ld)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + ls), r2 = Avx.LoadVector256(src + 2 * ls),
            r3 = Avx.LoadVector256(src + 3 * ls), r4 = Avx.LoadVector256(src + 4 * ls), r5 = Avx.LoadVector256(src + 5 * ls),
            r6 = Avx.LoadVector256(src + 6 * ls), r7 = Avx.LoadVector256(src + 7 * ls);
        // Pairs of rows interleaved, then 4-row groups of columns (k, k + 4) per 128-bit half, then the halves regrouped.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE), s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE), s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + ld, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + 2 * ld, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + 3 * ld, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + 4 * ld, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + 5 * ld, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + 6 * ld, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + 7 * ld, Avx.Permute2x128(s3, s7, 0x31));
    }
}
