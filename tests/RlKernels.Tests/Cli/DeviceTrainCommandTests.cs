using System.Text.Json;
using RlKernels.Algorithms.Deep;
using RlKernels.Algorithms.Device;
using RlKernels.Cli;
using RlKernels.Cli.Commands;
using RlKernels.Envs.Runner;

namespace RlKernels.Tests.Cli;

/// <summary>
/// <c>rlk train --algo ppo --backend gpu-cpu</c> runs <see cref="DevicePpo"/> (the whole loop on the device), <c>--algo a2c</c>
/// <see cref="DeviceA2c"/>, <c>--algo reinforce</c> and <c>reinforce-baseline</c> <see cref="DeviceReinforce"/>; what the device path does not run trains as before it existed: envs on the device, networks on the CPU.
/// </summary>
public class DeviceTrainCommandTests() : TempDirectoryTests("rlk-device-train-")
{
    [Fact]
    public void PpoOnGpuCpuTrainsOnTheDeviceAndWritesTheOutputs()
    {
        var (dir, run) = TrainOnGpuCpu("ppo", 2 * 32 * 4);
        // The same run through DevicePpo directly gives the same curve: the command took the device path.
        AssertSameCurve(dir, DevicePpo.Train(Ppo.DefaultConfig(run, null)));
    }

    [Fact]
    public void A2cOnGpuCpuTrainsOnTheDeviceAndWritesTheOutputs()
    {
        var (dir, run) = TrainOnGpuCpu("a2c", 2 * 16 * 4);
        // The same run through DeviceA2c directly gives the same curve and policy: the command took the device path ...
        TrainResult device = DeviceA2c.Train(new A2cConfig { Run = run });
        AssertSameCurve(dir, device);
        var spec = RlKernels.Envs.Registry.EnvRegistry.Get("CartPole-v1").Spec(RlKernels.Envs.Registry.EnvArgs.Empty);
        float[] written = PolicyNet.Load(Path.Combine(dir, "model.safetensors"), spec).Net.Parameters;
        Assert.Equal(device.Policy!.Net.Parameters, written);
        // ... not the fallback (envs on the device, networks on the CPU), which ends this run at other roundings.
        Assert.NotEqual(A2c.Train(new A2cConfig { Run = run }).Policy!.Net.Parameters, written);
    }

    [Theory]
    [InlineData("reinforce", false)]
    [InlineData("reinforce-baseline", true)]
    public void ReinforceOnGpuCpuTrainsOnTheDeviceAndWritesTheOutputs(string algo, bool baseline)
    {
        var (dir, run) = TrainOnGpuCpu(algo, 2 * 512 * 4);
        // The same run through DeviceReinforce directly gives the same curve and policy: the command took the device path ...
        TrainResult device = DeviceReinforce.Train(new ReinforceConfig { Run = run, Baseline = baseline });
        AssertSameCurve(dir, device);
        var spec = RlKernels.Envs.Registry.EnvRegistry.Get("CartPole-v1").Spec(RlKernels.Envs.Registry.EnvArgs.Empty);
        float[] written = PolicyNet.Load(Path.Combine(dir, "model.safetensors"), spec).Net.Parameters;
        Assert.Equal(device.Policy!.Net.Parameters, written);
        // ... not the fallback (envs on the device, networks on the CPU), which ends this run at other roundings.
        Assert.NotEqual(Reinforce.Train(new ReinforceConfig { Run = run, Baseline = baseline }).Policy!.Net.Parameters, written);
    }

