using RlKernels.Envs;
using RlKernels.Envs.Runner;

namespace RlKernels.Tests.Envs;

/// <summary>The vectorized action checks find a bad action wherever it is: vector body, tail, first or last.</summary>
public sealed class ActionValidationTests
{
    private static readonly EnvSpec Discrete = new("T-v0", 1, ["x"], ActionSpace.Discrete(3), 0, [0f], [1f], "test");
    private static readonly EnvSpec Box = new("T-v0", 1, ["x"], ActionSpace.Box(-1, 1), 0, [0f], [1f], "test");

    [Theory]
    [InlineData(37, 0, 3)]
    [InlineData(37, 36, -1)]
    [InlineData(37, 17, int.MaxValue)]
    [InlineData(64, 63, int.MinValue)]
    [InlineData(5, 2, 3)]
    public void Discrete_out_of_range_is_found_and_named(int n, int at, int value)
    {
        var rng = new Random(n + at);
        int[] actions = Enumerable.Range(0, n).Select(_ => rng.Next(3)).ToArray();
        var dst = new float[n];
        ActionValidation.CopyDiscrete(Discrete, actions, dst);
        Assert.Equal(actions.Select(a => (float)a), dst);
        actions[at] = value;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ActionValidation.CopyDiscrete(Discrete, actions, new float[n]));
        Assert.Contains($"Action of env {at} is {value}", e.Message);
    }

    [Theory]
    [InlineData(37, 0, float.NaN)]
    [InlineData(37, 36, float.PositiveInfinity)]
    [InlineData(64, 20, float.NegativeInfinity)]
    [InlineData(3, 1, float.NaN)]
    public void Continuous_non_finite_is_found_and_named(int n, int at, float value)
    {
        var rng = new Random(n + at);
        float[] actions = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * 1e30f).ToArray();
        var dst = new float[n];
        ActionValidation.CopyContinuous(Box, actions, dst);
        Assert.Equal(actions, dst);
        actions[at] = value;
        var e = Assert.Throws<ArgumentException>(() => ActionValidation.CopyContinuous(Box, actions, new float[n]));
        Assert.Contains($"Action of env {at} is", e.Message);
    }
}
