using System.Text.Json;
using RlKernels.Algorithms.Deep;
using RlKernels.Algorithms.Device;
using RlKernels.Cli;
using RlKernels.Cli.Commands;
using RlKernels.Envs.Runner;

namespace RlKernels.Tests.Cli;

/// <summary>
/// <c>rlk train --algo ppo --backend gpu-cpu</c> runs <see cref="DevicePpo"/> (the whole loop on the device); what the
/// device path does not run trains as before it existed: envs on the device, networks on the CPU.
/// </summary>
public class DeviceTrainCommandTests() : TempDirectoryTests("rlk-device-train-")
{
    [Fact]
    public void PpoOnGpuCpuTrainsOnTheDeviceAndWritesTheOutputs()
    {
        string dir = Temp.File("run");
        var (code, output, error) = CliRun.Train(new DeepTrainSettings
        {
            Env = "CartPole-v1", Backend = "gpu-cpu", Envs = 4, Steps = 2 * 32 * 4, Seed = 5, EvalEpisodes = 4, Json = true, OutDir = dir,
        });
        Assert.True(code == ExitCodes.Ok, error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal("ppo", root.GetProperty("algo").GetString());
        Assert.Equal(2L * 32 * 4, root.GetProperty("env_steps").GetInt64());
        foreach (string file in DeepTrainCommand.OutputFiles) Assert.True(File.Exists(Path.Combine(dir, file)), file);

        // The same run through DevicePpo directly gives the same curve: the command took the device path.
        var run = new RunSettings
        {
            EnvId = "CartPole-v1", EnvCount = 4, TotalSteps = 2 * 32 * 4, Seed = 5, Backend = Backend.GpuCpuAccelerator,
            TargetReturn = DeepAlgorithms.TargetReturn("CartPole-v1"),
        };
        TrainResult direct = DevicePpo.Train(Ppo.DefaultConfig(run, null));
        string expected = Path.Combine(Temp.Path, "direct.csv");
        DeepTrainCommand.WriteCurve(expected, direct.Curve);
        Assert.Equal(File.ReadAllText(expected), File.ReadAllText(Path.Combine(dir, "curve.csv")));
    }

    /// <summary>
    /// The must-show: the whole on-device path solves CartPole on a machine without a GPU. PPO's CartPole
    /// defaults, pinned here as flags (32 envs × 32 steps, 4 epochs × 4 minibatches, 64×64 tanh): seed 1 solved at
    /// 72,704 env steps, 91 s on 2 cores (about 1.3 s an update); the budget bounds a failing run near 3 minutes.
    /// </summary>
    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void PpoOnGpuCpuSolvesCartPole()
    {
        var (code, output, error) = CliRun.InProcess("train", "CartPole-v1", "--algo", "ppo", "--backend", "gpu-cpu", "--seed", "1",
            "--envs", "32", "--steps", "150000", "--lr", "0.003", "--gamma", "0.99", "--lambda", "0.95", "--clip", "0.2",
            "--ent-coef", "0", "--max-grad-norm", "0.5", "--json", "--out", Temp.File("run"));
        Assert.True(code == ExitCodes.Ok, error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal(JsonValueKind.Number, root.GetProperty("solved_at_seconds").ValueKind);
        Assert.True(root.GetProperty("final_mean_return").GetDouble() >= 475, output);
        Assert.True(root.GetProperty("env_steps").GetInt64() < 150_000, output);
    }

    [Theory]
    [InlineData("Pendulum-v1", "ppo", "")]
    [InlineData("CartPole-v1", "ppo", "normalize_obs=true")]
    [InlineData("CartPole-v1", "a2c", "")]
    [InlineData("CartPole-v1", "dqn", "")]
    public void WhatTheDevicePathDoesNotRunTrainsWithTheNetworksOnTheCpu(string env, string algo, string envArg)
    {
        string dir = Temp.File("run");
        string[] args = ["train", env, "--algo", algo, "--backend", "gpu-cpu", "--envs", "4", "--steps", "256", "--json", "--out", dir];
        if (envArg.Length > 0) args = [.. args, "--env-arg", envArg];
        var (code, output, error) = CliRun.InProcess(args);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Equal(algo, JsonDocument.Parse(output).RootElement.GetProperty("algo").GetString());
        foreach (string file in DeepTrainCommand.OutputFiles) Assert.True(File.Exists(Path.Combine(dir, file)), file);
    }
}
