namespace RlKernels.Kernels.Nn;

/// <summary>Elementwise ReLU over any tensor, flattened to n elements.</summary>
public static class Relu
{
    /// <summary>Forward pass.</summary>
    /// <remarks>Effectively computes y[i] = max(x[i], 0).</remarks>
    public static void Forward(
        ReadOnlySpan<float> x, // [n]
        Span<float> y)         // [n]
    {
        Shapes.Require(y.Length, x.Length, nameof(y), "[n] (x.Length)");
        for (int i = 0; i < x.Length; i++) y[i] = MathF.Max(x[i], 0f);
    }

    /// <summary>Backward pass from the forward output; accumulates into dX. The gradient at 0 is 0.</summary>
    /// <remarks>Effectively computes dX[i] += y[i] &gt; 0 ? dY[i] : 0.</remarks>
    public static void Backward(
        ReadOnlySpan<float> y,  // [n]
        ReadOnlySpan<float> dY, // [n]
        Span<float> dX)         // [n]
    {
        Shapes.Require(dY.Length, y.Length, nameof(dY), "[n] (y.Length)");
        Shapes.Require(dX.Length, y.Length, nameof(dX), "[n] (y.Length)");
        for (int i = 0; i < y.Length; i++) if (y[i] > 0f) dX[i] += dY[i];
    }
}
