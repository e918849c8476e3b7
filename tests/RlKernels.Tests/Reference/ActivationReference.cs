using RlKernels.Kernels.Nn;

namespace RlKernels.Tests.Reference;

/// <summary>Elementwise activations in double; backward reads the forward output y.</summary>
public static class ActivationReference
{
    public static double Apply(Activation activation, double x) => activation switch
    {
        Activation.Tanh => Math.Tanh(x),
        Activation.Relu => Math.Max(x, 0),
        _ => x,
    };

    /// <summary>f′ from the output: tanh′ = 1 − y², relu′ = [y &gt; 0], identity′ = 1.</summary>
    public static double Derivative(Activation activation, double y) => activation switch
    {
        Activation.Tanh => 1 - y * y,
        Activation.Relu => y > 0 ? 1 : 0,
        _ => 1,
    };

    public static double[] Forward(Activation activation, double[] x) => Array.ConvertAll(x, v => Apply(activation, v));

    /// <summary>dX[i] = dY[i] · f′(y[i]).</summary>
    public static double[] Backward(Activation activation, double[] y, double[] dY)
    {
        var dX = new double[y.Length];
        for (int i = 0; i < y.Length; i++) dX[i] = dY[i] * Derivative(activation, y[i]);
        return dX;
    }
}
