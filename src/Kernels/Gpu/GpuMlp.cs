using ILGPU;
using ILGPU.Runtime;
using RlKernels.Kernels.Nn;

namespace RlKernels.Kernels.Gpu;

/// <summary>
/// An <see cref="Mlp"/>'s parameters, gradients, activations and Adam state on an ILGPU accelerator,
/// trained with the tiled kernels: forward layer by layer (bias and activation fused), backward with
/// the strided products, Adam on the device. The host network supplies the shape and initial values.
/// </summary>
/// <remarks>All launches go to the accelerator's default stream; call <see cref="Synchronize"/> before reading results.</remarks>
public sealed class GpuMlp : IDisposable
{
    private readonly Accelerator _accelerator;
    private readonly GpuMlpKernels _kernels;
    private readonly Mlp _shape;
    private readonly int _batch;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _parameters, _gradients, _m, _v, _settings;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _layout;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>[] _acts, _deltas;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, ArrayView<float>> _adam;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, float, ArrayView<float>> _mseGrad;
    private readonly float[] _hostSettings;
    private int _adamSteps;

    /// <param name="accelerator">Where the buffers and kernels live.</param>
    /// <param name="shape">The host network: sizes, activations, layout and the initial parameters.</param>
    /// <param name="batch">Rows per member B of every call.</param>
    public GpuMlp(Accelerator accelerator, Mlp shape, int batch)
    {
        Shapes.Positive(batch, nameof(batch));
        _accelerator = accelerator;
        _shape = shape;
        _batch = batch;
        _kernels = new GpuMlpKernels(accelerator);
        int total = shape.Layout.TotalCount;
        _parameters = accelerator.Allocate1D(shape.Parameters);
        _gradients = accelerator.Allocate1D<float>(total);
        _m = accelerator.Allocate1D<float>(total);
        _v = accelerator.Allocate1D<float>(total);
        _m.MemSetToZero();
        _v.MemSetToZero();
        _gradients.MemSetToZero();
        var layout = new int[2 * shape.Layout.TensorCount];
        for (int t = 0; t < shape.Layout.TensorCount; t++)
        {
            layout[t] = shape.Layout.Offset(t);
            layout[shape.Layout.TensorCount + t] = shape.Layout.MemberSize(t);
        }
        _layout = accelerator.Allocate1D(layout);
        _hostSettings = new float[5 * shape.Population];
        _settings = accelerator.Allocate1D<float>(_hostSettings.Length);
        _acts = new MemoryBuffer1D<float, Stride1D.Dense>[shape.LayerSizes.Length];
        _deltas = new MemoryBuffer1D<float, Stride1D.Dense>[shape.LayerSizes.Length];
        for (int l = 0; l < _acts.Length; l++)
        {
            _acts[l] = accelerator.Allocate1D<float>((long)shape.Population * batch * shape.LayerSizes[l]);
            _deltas[l] = accelerator.Allocate1D<float>((long)shape.Population * batch * shape.LayerSizes[l]);
        }
        _adam = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, ArrayView<float>>(AdamKernel.Kernel);
        _mseGrad = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float, ArrayView<float>>(MlpElementwiseKernels.MseGrad);
    }

    /// <summary>The input buffer [P, B, in]: copy observations here before <see cref="Forward"/>.</summary>
    public ArrayView1D<float, Stride1D.Dense> Input => _acts[0].View;
    /// <summary>The output of the latest forward pass, [P, B, out].</summary>
    public ArrayView1D<float, Stride1D.Dense> Output => _acts[^1].View;
    /// <summary>Device parameters in <see cref="Mlp.Layout"/> order.</summary>
    public ArrayView1D<float, Stride1D.Dense> Parameters => _parameters.View;
    /// <summary>Device gradients in <see cref="Mlp.Layout"/> order.</summary>
    public ArrayView1D<float, Stride1D.Dense> Gradients => _gradients.View;

    private ArrayView<float> Tensor(MemoryBuffer1D<float, Stride1D.Dense> buffer, int tensor) =>
        buffer.View.SubView(_shape.Layout.Offset(tensor), (long)_shape.Population * _shape.Layout.MemberSize(tensor));

    /// <summary>Forward pass from <see cref="Input"/> to <see cref="Output"/>, keeping every activation.</summary>
    public void Forward()
    {
        var sizes = _shape.LayerSizes;
        for (int l = 0; l < _shape.LayerCount; l++)
            _kernels.LinearForward(_acts[l].View, Tensor(_parameters, 2 * l), Tensor(_parameters, 2 * l + 1),
                _shape.Population, _batch, sizes[l], sizes[l + 1], _shape.ActivationOf(l), _acts[l + 1].View);
    }

