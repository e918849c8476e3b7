using ILGPU;
using ILGPU.Runtime;

namespace RlKernels.Kernels.Gpu;

/// <summary>
/// Strides of a batched product C[p] = act(A′[p]·B′[p] + bias[p]) (or C += A′·B′), where A′(m, k) =
/// A[p·AStrideP + m·ASm + k·ASk] and B′(k, n) = B[p·BStrideP + k·BSk + n·BSn]. Strides make the
/// transposes of the backward pass free: the same kernel computes x·Wᵀ, dY·W and dYᵀ·x.
/// </summary>
public struct MatMulParams
{
    public int M, N, K;
    public int ASm, ASk, BSk, BSn;
    public long AStrideP, BStrideP, CStrideP, BiasStrideP;
    /// <summary>Row stride of C (columns are dense).</summary>
    public int Ldc;
    /// <summary>1: C += A′·B′ (backward); 0: C = act(A′·B′ + bias).</summary>
    public int Accumulate;
    /// <summary>1: add bias[p·BiasStrideP + n] before the activation.</summary>
    public int HasBias;
    /// <summary>Activation code (0 identity, 1 tanh, 2 relu), forward only.</summary>
    public int Activation;
}

/// <summary>
/// Tiled shared-memory matrix product: a group of Tile × Tile threads computes one Tile × Tile block of
/// C, staging Tile-wide slabs of A′ and B′ through shared memory so each global element is read once per
/// block instead of once per output. Grid: (⌈N/Tile⌉, ⌈M/Tile⌉, P) groups of (Tile, Tile, 1).
/// </summary>
public static class TiledMatMulKernel
{
    /// <summary>Tile edge: 16 × 16 = 256 threads per group, two 1 KiB shared tiles.</summary>
    public const int Tile = 16;

    /// <summary>Launch configuration for a batched product of P members.</summary>
    public static KernelConfig Config(int population, in MatMulParams prm) =>
        new(new Index3D((prm.N + Tile - 1) / Tile, (prm.M + Tile - 1) / Tile, population), new Index3D(Tile, Tile, 1));

    /// <remarks>Effectively computes C[p][m, n] = act(Σ_k A′(m, k) B′(k, n) + bias[p][n]), or adds the sum to C.</remarks>
    public static void Kernel(
        ArrayView<float> a,    // A′ through the strides
        ArrayView<float> b,    // B′ through the strides
        ArrayView<float> bias, // [P, N] or a dummy when HasBias = 0
        ArrayView<float> c,    // [P, M, Ldc]
        MatMulParams prm)
    {
        var tileA = SharedMemory.Allocate<float>(Tile * Tile);
        var tileB = SharedMemory.Allocate<float>(Tile * Tile);
        int tx = Group.IdxX, ty = Group.IdxY;
        int col = Grid.IdxX * Tile + tx, row = Grid.IdxY * Tile + ty;
        int p = Grid.IdxZ;
        long aBase = p * prm.AStrideP, bBase = p * prm.BStrideP;
        float acc = 0f;
        for (int k0 = 0; k0 < prm.K; k0 += Tile)
        {
            // Each thread stages one element of each slab; out-of-range elements are zero.
            int ka = k0 + tx, kb = k0 + ty;
            tileA[ty * Tile + tx] = row < prm.M && ka < prm.K ? a[aBase + (long)row * prm.ASm + (long)ka * prm.ASk] : 0f;
            tileB[ty * Tile + tx] = kb < prm.K && col < prm.N ? b[bBase + (long)kb * prm.BSk + (long)col * prm.BSn] : 0f;
            Group.Barrier();
            for (int kk = 0; kk < Tile; kk++) acc += tileA[ty * Tile + kk] * tileB[kk * Tile + tx];
            Group.Barrier();
        }
        if (row >= prm.M || col >= prm.N) return;
        long ci = p * prm.CStrideP + (long)row * prm.Ldc + col;
        if (prm.Accumulate != 0)
        {
            c[ci] += acc;
            return;
        }
        if (prm.HasBias != 0) acc += bias[p * prm.BiasStrideP + col];
        c[ci] = GpuActivation.Apply(prm.Activation, acc);
    }
}
