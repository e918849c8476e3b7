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
    /// <summary>Output rows (M), output columns (N) and the shared inner dimension (K) of each product.</summary>
    public int M, N, K;
    /// <summary>Element strides of A′ along m and k, and of B′ along k and n.</summary>
    public int ASm, ASk, BSk, BSn;
    /// <summary>Element offsets between consecutive population members p in A, B, C and bias.</summary>
    public long AStrideP, BStrideP, CStrideP, BiasStrideP;
    /// <summary>Row stride of C (columns are dense).</summary>
    public int Ldc;
    /// <summary>1: C += A′·B′ (backward); 0: C = act(A′·B′ + bias).</summary>
    public int Accumulate;
    /// <summary>1: add bias[p·BiasStrideP + n] before the activation.</summary>
    public int HasBias;
    /// <summary>Activation code (0 identity, 1 tanh, 2 relu), forward only.</summary>
    public int Activation;
    /// <summary>Tile edge; the group is Tile × Tile threads (see <see cref="TiledMatMulKernel.TileFor"/>).</summary>
    public int Tile;
}

/// <summary>
/// Tiled shared-memory matrix product: a group of Tile × Tile threads computes one Tile × Tile block of
/// C, staging Tile-wide slabs of A′ and B′ through shared memory so each global element is read once per
/// block instead of once per output. Grid: (⌈N/Tile⌉, ⌈M/Tile⌉, P) groups of (Tile, Tile, 1); the two
/// tiles live in dynamic shared memory so the edge can follow the accelerator.
/// </summary>
public static class TiledMatMulKernel
{
    /// <summary>
    /// Tile edge for an accelerator: 16 (256 threads, two 1 KiB tiles) where groups that large fit, else the
    /// largest power of two whose square fits (ILGPU's CPU accelerator runs 16-thread groups: edge 4).
    /// </summary>
    public static int TileFor(Accelerator accelerator)
    {
        int tile = 16;
        while (tile > 1 && tile * tile > accelerator.MaxNumThreadsPerGroup) tile /= 2;
        return tile;
    }

    /// <summary>Launch configuration for a batched product of P members.</summary>
    public static KernelConfig Config(int population, in MatMulParams prm) =>
        new(new Index3D((prm.N + prm.Tile - 1) / prm.Tile, (prm.M + prm.Tile - 1) / prm.Tile, population),
            new Index3D(prm.Tile, prm.Tile, 1), SharedMemoryConfig.RequestDynamic<float>(2 * prm.Tile * prm.Tile));

    /// <remarks>Effectively computes C[p][m, n] = act(Σ_k A′(m, k) B′(k, n) + bias[p][n]), or adds the sum to C.</remarks>
    public static void Kernel(
        ArrayView<float> a,    // A′ through the strides
        ArrayView<float> b,    // B′ through the strides
        ArrayView<float> bias, // [P, N] or a dummy when HasBias = 0
        ArrayView<float> c,    // [P, M, Ldc]
        MatMulParams prm)
    {
        int tile = prm.Tile;
        var shared = SharedMemory.GetDynamic<float>();
        var tileA = shared.SubView(0, tile * tile);
        var tileB = shared.SubView(tile * tile, tile * tile);
        int tx = Group.IdxX, ty = Group.IdxY;
        int col = Grid.IdxX * tile + tx, row = Grid.IdxY * tile + ty;
        int p = Grid.IdxZ;
        long aBase = p * prm.AStrideP, bBase = p * prm.BStrideP;
        float acc = 0f;
        for (int k0 = 0; k0 < prm.K; k0 += tile)
        {
            // Each thread stages one element of each slab; out-of-range elements are zero.
            int ka = k0 + tx, kb = k0 + ty;
            tileA[ty * tile + tx] = row < prm.M && ka < prm.K ? a[aBase + (long)row * prm.ASm + (long)ka * prm.ASk] : 0f;
            tileB[ty * tile + tx] = kb < prm.K && col < prm.N ? b[bBase + (long)kb * prm.BSk + (long)col * prm.BSn] : 0f;
            Group.Barrier();
            for (int kk = 0; kk < tile; kk++) acc += tileA[ty * tile + kk] * tileB[kk * tile + tx];
            Group.Barrier();
        }
        if (row >= prm.M || col >= prm.N) return;
        Store(bias, c, prm, p, row, col, acc);
    }

    /// <summary>Writes one element of C from its sum: adds it (Accumulate), or bias, activation and store.</summary>
    public static void Store(ArrayView<float> bias, ArrayView<float> c, MatMulParams prm, int p, int row, int col, float acc)
    {
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
