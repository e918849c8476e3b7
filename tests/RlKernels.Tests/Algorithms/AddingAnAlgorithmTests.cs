using System.Security.Cryptography;
using System.Text.Json;
using RlKernels.Algorithms.Deep;
using RlKernels.Cli;
using RlKernels.Cli.Commands;
using RlKernels.Tests.Cli;

namespace RlKernels.Tests.Algorithms;

/// <summary>
/// docs/adding-an-algorithm.md, proven: <see cref="VanillaPolicyGradient"/> was written by following it and is
/// registered with its one line; it then trains end to end through <c>rlk train</c>'s own path.
/// </summary>
public class AddingAnAlgorithmTests(ITestOutputHelper log)
{
    // The one registration line (inside the library it is one line of DeepAlgorithms' list).
    static AddingAnAlgorithmTests() => DeepAlgorithms.Register(VanillaPolicyGradient.Entry);

    [Fact]
    public void RegisteredAlgorithmIsListedAndTrainsThroughTheTrainCommand()
    {
        Assert.Contains("test-vpg", DeepAlgorithms.Names);
        Assert.True(DeepTrainCommand.IsDeepAlgo("test-vpg"));
        string dir = Directory.CreateTempSubdirectory("rlk-vpg-").FullName;
        string again = Directory.CreateTempSubdirectory("rlk-vpg-").FullName;
        try
        {
            var settings = new DeepTrainSettings { Env = "CartPole-v1", Algo = "test-vpg", Seed = 2, Steps = 40_960, EvalEpisodes = 50, Json = true, OutDir = dir };
            var (code, output, error) = CliRun.Train(settings);
            Assert.True(code == ExitCodes.Ok, error);
            Assert.Equal("", error);
            using var doc = JsonDocument.Parse(output);
            Assert.Equal("test-vpg", doc.RootElement.GetProperty("algo").GetString());
            Assert.Equal(40_960, doc.RootElement.GetProperty("env_steps").GetInt64());
            // It learns: the greedy policy beats a random CartPole policy (about 22) by far.
            double final = doc.RootElement.GetProperty("final_mean_return").GetDouble();
            log.WriteLine($"test-vpg on CartPole-v1, seed 2, 40 960 steps: final mean return {final:F1}");
            Assert.True(final > 60, $"final mean return {final:F1}");
            var policy = PolicyNet.Load(Path.Combine(dir, "model.safetensors"), RlKernels.Envs.Registry.EnvRegistry.Make("CartPole-v1", 1).Spec);
            Assert.True(policy.IsDiscrete);

            // Same seed, same model, bit for bit.
            Assert.Equal(ExitCodes.Ok, CliRun.Train(settings with { OutDir = again }).Code);
            Assert.Equal(Hash(Path.Combine(dir, "model.safetensors")), Hash(Path.Combine(again, "model.safetensors")));

            // The command line's overrides reach it as they reach the built-in ones: --gamma 0.5 changes the model.
            string half = Path.Combine(again, "gamma-half");
            Assert.Equal(ExitCodes.Ok, CliRun.Train(settings with { OutDir = half, Gamma = 0.5 }).Code);
            Assert.NotEqual(Hash(Path.Combine(dir, "model.safetensors")), Hash(Path.Combine(half, "model.safetensors")));
        }
        finally
        {
            Directory.Delete(dir, true);
            Directory.Delete(again, true);
        }
    }

    [Fact]
    public void RegistryDefaultsAndBadInputComeFromTheEntry()
    {
        Assert.Equal((16, 20_000L), DeepAlgorithms.Defaults("test-vpg", "Pendulum-v1"));
        Assert.Equal(128, DeepAlgorithms.RolloutSteps("test-vpg", "CartPole-v1"));
        DeepAlgorithms.Register(VanillaPolicyGradient.Entry); // the same entry again: nothing changes
        Assert.Single(DeepAlgorithms.Names, n => n == "test-vpg");
        var clash = Assert.Throws<ArgumentException>(() => DeepAlgorithms.Register(VanillaPolicyGradient.Entry with { Defaults = _ => (1, 1) }));
        Assert.Contains("test-vpg", clash.Message);
        // Bad input of the new algorithm reaches the user as one line and exit code 2, like any other.
        var (code, _, error) = CliRun.Train(new DeepTrainSettings { Env = "CartPole-v1", Algo = "test-vpg", Steps = 0, OutDir = Path.Combine(Path.GetTempPath(), "rlk-vpg-never-written") });
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--steps", error);
        Assert.DoesNotContain("   at ", error);
        Assert.False(Directory.Exists(Path.Combine(Path.GetTempPath(), "rlk-vpg-never-written")));
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
