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
    public static void Transpose(float* src, int rows, int cols, float* dst)
    {
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) dst[(long)j * rows + i] = src[(long)i * cols + j];
    }
}
