using ILGPU;
using ILGPU.Runtime;
using RlKernels.Kernels.Gpu;

namespace RlKernels.Algorithms.Device;

/// <summary>
/// The device twin of the CPU <c>NetOptimizer</c> for one <see cref="GpuMlp"/>: per-member global-norm clipping,
/// then Adam (β 0.9/0.999, ε 1e-5, no weight decay, as <c>Optimizers.Add</c>), every step launched with no copy.
/// </summary>
public sealed class DeviceNetOptimizer : IDisposable
{
    private readonly GpuMlp _net;
    private readonly int _population, _tensorCount;
    private readonly bool _clip;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _maxNorms, _norms, _scales, _hyper, _settings;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _powers;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, int, ArrayView<float>, ArrayView<float>, ArrayView<float>> _globalNorm;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, int, ArrayView<float>> _scale;
    private readonly Action<Index1D, ArrayView<double>, ArrayView<float>, ArrayView<float>> _schedule;

    /// <param name="accelerator">The accelerator <paramref name="net"/> lives on.</param>
    /// <param name="net">The network to train.</param>
    /// <param name="tensorCount">Tensors in its layout (2 per layer).</param>
    /// <param name="learningRates">Learning rate per member [P].</param>
    /// <param name="maxGradNorms">Global-norm limit per member [P]: every member's positive and finite, or none's (no clipping).</param>
    /// <param name="transfers">Counts the one upload of the hyperparameters.</param>
    public DeviceNetOptimizer(Accelerator accelerator, GpuMlp net, int tensorCount, ReadOnlySpan<float> learningRates, ReadOnlySpan<float> maxGradNorms, DeviceTransfers transfers)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(transfers);
        _net = net;
        _population = learningRates.Length;
        _tensorCount = tensorCount;
        if (maxGradNorms.Length != _population)
            throw new ArgumentException($"{maxGradNorms.Length} gradient-norm limits for a population of {_population}.", nameof(maxGradNorms));
        int limited = 0;
        foreach (float v in maxGradNorms) if (v > 0 && float.IsFinite(v)) limited++;
        if (limited != 0 && limited != _population)
            throw new ArgumentException("Either every member's gradient norm is limited or none's.", nameof(maxGradNorms));
        _clip = limited > 0;
        var hyper = new float[5 * _population];
        for (int p = 0; p < _population; p++)
        {
            hyper[p] = learningRates[p];
            hyper[_population + p] = 0.9f;
            hyper[2 * _population + p] = 0.999f;
            hyper[3 * _population + p] = 1e-5f;
            hyper[4 * _population + p] = 0f;
        }
        var powers = new double[2 * _population];
        Array.Fill(powers, 1.0);
        (_maxNorms, _norms, _scales) = (accelerator.Allocate1D<float>(_population), accelerator.Allocate1D<float>(_population), accelerator.Allocate1D<float>(_population));
        (_hyper, _settings) = (accelerator.Allocate1D<float>(hyper.Length), accelerator.Allocate1D<float>(hyper.Length));
        _powers = accelerator.Allocate1D<double>(powers.Length);
        _norms.MemSetToZero();
        transfers.ToDevice<float>(hyper, _hyper.View);
        transfers.ToDevice<double>(powers, _powers.View);
        transfers.ToDevice(maxGradNorms, _maxNorms.View);
        _globalNorm = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(DeviceOptimizerKernels.GlobalNormKernel);
        _scale = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, int, ArrayView<float>>(DeviceOptimizerKernels.ScaleKernel);
        _schedule = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<float>, ArrayView<float>>(DeviceOptimizerKernels.AdamScheduleKernel);
    }

    /// <summary>Each member's gradient norm before the last clip, [P] (0 before the first step or without clipping).</summary>
    public ArrayView<float> Norms => _norms.View;

    /// <summary>Clips the net's gradients (when configured) and takes one Adam step: launches only.</summary>
    public void Step()
    {
        if (_clip)
        {
            _globalNorm(_population, _net.Gradients, _net.Layout, _tensorCount, _maxNorms.View, _norms.View, _scales.View);
            _scale((int)_net.Gradients.Length, _net.Gradients, _net.Layout, _tensorCount, _scales.View);
        }
        _schedule(_population, _powers.View, _hyper.View, _settings.View);
        _net.AdamStep(_settings.View);
    }

    /// <summary>Frees the optimizer's own buffers (not the network's).</summary>
    public void Dispose()
    {
        foreach (var b in new[] { _maxNorms, _norms, _scales, _hyper, _settings }) b.Dispose();
        _powers.Dispose();
    }
}
