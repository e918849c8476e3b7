using System.Buffers;
using System.Runtime.Intrinsics;

namespace RlKernels.Kernels.Nn;

/// <summary>
/// A fully connected layer over a population: y = x·Wᵀ + b for each of P members.
/// P = population, B = batch rows per member, in/out = feature counts.
/// </summary>
public static unsafe class Linear
{
    /// <summary>
    /// Forward pass. <see cref="MlpKernels.Fast"/>: the register-blocked SIMD kernel at <see cref="Mlp.BestVectorWidth"/>
    /// (16, 8 or 4 floats), plain loops where none is usable; <see cref="MlpKernels.Naive"/>: plain loops, the benchmark baseline.
    /// </summary>
    /// <remarks>Effectively computes y[p, b, o] = bias[p, o] + Σ_i x[p, b, i] · weight[p, o, i].</remarks>
    public static void Forward(
        ReadOnlySpan<float> x,      // [P, B, in]
        ReadOnlySpan<float> weight, // [P, out, in]
        ReadOnlySpan<float> bias,   // [P, out]
        int population, int batch, int inSize, int outSize,
        Span<float> y,              // [P, B, out]
        MlpKernels kernels = MlpKernels.Fast)
    {
        Check(x, weight, bias, population, batch, inSize, outSize, y, nameof(y));
        int width = Mlp.BestVectorWidth;
        if (width == 1 || kernels == MlpKernels.Naive)
        {
            ForwardLoops(x, weight, bias, population, batch, inSize, outSize, y);
            return;
        }
        float[] transposed = ArrayPool<float>.Shared.Rent(inSize * outSize);
        try
        {
            fixed (float* px = x, pw = weight, pb = bias, py = y, pt = transposed)
            {
                for (int p = 0; p < population; p++)
                {
                    float* w = pw + (long)p * outSize * inSize;
                    // The blocked kernel reads the right matrix as [K = in, N = out].
                    MatMul.Transpose(w, outSize, inSize, pt);
                    MatMul.RowsTimesMatrix(px + (long)p * batch * inSize, inSize, pt, w, batch, inSize, outSize,
                        py + (long)p * batch * outSize, outSize, new BiasActivationEpilogue(pb + (long)p * outSize, Activation.Identity), width);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(transposed);
        }
    }

    private static void ForwardLoops(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        int population, int batch, int inSize, int outSize, Span<float> y)
    {
        for (int p = 0; p < population; p++)
            for (int b = 0; b < batch; b++)
            {
                int xRow = (p * batch + b) * inSize;
                for (int o = 0; o < outSize; o++)
                {
                    int wRow = (p * outSize + o) * inSize;
                    float s = bias[p * outSize + o];
                    for (int i = 0; i < inSize; i++) s += x[xRow + i] * weight[wRow + i];
                    y[(p * batch + b) * outSize + o] = s;
                }
            }
    }

    /// <summary>
    /// Backward pass; accumulates into dX (skipped when empty), dWeight, dBias. <see cref="MlpKernels.Fast"/>: the blocked
    /// SIMD kernels at <see cref="Mlp.BestVectorWidth"/>, plain loops where no width is usable; <see cref="MlpKernels.Naive"/>:
    /// plain loops, the benchmark baseline.
    /// </summary>
    /// <remarks>Effectively computes dX += dY·W, dW += dYᵀ·x, dBias += Σ_b dY, per member.</remarks>
    public static void Backward(
        ReadOnlySpan<float> x,      // [P, B, in]
        ReadOnlySpan<float> weight, // [P, out, in]
        ReadOnlySpan<float> dY,     // [P, B, out]
        int population, int batch, int inSize, int outSize,
        Span<float> dX,             // [P, B, in] or empty
        Span<float> dWeight,        // [P, out, in]
        Span<float> dBias,          // [P, out]
        MlpKernels kernels = MlpKernels.Fast)
    {
        CheckBackward(x, weight, dY, population, batch, inSize, outSize, dX, dWeight, dBias);
        int width = Mlp.BestVectorWidth;
        if (width == 1 || kernels == MlpKernels.Naive)
        {
            BackwardLoops(x, weight, dY, population, batch, inSize, outSize, dX, dWeight, dBias);
            return;
        }
        float[] transposed = ArrayPool<float>.Shared.Rent(inSize * outSize);
        try
        {
            fixed (float* px = x, pw = weight, pdy = dY, pdx = dX, pdw = dWeight, pdb = dBias, pt = transposed)
            {
                for (int p = 0; p < population; p++)
                {
                    float* w = pw + (long)p * outSize * inSize;
                    float* dy = pdy + (long)p * batch * outSize;
                    float* xp = px + (long)p * batch * inSize;
                    if (!dX.IsEmpty)
                    {
                        float* dx = pdx + (long)p * batch * inSize;
                        MatMul.Transpose(w, outSize, inSize, pt);
                        MatMul.RowsTimesMatrix(dy, outSize, w, pt, batch, outSize, inSize, dx, inSize, new AccumulateEpilogue(dx, inSize), width);
                    }
                    MatMul.TransposeATimesB(dy, outSize, xp, inSize, batch, outSize, inSize, pdw + (long)p * outSize * inSize, width);
                    MatMul.ColumnSums(dy, outSize, batch, outSize, pdb + (long)p * outSize, width);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(transposed);
        }
    }

    private static void BackwardLoops(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> dY,
        int population, int batch, int inSize, int outSize, Span<float> dX, Span<float> dWeight, Span<float> dBias)
    {
        for (int p = 0; p < population; p++)
            for (int b = 0; b < batch; b++)
            {
                int xRow = (p * batch + b) * inSize;
                for (int o = 0; o < outSize; o++)
                {
                    float g = dY[(p * batch + b) * outSize + o];
                    int wRow = (p * outSize + o) * inSize;
                    dBias[p * outSize + o] += g;
                    for (int i = 0; i < inSize; i++)
                    {
                        dWeight[wRow + i] += g * x[xRow + i];
                        if (!dX.IsEmpty) dX[xRow + i] += g * weight[wRow + i];
                    }
                }
            }
    }

    private static void Check(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        int population, int batch, int inSize, int outSize, ReadOnlySpan<float> y, string yName)
    {
        CheckInputs(x, weight, population, batch, inSize, outSize);
        Shapes.Require(bias.Length, (long)population * outSize, nameof(bias), "[P, out]");
        Shapes.Require(y.Length, (long)population * batch * outSize, yName, "[P, B, out]");
    }

    private static void CheckBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> dY,
        int population, int batch, int inSize, int outSize, ReadOnlySpan<float> dX, ReadOnlySpan<float> dWeight, ReadOnlySpan<float> dBias)
    {
        CheckInputs(x, weight, population, batch, inSize, outSize);
        Shapes.Require(dY.Length, (long)population * batch * outSize, nameof(dY), "[P, B, out]");
        Shapes.Require(dBias.Length, (long)population * outSize, nameof(dBias), "[P, out]");
        if (!dX.IsEmpty) Shapes.Require(dX.Length, (long)population * batch * inSize, nameof(dX), "[P, B, in] or empty");
        Shapes.Require(dWeight.Length, (long)population * outSize * inSize, nameof(dWeight), "[P, out, in]");
    }

    /// <summary>The checks forward and backward share, in the order both report them: sizes, then x and weight.</summary>
    private static void CheckInputs(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, int population, int batch, int inSize, int outSize)
    {
        Shapes.Positive(population, nameof(population));
        Shapes.Positive(batch, nameof(batch));
        Shapes.Positive(inSize, nameof(inSize));
        Shapes.Positive(outSize, nameof(outSize));
        Shapes.Require(x.Length, (long)population * batch * inSize, nameof(x), "[P, B, in]");
        Shapes.Require(weight.Length, (long)population * outSize * inSize, nameof(weight), "[P, out, in]");
    }
}
