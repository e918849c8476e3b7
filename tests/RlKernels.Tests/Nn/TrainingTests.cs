using RlKernels.Kernels.Threading;
using RlKernels.Kernels.Nn;

namespace RlKernels.Tests.Nn;

public class TrainingTests
{
    /// <summary>Trains y = sin(x) on a fixed grid of B points in [−π, π] (same data for every member); returns each member's final MSE.</summary>
    private static float[] FitSin(Mlp net, Adam adam, int steps, int batch)
    {
        int P = net.Population;
        var x = new float[P * batch];
        var target = new float[P * batch];
        for (int p = 0; p < P; p++)
            for (int b = 0; b < batch; b++)
            {
                float v = -MathF.PI + 2 * MathF.PI * b / (batch - 1);
                x[p * batch + b] = v;
                target[p * batch + b] = MathF.Sin(v);
            }
        var y = new float[P * batch];
        var dY = new float[P * batch];
        var loss = new float[P];
        var ones = Enumerable.Repeat(1f, P).ToArray();
        for (int step = 0; step < steps; step++)
        {
            net.Forward(x, batch, y);
            Array.Clear(dY);
            MseLoss.Backward(y, target, ones, P, batch, dY);
            net.ZeroGradients();
            net.Backward(dY, []);
            adam.Step(net.Parameters, net.Gradients);
        }
        net.Forward(x, batch, y);
        MseLoss.Forward(y, target, P, batch, loss);
        return loss;
    }

    [Theory]
    [InlineData(MlpKernels.Fast)]
    [InlineData(MlpKernels.Naive)]
    public void FitsSinWithAdam(MlpKernels kernels)
    {
        using var pool = new WorkerPool(2);
        var net = new Mlp([1, 32, 32, 1], Activation.Tanh, Activation.Identity, 1, pool, kernels);
        net.Initialize(7);
        var adam = new Adam(net.Layout);
        adam.LearningRate[0] = 3e-3f;
        float mse = FitSin(net, adam, 1500, 128)[0];
        Assert.True(mse <= 1e-3f, $"MSE {mse}");
    }

    [Fact]
    public void LearningRateSweepIsWorseAtBothEnds()
    {
        using var pool = new WorkerPool(2);
        const int P = 16;
        var net = new Mlp([1, 32, 32, 1], Activation.Tanh, Activation.Identity, P, pool);
        net.Initialize(5);
        var adam = new Adam(net.Layout, pool);
        for (int p = 0; p < P; p++) adam.LearningRate[p] = MathF.Pow(10f, -5f + 5f * p / (P - 1)); // 1e-5 … 1
        float[] loss = FitSin(net, adam, 300, 64);
        float middle = loss[5..11].Min();
        string all = string.Join(", ", loss.Select((l, p) => $"{adam.LearningRate[p]:G2}:{l:G3}"));
        Assert.True(loss[0] > 2 * middle, $"too small a rate should be worse: {all}");
        Assert.True(loss[^1] > 2 * middle, $"too large a rate should be worse: {all}");
    }
}
