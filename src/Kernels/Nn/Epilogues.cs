using System.Runtime.CompilerServices;

namespace RlKernels.Kernels.Nn;

/// <summary>
/// What a matrix kernel does with a finished accumulator before storing it: fusing bias, activation
/// or activation-gradient here saves a full pass over the activations (the passes between the matrix
/// products, not the products, limit small nets). Row and column index the output tile.
/// </summary>
/// <remarks>The vector forms (one per width) are generated from Nn/NnWidth.template.</remarks>
internal unsafe partial interface IEpilogue
{
    /// <summary>The value to store at (row, col).</summary>
    float Apply(float acc, int row, int col);
}

/// <summary>c = acc + bias[col], then the activation.</summary>
internal readonly unsafe partial struct BiasActivationEpilogue(float* bias, Activation activation) : IEpilogue
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Apply(float acc, int row, int col)
    {
        float z = acc + bias[col];
        return activation switch
        {
            Activation.Tanh => TanhOperator.Invoke(z),
            Activation.Relu => MathF.Max(z, 0f),
            _ => z,
        };
    }
}

/// <summary>c = acc · f′ where f′ is read off the layer's output h: 1 − h² for tanh, [h &gt; 0] for ReLU.</summary>
internal readonly unsafe partial struct ActivationGradEpilogue(float* h, int ldh, Activation activation) : IEpilogue
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Apply(float acc, int row, int col)
    {
        float hv = h[(long)row * ldh + col];
        return activation switch
        {
            Activation.Tanh => acc - acc * hv * hv,
            Activation.Relu => hv > 0f ? acc : 0f,
            _ => acc,
        };
    }
}

/// <summary>c = c + acc: accumulate into the existing output (backward passes accumulate).</summary>
internal readonly unsafe partial struct AccumulateEpilogue(float* c, int ldc) : IEpilogue
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Apply(float acc, int row, int col) => c[(long)row * ldc + col] + acc;
}
