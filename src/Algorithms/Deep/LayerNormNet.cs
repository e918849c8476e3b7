using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Deep;

// The Q network of PQN: Linear → LayerNorm → activation for each hidden layer, then a Linear output layer.
// The Linear weights live in an ordinary Mlp (same tensors, same initialization, same optimizer as any other
// network); the LayerNorm gains and biases in their own flat array. Forward and backward run layer by layer on
// the Linear and LayerNorm kernels, on the calling thread, so the result does not depend on any thread count.
// P = population, B = rows per member, L = hidden layers, H_l = width of hidden layer l.

/// <summary>
/// An MLP with layer normalization after every hidden Linear layer: h_{l+1} = act(LN_l(h_l·W_lᵀ + b_l)),
/// y = h_L·W_Lᵀ + b_L. <see cref="Linear"/> holds the Linear layers (its own Forward would skip the norms: use
/// this class's); <see cref="Norms"/> holds, per hidden layer l, gain [P, H_l] then bias [P, H_l].
/// </summary>
public sealed class LayerNormNet
{
    private readonly int[] _sizes;
    private readonly Activation _activation;
    private int _capacity, _batch;
    private float[] _input = [];
    private float[][] _z = [], _u = [], _h = [], _mean = [], _rstd = [];
    private float[] _dA = [], _dB = [];

    /// <summary>The Linear layers (weights and biases, their gradients) as an <see cref="Mlp"/> of the same sizes.</summary>
    public Mlp Linear { get; }
    /// <summary>LayerNorm parameters: for each hidden layer l, "norms.l.gain" [P, H_l] then "norms.l.bias" [P, H_l].</summary>
    public float[] Norms { get; }
    /// <summary>Gradients of <see cref="Norms"/>, same layout.</summary>
    public float[] NormGradients { get; }
    /// <summary>Layout of <see cref="Norms"/>.</summary>
    public ParameterLayout NormLayout { get; }
    /// <summary>Population size P.</summary>
    public int Population => Linear.Population;
    /// <summary>Hidden layers L (each followed by a LayerNorm).</summary>
    public int HiddenCount => _sizes.Length - 2;

    /// <summary>Wraps <paramref name="linear"/> (its hidden activation is the one applied after each norm); gains start at 1, biases at 0.</summary>
    public LayerNormNet(Mlp linear)
    {
        Linear = linear;
        _sizes = linear.LayerSizes.ToArray();
        _activation = linear.ActivationOf(0);
        if (linear.LayerCount < 2) throw new ArgumentException("A LayerNorm network needs at least one hidden layer.", nameof(linear));
        int hidden = _sizes.Length - 2;
        var sizes = new int[2 * hidden];
        var names = new string[2 * hidden];
        for (int l = 0; l < hidden; l++)
        {
            sizes[2 * l] = sizes[2 * l + 1] = _sizes[l + 1];
            names[2 * l] = $"norms.{l}.gain";
            names[2 * l + 1] = $"norms.{l}.bias";
        }
        NormLayout = new ParameterLayout(linear.Population, sizes, names);
        Norms = new float[NormLayout.TotalCount];
        NormGradients = new float[NormLayout.TotalCount];
        for (int l = 0; l < hidden; l++) Gain(l).Fill(1f);
    }

    /// <summary>Gains of hidden layer l [P, H_l].</summary>
    public Span<float> Gain(int layer) => Norms.AsSpan(NormLayout.Offset(2 * layer), Population * _sizes[layer + 1]);
    /// <summary>Biases of hidden layer l [P, H_l].</summary>
    public Span<float> NormBias(int layer) => Norms.AsSpan(NormLayout.Offset(2 * layer + 1), Population * _sizes[layer + 1]);
    private Span<float> GainGradient(int layer) => NormGradients.AsSpan(NormLayout.Offset(2 * layer), Population * _sizes[layer + 1]);
    private Span<float> BiasGradient(int layer) => NormGradients.AsSpan(NormLayout.Offset(2 * layer + 1), Population * _sizes[layer + 1]);

