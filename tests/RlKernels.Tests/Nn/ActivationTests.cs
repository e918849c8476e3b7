using RlKernels.Kernels.Nn;
using RlKernels.Tests.Reference;

namespace RlKernels.Tests.Nn;

public class ActivationTests : NnTest
{
    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Relu)]
    public void ReferenceBackwardMatchesFiniteDifferences(Activation activation)
    {
        double[] x = _data.Uniform(23, 3), g = _data.Uniform(23);
        double Loss() => FiniteDifference.Dot(ActivationReference.Forward(activation, x), g);
        double[] analytic = ActivationReference.Backward(activation, ActivationReference.Forward(activation, x), g);
        _data.MatchesFiniteDifferences(x, Loss, analytic, "dX");
    }

    [Fact]
    public void TanhMatchesMathTanhOverEveryLengthAndRange()
    {
        // Every length from 0 to 3·16+1 exercises the vector body and the scalar tail.
        for (int n = 0; n <= 49; n++)
        {
            var (x, xd) = _data.Pair(n, 9);
            float[] y = NnTestData.Poisoned(n);
            Activations.Forward(Activation.Tanh, x, y);
            _data.Close(Array.ConvertAll(xd, Math.Tanh), y, $"tanh n={n}", 1e-5, 0);
        }
        double[] tiny = [1e-6, -3e-5, 3.9e-4, 4.1e-4, 1e-3, 0.05, 7.9, 8.5, 30, -30];
        float[] t = NnTestData.Poisoned(tiny.Length);
        Activations.Forward(Activation.Tanh, NnTestData.ToFloat(tiny), t);
        _data.Close(Array.ConvertAll(NnTestData.ToDouble(NnTestData.ToFloat(tiny)), Math.Tanh), t, "tanh edge values", 1e-6, 0);
    }

    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Identity)]
    public void OpsMatchReference(Activation activation)
    {
        var (x, xd) = _data.Pair(53, 3);
        var (dY, dYd) = _data.Pair(53);
        float[] y = NnTestData.Poisoned(53);
        Activations.Forward(activation, x, y);
        double[] yRef = ActivationReference.Forward(activation, xd);
        _data.Close(yRef, y, "y");
        var (dX, dX0) = _data.Pair(53);
        Activations.Backward(activation, y, dY, dX);
        _data.Close(LinearTests.Add(dX0, ActivationReference.Backward(activation, yRef, dYd)), dX, "dX");
    }
}