    /// <summary>
    /// <c>rlk train CartPole-v1 --algo ALGO --backend gpu-cpu</c> on 4 envs for <paramref name="steps"/> env steps: it succeeds,
    /// reports the algorithm and the steps, and writes every output; returns the output folder and the run settings the command trained under.
    /// </summary>
    private (string Dir, RunSettings Run) TrainOnGpuCpu(string algo, long steps)
    {
        string dir = Temp.File("run");
        var (code, output, error) = CliRun.Train(new DeepTrainSettings
        {
            Env = "CartPole-v1", Algo = algo, Backend = "gpu-cpu", Envs = 4, Steps = steps, Seed = 5, EvalEpisodes = 4, Json = true, OutDir = dir,
        });
        Assert.True(code == ExitCodes.Ok, error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal(algo, root.GetProperty("algo").GetString());
        Assert.Equal(steps, root.GetProperty("env_steps").GetInt64());
        foreach (string file in DeepTrainCommand.OutputFiles) Assert.True(File.Exists(Path.Combine(dir, file)), file);
        return (dir, new RunSettings
        {
            EnvId = "CartPole-v1", EnvCount = 4, TotalSteps = steps, Seed = 5, Backend = Backend.GpuCpuAccelerator,
            TargetReturn = DeepAlgorithms.TargetReturn("CartPole-v1"),
        });
    }

    /// <summary>The curve.csv in <paramref name="dir"/> is byte for byte the one <paramref name="direct"/> writes.</summary>
    private void AssertSameCurve(string dir, TrainResult direct)
    {
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

    /// <summary>
    /// A2C on the device learns: its CartPole defaults (32 envs × 16 steps, rate 3e-3, 64×64 tanh), seed 1, 40 updates
    /// (about 1.1 s each on 2 cores): the mean of the last 100 training episodes goes from 21 (the first 100) to 76 by the
    /// end. Not a solve: A2C's defaults need 110 k to 275 k env steps where they solve on the CPU (seeds 1, 2, 7, 9 of
    /// 1–10 within 300 k), over 200 updates here; the device run of seed 1 followed the CPU run's curve for its first
    /// 30 k steps, then its own (chaotic) path, at 131 after 300 k steps (12 minutes).
    /// </summary>
    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void A2cOnGpuCpuLearnsCartPole()
    {
        string dir = Temp.File("run");
        var (code, output, error) = CliRun.InProcess("train", "CartPole-v1", "--algo", "a2c", "--backend", "gpu-cpu", "--seed", "1",
            "--envs", "32", "--steps", "20480", "--lr", "0.003", "--gamma", "0.99", "--lambda", "0.95", "--ent-coef", "0",
            "--max-grad-norm", "0.5", "--json", "--out", dir);
        Assert.True(code == ExitCodes.Ok, error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal("a2c", root.GetProperty("algo").GetString());
        AssertClearRise(dir, output, 50);
    }

    /// <summary>
    /// REINFORCE on the device learns: its CartPole defaults but 8 envs (× 512 steps, 4 minibatches, rate 3e-3, 64×64 tanh),
    /// seed 1, 20 updates (about 3 s each on 2 cores): the recent mean of training episodes goes from 22 (the first 100) to 233
    /// by the end (a greedy evaluation at 269). Not a solve, and not asserted as one. The same run with a baseline (22 → 205,
    /// about 4.4 s an update) is left out of the suite for time: the baseline's update is checked against the CPU's per
    /// tensor in DeviceReinforceUpdateTests, and its runs for same-seed equality in DeviceReinforceTrainTests.
    /// </summary>
    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void ReinforceOnGpuCpuLearnsCartPole() => AssertLearns("reinforce", 81920, 100);

    /// <summary>
    /// <c>rlk train CartPole-v1 --algo ALGO --backend gpu-cpu --seed 1 --envs 8</c> for <paramref name="steps"/> env steps rises clearly (<see cref="AssertClearRise"/>).
    /// </summary>
    private void AssertLearns(string algo, long steps, double atLeast)
    {
        string dir = Temp.File("run");
        var (code, output, error) = CliRun.InProcess("train", "CartPole-v1", "--algo", algo, "--backend", "gpu-cpu", "--seed", "1",
            "--envs", "8", "--steps", steps.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", "--out", dir);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Equal(algo, JsonDocument.Parse(output).RootElement.GetProperty("algo").GetString());
        AssertClearRise(dir, output, atLeast);
    }

    /// <summary>
    /// The run in <paramref name="dir"/> (its JSON <paramref name="output"/>) rose clearly: the recent mean once 100 episodes have
    /// finished is a near-random policy's (under 30), the end's at least twice that and <paramref name="atLeast"/>.
    /// </summary>
    private static void AssertClearRise(string dir, string output, double atLeast)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        string[] firstRow = File.ReadAllLines(Path.Combine(dir, "curve.csv")).Skip(1).Select(r => r.Split(',')).First(f => int.Parse(f[3], invariant) >= 100);
        double first = double.Parse(firstRow[2], invariant);
        double last = JsonDocument.Parse(output).RootElement.GetProperty("train_mean_return").GetDouble();
        Assert.True(first < 30, $"first 100 episodes' mean {first}: a near-random policy");
        Assert.True(last >= 2 * first && last >= atLeast, $"recent mean {first} → {last}: no clear rise\n{output}");
    }

    [Theory]
    [InlineData("Pendulum-v1", "ppo", "")]
    [InlineData("CartPole-v1", "ppo", "normalize_obs=true")]
    [InlineData("Pendulum-v1", "a2c", "")]
    [InlineData("CartPole-v1", "a2c", "normalize_obs=true")]
    [InlineData("Pendulum-v1", "reinforce", "")]
    [InlineData("CartPole-v1", "reinforce", "normalize_obs=true")]
    [InlineData("Pendulum-v1", "reinforce-baseline", "")]
    [InlineData("CartPole-v1", "reinforce-baseline", "normalize_obs=true")]
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
