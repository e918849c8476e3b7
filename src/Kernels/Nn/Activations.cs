using System.Runtime.Intrinsics;

namespace RlKernels.Kernels.Nn;

/// <summary>An <see cref="Activation"/> elementwise over any tensor, flattened to n elements.</summary>
public static class Activations
{
    /// <summary>Forward pass; tanh is the vectorized rational approximation, a few ulp from MathF.Tanh.</summary>
    /// <remarks>Effectively computes y[i] = x[i], tanh(x[i]) or max(x[i], 0).</remarks>
    public static void Forward(
        Activation activation,
        ReadOnlySpan<float> x, // [n]
        Span<float> y)         // [n]
    {
        Shapes.Require(y.Length, x.Length, nameof(y), "[n] (x.Length)");
        switch (activation)
        {
            case Activation.Tanh: TanhForward(x, y, Mlp.BestVectorWidth); break;
            case Activation.Relu: for (int i = 0; i < x.Length; i++) y[i] = MathF.Max(x[i], 0f); break;
            default: x.CopyTo(y); break;
        }
    }

    /// <summary>Tanh forward with a given vector width: 16, 8, 4 (Vector512/256/128) or 1 (scalar); tests force each.</summary>
    internal static void TanhForward(ReadOnlySpan<float> x, Span<float> y, int width)
    {
        Shapes.Require(y.Length, x.Length, nameof(y), "[n] (x.Length)");
        int i = 0;
        if (width == 16)
            for (; i + 16 <= x.Length; i += 16)
                TanhOperator.Invoke(Vector512.Create(x.Slice(i, 16))).CopyTo(y.Slice(i, 16));
        else if (width == 8)
            for (; i + 8 <= x.Length; i += 8)
                TanhOperator.Invoke(Vector256.Create(x.Slice(i, 8))).CopyTo(y.Slice(i, 8));
        else if (width == 4)
            for (; i + 4 <= x.Length; i += 4)
                TanhOperator.Invoke(Vector128.Create(x.Slice(i, 4))).CopyTo(y.Slice(i, 4));
        for (; i < x.Length; i++) y[i] = TanhOperator.Invoke(x[i]);
    }

    /// <summary>Backward pass from the forward output; accumulates into dX. The ReLU gradient at 0 is 0.</summary>
    /// <remarks>Effectively computes dX[i] += dY[i] · f′, f′ read off y: 1, 1 − y[i]² or [y[i] &gt; 0].</remarks>
    public static void Backward(
        Activation activation,
        ReadOnlySpan<float> y,  // [n]
        ReadOnlySpan<float> dY, // [n]
        Span<float> dX)         // [n]
    {
        Shapes.Require(dY.Length, y.Length, nameof(dY), "[n] (y.Length)");
        Shapes.Require(dX.Length, y.Length, nameof(dX), "[n] (y.Length)");
        switch (activation)
        {
            case Activation.Tanh: for (int i = 0; i < y.Length; i++) dX[i] += dY[i] * (1f - y[i] * y[i]); break;
            case Activation.Relu: for (int i = 0; i < y.Length; i++) if (y[i] > 0f) dX[i] += dY[i]; break;
            default: for (int i = 0; i < y.Length; i++) dX[i] += dY[i]; break;
        }
    }
}
