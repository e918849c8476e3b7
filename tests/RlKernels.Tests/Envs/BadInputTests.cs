using RlKernels.Envs;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;

namespace RlKernels.Tests.Envs;

/// <summary>
/// Bad input gets a clear error and changes nothing: outputs and state are compared before and after,
/// and the env then steps on exactly like a twin that never saw the bad call (which also covers the
/// RNG counters and episode bookkeeping the runner does not expose).
/// </summary>
public class BadInputTests
{
    private const int EnvCount = 21;

    private static (IVectorEnv Env, IVectorEnv Twin) MakePair(string id = "CartPole-v1")
    {
        var options = new VectorEnvOptions { Seed = 3 };
        var env = EnvRegistry.Make(id, EnvCount, options);
        var twin = EnvRegistry.Make(id, EnvCount, options);
        var actions = new int[EnvCount];
        for (int t = 0; t < 12; t++)
        {
            EnvTestKit.FillActions(actions, t, env.Spec.Action.Count);
            env.Step(actions);
            twin.Step(actions);
        }
        return (env, twin);
    }

    private static void AssertRejectedAndUnchanged<TException>(IVectorEnv env, IVectorEnv twin, Action bad, params string[] messageParts)
        where TException : Exception
    {
        var snapshot = Snapshot.Of(env);
        var e = Assert.Throws<TException>(bad);
        foreach (string part in messageParts) Assert.Contains(part, e.Message);
        snapshot.AssertUnchanged(env);
        var a = EnvTestKit.Run(env, 20, 20);
        var b = EnvTestKit.Run(twin, 20, 20);
        a.AssertSamePerEnv(b, "after the rejected call vs a twin");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void EnvCountMustBePositive(int envCount)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => EnvRegistry.Make("CartPole-v1", envCount));
        Assert.Contains("envCount", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new CpuVectorEnv<CartPole<RlKernels.Kernels.Lanes.F1>, RlKernels.Kernels.Lanes.F1, CartPoleParams>(CartPole<RlKernels.Kernels.Lanes.F1>.Spec(new()), new(), envCount, new VectorEnvOptions(), Backend.CpuScalar));
    }

    [Theory]
    [InlineData(EnvCount - 1)]
    [InlineData(EnvCount + 1)]
    [InlineData(0)]
    public void ActionSpanOfWrongLength(int length)
    {
        var (env, twin) = MakePair();
        using (env) using (twin)
            AssertRejectedAndUnchanged<ArgumentException>(env, twin, () => env.Step(new int[length]), $"Expected {EnvCount} actions", $"got {length}");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void DiscreteActionOutOfRangeNamesTheEnv(int action)
    {
        var (env, twin) = MakePair();
        using (env) using (twin)
        {
            var actions = new int[EnvCount];
            EnvTestKit.FillActions(actions, 99, 2);
            actions[13] = action;
            // The buffer is written up to env 13 before the check fails: the next step must not see it.
            AssertRejectedAndUnchanged<ArgumentOutOfRangeException>(env, twin, () => env.Step(actions), "env 13", $"is {action}", "[0, 2)");
        }
    }

    [Fact]
    public void FloatActionsForADiscreteEnvAreRejected()
    {
        var (env, twin) = MakePair();
        using (env) using (twin)
            AssertRejectedAndUnchanged<InvalidOperationException>(env, twin, () => env.Step(new float[EnvCount]), "discrete");
    }

    [Fact]
    public void ResetMaskOfWrongLength()
    {
        var (env, twin) = MakePair();
        using (env) using (twin)
            AssertRejectedAndUnchanged<ArgumentException>(env, twin, () => env.Reset(new bool[EnvCount + 1]), $"{EnvCount} flags");
    }

    [Fact]
    public void NegativeRandomStepCount()
    {
        var (env, twin) = MakePair();
        using (env) using (twin)
            AssertRejectedAndUnchanged<ArgumentOutOfRangeException>(env, twin, () => env.StepRandom(-1), "stepCount");
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void NonFiniteContinuousActionNamesTheEnv(float bad)
    {
        // No continuous env is registered yet: check the validation the runner calls, on a Box spec.
        var spec = new EnvSpec("Box-test", 1, ["x"], ActionSpace.Box(-2, 2), 0, [0f], [1f], "test");
        var actions = new float[] { 0.5f, -1f, bad, 1f };
        var dst = new float[] { 7f, 7f, 7f, 7f };
        var e = Assert.Throws<ArgumentException>(() => ActionValidation.CopyContinuous(spec, actions, dst));
        Assert.Contains("env 2", e.Message);
        Assert.Contains("finite", e.Message);
        Assert.Throws<ArgumentException>(() => ActionValidation.CopyContinuous(spec, actions, new float[5]));
        var discrete = new EnvSpec("Discrete-test", 1, ["x"], ActionSpace.Discrete(3), 0, [0f], [1f], "test");
        Assert.Throws<InvalidOperationException>(() => ActionValidation.CopyContinuous(discrete, new float[4], dst));
    }

    [Fact]
    public void UnknownEnvIdListsKnownIds()
    {
        var e = Assert.Throws<ArgumentException>(() => EnvRegistry.Make("CartPole-v0", 4));
        Assert.Contains("CartPole-v0", e.Message);
        foreach (string id in EnvTestKit.AllIds) Assert.Contains(id, e.Message);
    }

    [Fact]
    public void UnknownEnvArgIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            EnvRegistry.Make("CartPole-v1", 4, envArgs: new Dictionary<string, string> { ["gravity_typo"] = "9.8" }));
        Assert.Contains("gravity_typo", e.Message);
        Assert.Contains("CartPole-v1", e.Message);
        Assert.Throws<ArgumentException>(() => EnvArgs.Parse(["no-equals-sign"]));
    }

    [Fact]
    public void NegativeOptionsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => EnvRegistry.Make("CartPole-v1", 4, new VectorEnvOptions { MaxEpisodeSteps = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => EnvRegistry.Make("CartPole-v1", 4, new VectorEnvOptions { Threads = -2 }));
    }
}
