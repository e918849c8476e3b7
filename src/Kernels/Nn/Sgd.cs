namespace RlKernels.Kernels.Nn;

/// <summary>
/// Stochastic gradient descent with (heavy-ball) momentum and L2 weight decay, one set of
/// hyperparameters per population member. Defaults: lr 1e-2, momentum 0, no weight decay.
/// </summary>
public sealed class Sgd
{
    private readonly float[] _velocity;

    /// <summary>The layout this optimizer's velocity buffer follows.</summary>
    public ParameterLayout Layout { get; }
    /// <summary>Learning rate per member. [P]</summary>
    public float[] LearningRate { get; }
    /// <summary>Momentum per member (0 = plain SGD). [P]</summary>
    public float[] Momentum { get; }
    /// <summary>L2 weight decay per member, added to the gradient. [P]</summary>
    public float[] WeightDecay { get; }

    /// <summary>SGD with zeroed velocity, learning rate 1e-2, no momentum and no weight decay for every member of <paramref name="layout"/>.</summary>
    public Sgd(ParameterLayout layout)
    {
        Layout = layout;
        _velocity = new float[layout.TotalCount];
        LearningRate = new float[layout.Population];
        Array.Fill(LearningRate, 1e-2f);
        Momentum = new float[layout.Population];
        WeightDecay = new float[layout.Population];
    }

    /// <summary>One update of every member.</summary>
    /// <remarks>Effectively computes u = momentum·u + g + wd·θ, θ −= lr·u (PyTorch's SGD with dampening 0).</remarks>
    public void Step(
        Span<float> parameters,        // [layout.TotalCount]
        ReadOnlySpan<float> gradients) // [layout.TotalCount]
    {
        Layout.RequireStep(parameters.Length, gradients.Length,
            (LearningRate, nameof(LearningRate)), (Momentum, nameof(Momentum)), (WeightDecay, nameof(WeightDecay)));
        for (int p = 0; p < Layout.Population; p++)
        {
            float lr = LearningRate[p], mu = Momentum[p], wd = WeightDecay[p];
            for (int t = 0; t < Layout.TensorCount; t++)
            {
                int o = Layout.MemberOffset(t, p);
                for (int i = o; i < o + Layout.MemberSize(t); i++)
                {
                    float u = _velocity[i] = mu * _velocity[i] + gradients[i] + wd * parameters[i];
                    parameters[i] -= lr * u;
                }
            }
        }
    }
}
