using ILGPU;
using ILGPU.Runtime;
using RlKernels.Kernels.Nn;

namespace RlKernels.Kernels.Gpu;

/// <summary>
/// The MLP kernels loaded on one ILGPU accelerator (CUDA, or the CPU accelerator in tests), with the
/// launches that map Linear forward/backward onto <see cref="TiledMatMulKernel"/>. Tensor layouts match
/// the CPU ops: activations [P, B, features], weights [P, out, in], biases [P, out].
/// </summary>
public sealed class GpuMlpKernels : IDisposable
{
    private readonly Accelerator _accelerator;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, int, ArrayView<float>> _fused;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, MatMulParams> _matMul;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, MatMulParams> _directMatMul;
    private readonly bool _tiled;
    private readonly Action<Index1D, ArrayView<float>, int, ArrayView<float>> _activationGrad;
    private readonly Action<Index1D, ArrayView<float>, int, int, ArrayView<float>> _columnSums;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _dummy;

    /// <summary>Compiles and loads the MLP kernels on <paramref name="accelerator"/> and picks the matmul tile size for it.</summary>
    /// <param name="accelerator">Where the kernels run.</param>
    /// <param name="tiled">
    /// Products on <see cref="TiledMatMulKernel"/> (true) or <see cref="DirectMatMulKernel"/> (false); null: tiled on a
    /// GPU, direct on ILGPU's CPU accelerator, where group barriers cost OS-thread meetings.
    /// </param>
    public GpuMlpKernels(Accelerator accelerator, bool? tiled = null)
    {
        _accelerator = accelerator;
        _tiled = tiled ?? accelerator.AcceleratorType != AcceleratorType.CPU;
        _directMatMul = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, MatMulParams>(DirectMatMulKernel.Kernel);
        _fused = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, int, ArrayView<float>>(MlpFusedForwardKernel.Kernel);
        _matMul = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, MatMulParams>(TiledMatMulKernel.Kernel);
        _activationGrad = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int, ArrayView<float>>(MlpElementwiseKernels.ActivationGrad);
        _columnSums = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int, int, ArrayView<float>>(MlpElementwiseKernels.ColumnSums);
        _dummy = accelerator.Allocate1D<float>(1);
        _tile = TiledMatMulKernel.TileFor(accelerator);
    }

    private readonly int _tile;

    private void MatMul(int population, ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, ArrayView<float> c, in MatMulParams prm)
    {
        if (_tiled) _matMul(TiledMatMulKernel.Config(population, prm), a, b, bias, c, prm);
        else _directMatMul(population * prm.M * prm.N, a, b, bias, c, prm);
    }

    /// <summary>Whole-network forward, one thread per row (see <see cref="MlpFusedForwardKernel"/>).</summary>
    public void FusedForward(
        ArrayView<float> x,          // [P, B, in]
        ArrayView<float> parameters, // [layout.TotalCount]
        ArrayView<int> meta,         // MlpFusedForwardKernel.Meta(net)
        int layerCount, int population, int batch,
        ArrayView<float> y)          // [P, B, out]
    {
        _fused(population * batch, x, parameters, meta, layerCount, batch, y);
    }

    /// <summary>Linear forward with fused bias and activation on the tiled kernel.</summary>
    /// <remarks>Effectively computes y[p, b, o] = act(bias[p, o] + Σ_i x[p, b, i] · weight[p, o, i]).</remarks>
    public void LinearForward(
        ArrayView<float> x,      // [P, B, in]
        ArrayView<float> weight, // [P, out, in]
        ArrayView<float> bias,   // [P, out]
        int population, int batch, int inSize, int outSize, Activation activation,
        ArrayView<float> y)      // [P, B, out]
    {
        var prm = new MatMulParams
        {
            M = batch, N = outSize, K = inSize,
            ASm = inSize, ASk = 1, BSk = 1, BSn = inSize, // B′(k, n) = W[n, k]: xWᵀ
            AStrideP = (long)batch * inSize, BStrideP = (long)outSize * inSize, CStrideP = (long)batch * outSize, BiasStrideP = outSize,
            Ldc = outSize, HasBias = 1, Activation = (int)activation, Tile = _tile,
        };
        MatMul(population, x, weight, bias, y, prm);
    }

    /// <summary>Linear backward; accumulates into dX (skipped when its length is 0; overwritten unless <paramref name="accumulateDx"/>), dWeight and dBias.</summary>
    /// <remarks>Effectively computes dX += dY·W (or dX = dY·W), dW += dYᵀ·x, dBias += Σ_b dY, per member.</remarks>
    public void LinearBackward(
        ArrayView<float> x,       // [P, B, in]
        ArrayView<float> weight,  // [P, out, in]
        ArrayView<float> dY,      // [P, B, out]
        int population, int batch, int inSize, int outSize,
        ArrayView<float> dX,      // [P, B, in] or empty
        ArrayView<float> dWeight, // [P, out, in]
        ArrayView<float> dBias,   // [P, out]
        bool accumulateDx = true)
    {
        if (dX.Length > 0)
        {
            var dataGrad = new MatMulParams
            {
                M = batch, N = inSize, K = outSize,
                ASm = outSize, ASk = 1, BSk = inSize, BSn = 1, // dY·W
                AStrideP = (long)batch * outSize, BStrideP = (long)outSize * inSize, CStrideP = (long)batch * inSize,
                Ldc = inSize, Accumulate = accumulateDx ? 1 : 0, Tile = _tile, // stored plainly: no bias, identity
            };
            MatMul(population, dY, weight, _dummy.View, dX, dataGrad);
        }
        var weightGrad = new MatMulParams
        {
            M = outSize, N = inSize, K = batch,
            ASm = 1, ASk = outSize, BSk = inSize, BSn = 1, // A′(o, b) = dY[b, o]: dYᵀ·x
            AStrideP = (long)batch * outSize, BStrideP = (long)batch * inSize, CStrideP = (long)outSize * inSize,
            Ldc = inSize, Accumulate = 1, Tile = _tile,
        };
        MatMul(population, dY, x, _dummy.View, dWeight, weightGrad);
        _columnSums(population * outSize, dY, batch, outSize, dBias);
    }

    /// <summary>In place: d *= f′(h), the activation gradient read off the forward output h.</summary>
    public void ActivationGrad(
        ArrayView<float> h, // [n]
        Activation activation,
        ArrayView<float> d) // [n]
    {
        _activationGrad((int)d.Length, h, (int)activation, d);
    }

    /// <summary>Waits for every queued launch.</summary>
    public void Synchronize() => _accelerator.Synchronize();

    /// <summary>Frees the small scratch buffer; the accelerator itself stays with its owner.</summary>
    public void Dispose() => _dummy.Dispose();
}
