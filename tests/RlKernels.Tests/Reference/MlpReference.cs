using RlKernels.Kernels.Nn;

namespace RlKernels.Tests.Reference;

/// <summary>
/// An MLP population in double built from <see cref="LinearReference"/> and <see cref="ActivationReference"/>.
/// Parameters use the same flat layout as <see cref="Mlp"/>: per layer, weight [P, out, in] then bias [P, out].
/// </summary>
public static class MlpReference
{
    /// <summary>The activation of each of the sizes.Length − 1 layers, as <see cref="Mlp"/> assigns them: <paramref name="hidden"/>, the last one <paramref name="output"/>.</summary>
    public static Activation[] Activations(int[] sizes, Activation hidden, Activation output) =>
        Enumerable.Range(0, sizes.Length - 1).Select(l => l == sizes.Length - 2 ? output : hidden).ToArray();

    /// <summary>All layer outputs h₀ = x … h_L.</summary>
    public static double[][] Forward(double[] parameters, ParameterLayout layout, int[] sizes, Activation[] acts, double[] x, int P, int B)
    {
        int L = sizes.Length - 1;
        var h = new double[L + 1][];
        h[0] = x;
        for (int l = 0; l < L; l++)
        {
            // z = h·Wᵀ + b, then h' = act(z).
            double[] w = parameters.AsSpan(layout.Offset(2 * l), P * sizes[l + 1] * sizes[l]).ToArray();
            double[] b = parameters.AsSpan(layout.Offset(2 * l + 1), P * sizes[l + 1]).ToArray();
            h[l + 1] = ActivationReference.Forward(acts[l], LinearReference.Forward(h[l], w, b, P, B, sizes[l], sizes[l + 1]));
        }
        return h;
    }

    /// <summary>Gradient of Σ y·dY with respect to the flat parameters, and to x.</summary>
    public static (double[] dParams, double[] dX) Backward(double[] parameters, ParameterLayout layout, int[] sizes, Activation[] acts, double[][] h, double[] dY, int P, int B)
    {
        int L = sizes.Length - 1;
        var dParams = new double[parameters.Length];
        // Through the output activation first.
        double[] dz = ActivationReference.Backward(acts[L - 1], h[L], dY);
        double[] dX = [];
        for (int l = L - 1; l >= 0; l--)
        {
            double[] w = parameters.AsSpan(layout.Offset(2 * l), P * sizes[l + 1] * sizes[l]).ToArray();
            var (dIn, dW, dBias) = LinearReference.Backward(h[l], w, dz, P, B, sizes[l], sizes[l + 1]);
            dW.CopyTo(dParams, layout.Offset(2 * l));
            dBias.CopyTo(dParams, layout.Offset(2 * l + 1));
            // Below layer l sits the activation of layer l − 1, whose output is h[l].
            dz = l > 0 ? ActivationReference.Backward(acts[l - 1], h[l], dIn) : dIn;
            if (l == 0) dX = dIn;
        }
        return (dParams, dX);
    }
}