    /// <summary>Runs the network on a batch and keeps what <see cref="Backward"/> needs.</summary>
    public void Forward(
        ReadOnlySpan<float> x, // [P, B, in]
        int batch,
        Span<float> y)         // [P, B, out]
    {
        if (batch < 1 || x.Length != (long)Population * batch * _sizes[0] || y.Length != (long)Population * batch * _sizes[^1])
            throw new ArgumentException($"Forward needs batch ≥ 1, x [P, B, in] and y [P, B, out] (batch {batch}, x {x.Length}, y {y.Length}).");
        Ensure(batch);
        _batch = batch;
        int pop = Population;
        x.CopyTo(_input);
        ReadOnlySpan<float> h = _input.AsSpan(0, pop * batch * _sizes[0]);
        for (int l = 0; l < HiddenCount; l++)
        {
            int i = _sizes[l], o = _sizes[l + 1], count = pop * batch * o;
            Span<float> z = _z[l].AsSpan(0, count), u = _u[l].AsSpan(0, count), next = _h[l].AsSpan(0, count);
            Kernels.Nn.Linear.Forward(h, Linear.Weight(l), Linear.Bias(l), pop, batch, i, o, z);
            LayerNorm.Forward(z, Gain(l), NormBias(l), pop, batch, o, LayerNorm.DefaultEpsilon, u, _mean[l].AsSpan(0, pop * batch), _rstd[l].AsSpan(0, pop * batch));
            for (int k = 0; k < count; k++)
                next[k] = _activation switch { Activation.Relu => Math.Max(u[k], 0f), Activation.Tanh => MathF.Tanh(u[k]), _ => u[k] };
            h = next;
        }
        int last = HiddenCount;
        Kernels.Nn.Linear.Forward(h, Linear.Weight(last), Linear.Bias(last), pop, batch, _sizes[last], _sizes[last + 1], y);
    }

    /// <summary>Backpropagates dY through the last forward; accumulates into <see cref="Linear"/>'s gradients and <see cref="NormGradients"/>.</summary>
    public void Backward(ReadOnlySpan<float> dY) // [P, B, out] of the last Forward
    {
        if (_batch == 0) throw new InvalidOperationException("Backward needs a Forward first.");
        int pop = Population, batch = _batch, last = HiddenCount;
        if (dY.Length != (long)pop * batch * _sizes[^1]) throw new ArgumentException($"dY must be [P, B, out] with B = {batch} of the last Forward, got {dY.Length} elements.", nameof(dY));
        Span<float> dH = _dA.AsSpan(0, pop * batch * _sizes[last]);
        dH.Clear();
        Kernels.Nn.Linear.Backward(Hidden(last), Linear.Weight(last), dY, pop, batch, _sizes[last], _sizes[last + 1], dH, Linear.WeightGradient(last), Linear.BiasGradient(last));
        for (int l = last - 1; l >= 0; l--)
        {
            int o = _sizes[l + 1], count = pop * batch * o;
            ReadOnlySpan<float> u = _u[l].AsSpan(0, count), h = _h[l].AsSpan(0, count);
            for (int k = 0; k < count; k++)
                dH[k] *= _activation switch { Activation.Relu => u[k] > 0f ? 1f : 0f, Activation.Tanh => 1f - h[k] * h[k], _ => 1f };
            Span<float> dZ = _dB.AsSpan(0, count);
            LayerNorm.Backward(_z[l].AsSpan(0, count), Gain(l), _mean[l].AsSpan(0, pop * batch), _rstd[l].AsSpan(0, pop * batch), dH,
                pop, batch, o, dZ, GainGradient(l), BiasGradient(l));
            Span<float> dPrev = l > 0 ? _dA.AsSpan(0, pop * batch * _sizes[l]) : default;
            dPrev.Clear();
            Kernels.Nn.Linear.Backward(Hidden(l), Linear.Weight(l), dZ, pop, batch, _sizes[l], o, dPrev, Linear.WeightGradient(l), Linear.BiasGradient(l));
            dH = dPrev;
        }
    }

    /// <summary>Sets every gradient (Linear and norms) to zero.</summary>
    public void ZeroGradients()
    {
        Linear.ZeroGradients();
        Array.Clear(NormGradients);
    }

    // The input of Linear layer l in the last forward: x for l = 0, else the activation after norm l − 1.
    private ReadOnlySpan<float> Hidden(int layer) => layer == 0
        ? _input.AsSpan(0, Population * _batch * _sizes[0])
        : _h[layer - 1].AsSpan(0, Population * _batch * _sizes[layer]);

    private void Ensure(int batch)
    {
        if (batch <= _capacity) return;
        int pop = Population, hidden = HiddenCount, widest = _sizes.Max();
        _input = new float[pop * batch * _sizes[0]];
        _z = new float[hidden][]; _u = new float[hidden][]; _h = new float[hidden][];
        _mean = new float[hidden][]; _rstd = new float[hidden][];
        for (int l = 0; l < hidden; l++)
        {
            int count = pop * batch * _sizes[l + 1];
            _z[l] = new float[count]; _u[l] = new float[count]; _h[l] = new float[count];
            _mean[l] = new float[pop * batch]; _rstd[l] = new float[pop * batch];
        }
        _dA = new float[pop * batch * widest];
        _dB = new float[pop * batch * widest];
        _capacity = batch;
    }
}