    /// <summary>Writes the MSE gradient (unit loss weight per member) of <see cref="Output"/> against target into dY.</summary>
    public void MseGradient(
        ArrayView<float> target, // [P, B, out]
        ArrayView<float> dY)     // [P, B, out]
    {
        _mseGrad((int)dY.Length, Output, target, 2f / (_batch * _shape.OutputSize), dY);
    }

    /// <summary>Backward pass of the latest forward; accumulates into <see cref="Gradients"/>.</summary>
    public void Backward(ArrayView<float> dY) // [P, B, out]
    {
        var sizes = _shape.LayerSizes;
        int layers = _shape.LayerCount;
        // Fewer launches (a PPO update makes ~16 backward passes per net): an identity output's layer reads dY
        // itself, no copy or activation gradient; each hidden delta is stored, not zeroed and added to.
        ArrayView<float> delta = dY;
        if (_shape.ActivationOf(layers - 1) != Activation.Identity)
        {
            _deltas[layers].View.CopyFrom(dY);
            _kernels.ActivationGrad(_acts[layers].View, _shape.ActivationOf(layers - 1), _deltas[layers].View);
            delta = _deltas[layers].View;
        }
        for (int l = layers - 1; l >= 0; l--)
        {
            _kernels.LinearBackward(_acts[l].View, Tensor(_parameters, 2 * l), delta, _shape.Population, _batch, sizes[l], sizes[l + 1],
                l > 0 ? _deltas[l].View : ArrayView<float>.Empty, Tensor(_gradients, 2 * l), Tensor(_gradients, 2 * l + 1), accumulateDx: false);
            if (l == 0) break;
            _kernels.ActivationGrad(_acts[l].View, _shape.ActivationOf(l - 1), _deltas[l].View);
            delta = _deltas[l].View;
        }
    }

    /// <summary>Clears the device gradients.</summary>
    public void ZeroGradients() => _gradients.MemSetToZero();

    /// <summary>One Adam step on the device with the host optimizer's per-member hyperparameters (its moments are not used).</summary>
    public void AdamStep(Adam settings)
    {
        int population = _shape.Population;
        _adamSteps++;
        for (int p = 0; p < population; p++)
        {
            double c1 = 1.0 - Math.Pow(settings.Beta1[p], _adamSteps), c2 = 1.0 - Math.Pow(settings.Beta2[p], _adamSteps);
            _hostSettings[p] = settings.Beta1[p];
            _hostSettings[population + p] = settings.Beta2[p];
            _hostSettings[2 * population + p] = (float)(settings.LearningRate[p] * Math.Sqrt(c2) / c1);
            _hostSettings[3 * population + p] = (float)(settings.Epsilon[p] * Math.Sqrt(c2));
            _hostSettings[4 * population + p] = 1f - settings.LearningRate[p] * settings.WeightDecay[p];
        }
        _settings.CopyFromCPU(_hostSettings);
        AdamStep(_settings.View);
    }

    /// <summary>
    /// One Adam step with per-member settings already on the device, [5, P] as <see cref="AdamKernel"/> reads them
    /// (β₁, β₂, step size, ε̂, decay): for loops that keep their optimizer schedule on the device (no upload).
    /// </summary>
    public void AdamStep(ArrayView<float> memberSettings) // [5, P]
    {
        _adam((int)_parameters.Length, _parameters.View, _gradients.View, _m.View, _v.View, _layout.View, _shape.Layout.TensorCount, memberSettings);
    }

    /// <summary>The tensor layout on the device, [2T]: each tensor's offset, then its per-member size (as <see cref="AdamKernel"/> reads it).</summary>
    public ArrayView1D<int, Stride1D.Dense> Layout => _layout.View;

    /// <summary>Copies the device parameters into the host network.</summary>
    public void DownloadParameters()
    {
        _accelerator.Synchronize();
        _parameters.CopyToCPU(_shape.Parameters);
    }

    /// <summary>Waits for every queued launch.</summary>
    public void Synchronize() => _accelerator.Synchronize();

    /// <summary>Frees every device buffer this network owns and its kernels' scratch.</summary>
    public void Dispose()
    {
        _kernels.Dispose();
        foreach (var b in new[] { _parameters, _gradients, _m, _v, _settings }) b.Dispose();
        _layout.Dispose();
        foreach (var b in _acts) b.Dispose();
        foreach (var b in _deltas) b.Dispose();
    }
}
