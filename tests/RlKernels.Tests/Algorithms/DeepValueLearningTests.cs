using RlKernels.Algorithms.Deep;
using RlKernels.Kernels.Random;

namespace RlKernels.Tests.Algorithms;

/// <summary>
/// The lecture's worked example: V^π of the uniform random policy on the continuous random walk
/// (RandomWalk1D-v0), learned by TD(1), TD(0) with a target network and TD(λ) with a 2-layer ReLU net of width
/// 64, against a Monte-Carlo ground truth over a grid of x in [−3, 3].
/// </summary>
public class DeepValueLearningTests(ITestOutputHelper output)
{
    private static readonly double[] Grid = Enumerable.Range(0, 25).Select(i => -3.0 + 6.0 * i / 24).ToArray();
    private static readonly Lazy<double[]> Truth = new(() => Grid.Select((x, i) => MonteCarloValue(x, 20_000, (uint)i)).ToArray());

    /// <summary>
    /// V^π(x0) by plain float64 Monte Carlo from the env's definition: x ← x ± N(1, 0.25²) with probability ½
    /// each, −1 per step, until x leaves [−3, 3]. Philox with a fixed key, so the truth is the same every run.
    /// </summary>
    private static double MonteCarloValue(double x0, int episodes, uint salt, int firstAction = -1)
    {
        Philox4x32.KeyFromSeed(0x7E57_0000UL + salt, out uint k0, out uint k1);
        uint counter = 0;
        double sum = 0;
        for (int e = 0; e < episodes; e++)
        {
            double x = x0;
            int length = 0;
            while (x >= -3 && x <= 3 && length < 1000)
            {
                Philox4x32.Block(counter++, salt, 0, 0, k0, k1, out uint a, out uint b, out uint c, out _);
                double z = Math.Sqrt(-2 * Math.Log(Philox4x32.ToOpenUnit(a))) * Math.Cos(2 * Math.PI * Philox4x32.ToUnit(b));
                double step = 1 + 0.25 * z;
                bool right = length == 0 && firstAction >= 0 ? firstAction == 1 : (c & 1) == 1;
                x += right ? step : -step;
                length++;
            }
            sum -= length;
        }
        return sum / episodes;
    }

    private static double[] Predict(TrainResult result)
    {
        var critic = result.Critic!;
        var xs = new float[critic.Population * Grid.Length];
        for (int p = 0; p < critic.Population; p++)
            for (int i = 0; i < Grid.Length; i++) xs[p * Grid.Length + i] = (float)Grid[i];
        var v = new float[xs.Length];
        critic.Forward(xs, Grid.Length, v);
        return v.Take(Grid.Length).Select(f => (double)f).ToArray();
    }

    [Theory]
    [InlineData(ValueMethod.MonteCarlo, 1)]
    [InlineData(ValueMethod.Td0, 1)]
    [InlineData(ValueMethod.Td0, 5)]
    [InlineData(ValueMethod.TdLambda, 1)]
    public void LearnsTheRandomWalkValueOfTheUniformPolicy(ValueMethod method, int targetPeriod)
    {
        var result = ValueLearning.Train(new ValueLearningConfig
        {
            Method = method,
            TargetPeriod = targetPeriod,
            Run = new RunSettings { EnvId = "RandomWalk1D-v0", EnvCount = 256, TotalSteps = method == ValueMethod.MonteCarlo ? 4_000_000 : 1_500_000, Seed = 3, Threads = 1 },
        });
        double[] v = Predict(result), truth = Truth.Value;
        double rmse = Math.Sqrt(v.Zip(truth, (a, b) => (a - b) * (a - b)).Average());
        int zero = Array.IndexOf(Grid, 0.0);
        for (int i = 0; i < Grid.Length; i += 3) output.WriteLine($"x = {Grid[i]:F2}: V = {v[i]:F3}, truth {truth[i]:F3}");
        output.WriteLine($"{method} (period {targetPeriod}): RMSE {rmse:F3}, V(0) {v[zero]:F3} vs {truth[zero]:F3}, {result.Seconds:F1} s");
        Assert.True(rmse <= 0.5, $"RMSE {rmse:F3} > 0.5");
        Assert.True(Math.Abs(v[zero] - truth[zero]) <= 0.5, $"V(0) = {v[zero]:F3}, truth {truth[zero]:F3}");
    }

    /// <summary>Q^π(x, a) of the uniform policy by SARSA(0) and SARSA(1) (λ-returns with λ = 1) against Monte Carlo.</summary>
    [Theory]
    [InlineData(0f)]
    [InlineData(1f)]
    public void SarsaLearnsTheRandomWalkActionValues(float lambda)
    {
        var result = NetworkSarsa.Train(new NetworkSarsaConfig
        {
            Lambda = lambda,
            Run = new RunSettings { EnvId = "RandomWalk1D-v0", EnvCount = 256, TotalSteps = 2_000_000, Seed = 5, Threads = 1 },
        });
        var q = result.Critic!;
        int[] points = Enumerable.Range(0, Grid.Length).Where(i => i % 2 == 0).ToArray();
        var xs = points.Select(i => (float)Grid[i]).ToArray();
        var values = new float[xs.Length * 2];
        q.Forward(xs, xs.Length, values);
        double sq = 0;
        for (int j = 0; j < points.Length; j++)
            for (int a = 0; a < 2; a++)
            {
                double truth = MonteCarloValue(Grid[points[j]], 20_000, (uint)(100 + 2 * j + a), a);
                sq += (values[j * 2 + a] - truth) * (values[j * 2 + a] - truth);
                if (j % 3 == 0) output.WriteLine($"Q({Grid[points[j]]:F2}, {(a == 1 ? "R" : "L")}) = {values[j * 2 + a]:F3}, truth {truth:F3}");
            }
        double rmse = Math.Sqrt(sq / (points.Length * 2));
        output.WriteLine($"SARSA(λ = {lambda}): RMSE {rmse:F3}, {result.Seconds:F1} s");
        Assert.True(rmse <= 0.5, $"RMSE {rmse:F3} > 0.5");
    }

    [Fact]
    public void GroundTruthAtTheStartMatchesTheKnownValue() =>
        Assert.InRange(Truth.Value[Array.IndexOf(Grid, 0.0)], -11.435 - 0.3, -11.435 + 0.3);
}
