using ILGPU;

namespace RlKernels.Kernels.Gpu;

/// <summary>
/// The batched product of <see cref="TiledMatMulKernel"/> (same <see cref="MatMulParams"/>, same sum order over k,
/// so the same bits) with one thread per element of C and no shared memory or barriers. ILGPU's CPU accelerator
/// simulates a group barrier with OS threads meeting, so the tiled kernel costs there seconds per product of a
/// 64-wide layer; this one costs milliseconds (<see cref="GpuMlpKernels"/> picks it on the CPU accelerator).
/// </summary>
public static class DirectMatMulKernel
{
    /// <summary>Thread (p·M + m)·N + n: C[p][m, n] = act(Σ_k A′(m, k) B′(k, n) + bias[p][n]), or adds the sum to C.</summary>
    public static void Kernel(
        Index1D index,
        ArrayView<float> a,    // A′ through the strides
        ArrayView<float> b,    // B′ through the strides
        ArrayView<float> bias, // [P, N] or a dummy when HasBias = 0
        ArrayView<float> c,    // [P, M, Ldc]
        MatMulParams prm)
    {
        int perMember = prm.M * prm.N;
        int p = index.X / perMember, rest = index.X - p * perMember;
        int row = rest / prm.N, col = rest - row * prm.N;
        long aRow = p * prm.AStrideP + (long)row * prm.ASm, bCol = p * prm.BStrideP + (long)col * prm.BSn;
        float acc = 0f;
        for (int k = 0; k < prm.K; k++) acc += a[aRow + (long)k * prm.ASk] * b[bCol + (long)k * prm.BSk];
        TiledMatMulKernel.Store(bias, c, prm, p, row, col, acc);
    }
}
