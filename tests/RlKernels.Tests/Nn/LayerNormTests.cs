using RlKernels.Kernels.Nn;
using RlKernels.Tests.Reference;
using Xunit;

namespace RlKernels.Tests.Nn;

/// <summary>LayerNorm: the float64 reference against finite differences, the kernel against the reference.</summary>
public class LayerNormTests : NnTest
{
    private const double Eps = LayerNorm.DefaultEpsilon;

    [Fact]
    public void ReferenceBackwardMatchesFiniteDifferences()
    {
        const int P = 2, R = 3, F = 6;
        double[] x = _data.Uniform(P * R * F, 2), gain = _data.Uniform(P * F, 1.5), bias = _data.Uniform(P * F), g = _data.Uniform(P * R * F);
        double Loss() => FiniteDifference.Dot(LayerNormReference.Forward(x, gain, bias, P, R, F, Eps), g);
        var (dX, dGain, dBias) = LayerNormReference.Backward(x, gain, g, P, R, F, Eps);
        _data.MatchesFiniteDifferences(x, Loss, dX, "dX", 1e-5, 1e-8);
        _data.MatchesFiniteDifferences(gain, Loss, dGain, "dGain");
        _data.MatchesFiniteDifferences(bias, Loss, dBias, "dBias");
    }

    [Theory]
    [InlineData(1, 5, 4)]
    [InlineData(3, 17, 64)]
    [InlineData(2, 9, 129)]
    public void KernelMatchesReference(int P, int R, int F)
    {
        // An offset of 3 on the inputs: a one-pass variance E[x²] − E[x]² would lose digits here.
        double[] raw = _data.Uniform(P * R * F);
        float[] x = raw.Select(v => (float)(v + 3)).ToArray();
        double[] xd = NnTestData.ToDouble(x);
        var (gain, gainD) = _data.Pair(P * F, 1.5);
        var (bias, biasD) = _data.Pair(P * F);
        var (dY, dYd) = _data.Pair(P * R * F);
        float[] y = NnTestData.Poisoned(P * R * F), mean = NnTestData.Poisoned(P * R), rstd = NnTestData.Poisoned(P * R);
        LayerNorm.Forward(x, gain, bias, P, R, F, (float)Eps, y, mean, rstd);
        _data.Close(LayerNormReference.Forward(xd, gainD, biasD, P, R, F, Eps), y, "y", 1e-4, 1e-5);

        // dX is written, dGain and dBias accumulate: start those from random values.
        float[] dX = NnTestData.Poisoned(P * R * F);
        var (dGain, dGain0) = _data.Pair(P * F);
        var (dBias, dBias0) = _data.Pair(P * F);
        LayerNorm.Backward(x, gain, mean, rstd, dY, P, R, F, dX, dGain, dBias);
        var (rX, rGain, rBias) = LayerNormReference.Backward(xd, gainD, dYd, P, R, F, Eps);
        _data.Close(rX, dX, "dX", 1e-3, 1e-4);
        _data.Close(LinearTests.Add(dGain0, rGain), dGain, "dGain", 1e-4, 1e-4);
        _data.Close(LinearTests.Add(dBias0, rBias), dBias, "dBias", 1e-4, 1e-5);
    }

    [Fact]
    public void BadShapesAndEpsilonAreRefused()
    {
        var x = new float[2 * 3 * 4];
        Assert.Throws<ArgumentException>(() => LayerNorm.Forward(x, new float[7], new float[8], 2, 3, 4, 1e-5f, new float[24], new float[6], new float[6]));
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerNorm.Forward(x, new float[8], new float[8], 2, 3, 4, 0f, new float[24], new float[6], new float[6]));
    }
}
