// A .NET program that uses RlKernels from its NuGet packages: steps 4,096 CartPole copies with random actions
// from its own loop (the embedding path, Step(actions)), then trains PPO for a short budget and evaluates it.
// Prints one line per part; exits 1 if a number is not what the library promises.
using RlKernels.Algorithms.Deep;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;

const int envCount = 4096, steps = 200;
using (IVectorEnv env = EnvRegistry.Make("CartPole-v1", envCount, new VectorEnvOptions { Seed = 7 }))
{
    var rng = new Random(7);
    int[] actions = new int[envCount];
    double rewardSum = 0;
    int episodes = 0;
    for (int t = 0; t < steps; t++)
    {
        for (int i = 0; i < envCount; i++) actions[i] = rng.Next(env.Spec.Action.Count);
        env.Step(actions);
        foreach (float r in env.Rewards) rewardSum += r;
        for (int i = 0; i < envCount; i++) if (env.Terminated[i] || env.Truncated[i]) episodes++;
    }
    Console.WriteLine($"stepped {envCount} x {steps} CartPole-v1 steps: {episodes} episodes ended, reward {rewardSum:0}");
    if (episodes == 0 || rewardSum <= 0) return 1;
}

TrainResult result = DeepAlgorithms.Get("ppo").Train(new RunSettings { EnvId = "CartPole-v1", TotalSteps = 20_000, Seed = 1, StopAtTarget = false }, DeepOverrides.None);
Console.WriteLine($"ppo trained {result.EnvSteps} env steps; curve points: {result.Curve.Count}");
return result.EnvSteps >= 20_000 && result.Policy is not null ? 0 : 1;
