using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RlKernels.Kernels.Nn;

/// <summary>
/// What a matrix kernel does with a finished accumulator before storing it: fusing bias, activation
/// or activation-gradient here saves a full pass over the activations (the passes between the matrix
/// products, not the products, limit small nets). Row and column index the output tile.
/// </summary>
internal unsafe interface IEpilogue
{
    /// <summary>The value to store at (row, col .. col+15).</summary>
    Vector512<float> Apply(Vector512<float> acc, int row, int col);
    /// <summary>The value to store at (row, col .. col+7) (the AVX2 kernels).</summary>
    Vector256<float> Apply(Vector256<float> acc, int row, int col);
    /// <summary>The value to store at (row, col).</summary>
    float Apply(float acc, int row, int col);
}

/// <summary>c = acc + bias[col], then the activation.</summary>
internal readonly unsafe struct BiasActivationEpilogue(float* bias, Activation activation) : IEpilogue
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Apply(Vector512<float> acc, int row, int col)
    {
        Vector512<float> z = acc + Vector512.Load(bias + col);
        return activation switch
        {
            Activation.Tanh => TanhOperator.Invoke(z),
            Activation.Relu => Vector512.Max(z, Vector512<float>.Zero),
            _ => z,
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Apply(Vector256<float> acc, int row, int col)
    {
        Vector256<float> z = acc + Vector256.Load(bias + col);
        return activation switch
        {
            Activation.Tanh => TanhOperator.Invoke(z),
            Activation.Relu => Vector256.Max(z, Vector256<float>.Zero),
            _ => z,
        };
    }

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
internal readonly unsafe struct ActivationGradEpilogue(float* h, int ldh, Activation activation) : IEpilogue
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Apply(Vector512<float> acc, int row, int col)
    {
        Vector512<float> hv = Vector512.Load(h + (long)row * ldh + col);
        return activation switch
        {
            Activation.Tanh => acc - acc * hv * hv,
            Activation.Relu => Vector512.ConditionalSelect(Vector512.GreaterThan(hv, Vector512<float>.Zero), acc, Vector512<float>.Zero),
            _ => acc,
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Apply(Vector256<float> acc, int row, int col)
    {
        Vector256<float> hv = Vector256.Load(h + (long)row * ldh + col);
        return activation switch
        {
            Activation.Tanh => acc - acc * hv * hv,
            Activation.Relu => Vector256.ConditionalSelect(Vector256.GreaterThan(hv, Vector256<float>.Zero), acc, Vector256<float>.Zero),
            _ => acc,
        };
    }

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
internal readonly unsafe struct AccumulateEpilogue(float* c, int ldc) : IEpilogue
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Apply(Vector512<float> acc, int row, int col) => Vector512.Load(c + (long)row * ldc + col) + acc;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Apply(Vector256<float> acc, int row, int col) => Vector256.Load(c + (long)row * ldc + col) + acc;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Apply(float acc, int row, int col) => c[(long)row * ldc + col] + acc;
}
