using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;

namespace RlKernels.Tests;

public class Smoke
{
    [Theory]
    [InlineData(Backend.Cpu)]
    [InlineData(Backend.CpuScalar)]
    [InlineData(Backend.CpuDouble)]
    public void CartPoleStepsAndEpisodesEnd(Backend backend)
    {
        using var env = EnvRegistry.Make("CartPole-v1", 37, new VectorEnvOptions { Backend = backend, Seed = 3 });
        int ended = 0;
        var actions = new int[37];
        for (int t = 0; t < 200; t++)
        {
            for (int i = 0; i < 37; i++) actions[i] = (t + i) % 2;
            env.Step(actions);
            for (int i = 0; i < 37; i++) if (env.Terminated[i] || env.Truncated[i]) ended++;
        }
        Assert.True(ended > 0);
        foreach (float x in env.Observations) Assert.InRange(x, -5f, 5f);
    }
}
