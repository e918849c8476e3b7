using RlKernels.Kernels.Nn;
using RlKernels.Tests.Reference;

namespace RlKernels.Tests.Nn;

public class LossTests : NnTest
{
    private const int P = 3, N = 17;
    private const float Delta = 0.6f;

    [Fact]
    public void ReferenceBackwardsMatchFiniteDifferences()
    {
        double[] pred = _data.Uniform(P * N, 2), target = _data.Uniform(P * N, 2), g = _data.Uniform(P);
        _data.MatchesFiniteDifferences(pred, () => FiniteDifference.Dot(LossReference.Mse(pred, target, P, N), g),
            LossReference.MseBackward(pred, target, g, P, N), "mse");
        _data.MatchesFiniteDifferences(pred, () => FiniteDifference.Dot(LossReference.Huber(pred, target, P, N, Delta), g),
            LossReference.HuberBackward(pred, target, g, P, N, Delta), "huber");
    }

    [Fact]
    public void OpsMatchReference()
    {
        var (pred, predD) = _data.Pair(P * N, 2);
        var (target, targetD) = _data.Pair(P * N, 2);
        var (g, gD) = _data.Pair(P);
        float[] loss = NnTestData.Poisoned(P);
        MseLoss.Forward(pred, target, P, N, loss);
        _data.Close(LossReference.Mse(predD, targetD, P, N), loss, "mse");
        var (d, d0) = _data.Pair(P * N);
        MseLoss.Backward(pred, target, g, P, N, d);
        _data.Close(LinearTests.Add(d0, LossReference.MseBackward(predD, targetD, gD, P, N)), d, "mse backward");

        loss = NnTestData.Poisoned(P);
        HuberLoss.Forward(pred, target, P, N, Delta, loss);
        _data.Close(LossReference.Huber(predD, targetD, P, N, Delta), loss, "huber");
        (d, d0) = _data.Pair(P * N);
        HuberLoss.Backward(pred, target, g, P, N, Delta, d);
        _data.Close(LinearTests.Add(d0, LossReference.HuberBackward(predD, targetD, gD, P, N, Delta)), d, "huber backward");
    }

    [Fact]
    public void BadArgumentsThrow()
    {
        Assert.Equal("target", Assert.Throws<ArgumentException>(() => MseLoss.Forward(new float[6], new float[5], 2, 3, new float[2])).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => HuberLoss.Forward(new float[6], new float[6], 2, 3, -1f, new float[2]));
    }
}
