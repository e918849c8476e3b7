using System.Text.Json;
using RlKernels.Cli;
using RlKernels.Cli.Commands;

namespace RlKernels.Tests.Cli;

public class DeepTrainCommandTests
{
    [Fact]
    public void TrainsCartPoleWritesTheOutputsAndEvalReadsTheModel()
    {
        using var temp = new TempDirectory("rlk-deep-");
        string dir = temp.Path;
        var (code, output, error) = CliRun.Train(new DeepTrainSettings { Env = "CartPole-v1", Json = true, OutDir = dir });
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        foreach (string field in new[] { "env", "algo", "seed", "env_steps", "seconds", "final_mean_return", "final_std_return", "solved_at_seconds" })
            Assert.True(root.TryGetProperty(field, out _), $"missing {field}");
        Assert.Equal("ppo", root.GetProperty("algo").GetString());
        Assert.True(root.GetProperty("final_mean_return").GetDouble() >= 475);
        Assert.InRange(root.GetProperty("final_std_return").GetDouble(), 0, 500);
        Assert.Equal(JsonValueKind.Number, root.GetProperty("solved_at_seconds").ValueKind);
        Assert.True(File.Exists(Path.Combine(dir, "model.safetensors")));
        Assert.StartsWith("env_steps,member,mean_return,episodes\n", File.ReadAllText(Path.Combine(dir, "curve.csv")));
        Assert.True(File.Exists(Path.Combine(dir, "curve.png")));

        var evalOut = new StringWriter();
        int evalCode = EvalCommand.Run("CartPole-v1", Path.Combine(dir, "model.safetensors"), 20, 3, "cpu", true, evalOut, new StringWriter());
        Assert.Equal(0, evalCode);
        Assert.True(JsonDocument.Parse(evalOut.ToString()).RootElement.GetProperty("mean_return").GetDouble() >= 475);
        Assert.Equal(ExitCodes.BadInput, EvalCommand.Run("Pendulum-v1", Path.Combine(dir, "model.safetensors"), 5, 3, "cpu", true, new StringWriter(), new StringWriter()));
    }

    [Theory]
    [InlineData("CartPole-v1", "rainbow", null, "ppo, a2c")]
    [InlineData("NoSuchEnv-v0", "ppo", null, "CartPole-v1")]
    [InlineData("CartPole-v1", "reparam-ac", null, "continuous")]
    [InlineData("CartPole-v1", "ppo", 0L, "--steps")]
    public void BadInputExitsWithTwoAndSaysWhy(string env, string algo, long? steps, string expected)
    {
        var (code, _, error) = CliRun.Train(new DeepTrainSettings { Env = env, Algo = algo, Steps = steps, OutDir = Path.Combine(Path.GetTempPath(), "rlk-deep-never-written") });
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void EnvArgsWrapTheTrainedEnv()
    {
        using var temp = new TempDirectory("rlk-deep-");
        string dir = temp.Path;
        // Two position features × four frames: the policy's input is 8 wide.
        var (code, output, error) = CliRun.Train(new DeepTrainSettings
        {
            Env = "CartPole-v1", EnvArgs = ["hide_velocity=true", "frame_stack=4"], Steps = 2_048, Envs = 8,
            EvalEpisodes = 4, Json = true, OutDir = dir,
        });
        Assert.True(code == 0, error);
        string model = JsonDocument.Parse(output).RootElement.GetProperty("model").GetString()!;
        var wrapped = RlKernels.Envs.Registry.EnvRegistry.Get("CartPole-v1")
            .Spec(RlKernels.Envs.Registry.EnvArgs.Parse(["hide_velocity=true", "frame_stack=4"]));
        Assert.Equal(8, wrapped.ObsSize);
        RlKernels.Algorithms.Deep.PolicyNet.Load(model, wrapped);
        var plain = RlKernels.Envs.Registry.EnvRegistry.Get("CartPole-v1").Spec(RlKernels.Envs.Registry.EnvArgs.Empty);
        Assert.Throws<RlKernels.Kernels.Nn.SafetensorsFormatException>(() => RlKernels.Algorithms.Deep.PolicyNet.Load(model, plain));

        // rlk eval reads the env options back from the model and runs it on the same wrapped env.
        var evalOut = new StringWriter();
        var evalError = new StringWriter();
        Assert.True(EvalCommand.Run("CartPole-v1", model, 4, 3, "cpu", true, evalOut, evalError) == 0, evalError.ToString());
        Assert.True(JsonDocument.Parse(evalOut.ToString()).RootElement.GetProperty("mean_return").GetDouble() > 0);
    }

    [Theory]
    [InlineData("frame_stak=4", "frame_stak")]
    [InlineData("frame_stack=0", "frame_stack")]
    [InlineData("frame_stack", "KEY=VALUE")]
    public void BadEnvArgsExitWithTwoAndWriteNothing(string envArg, string expected)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"rlk-deep-never-written-{Guid.NewGuid():N}");
        var (code, _, error) = CliRun.Train(new DeepTrainSettings { Env = "CartPole-v1", EnvArgs = [envArg], OutDir = dir });
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(expected, error);
        Assert.False(Directory.Exists(dir));
        // The same through the command line.
        Assert.Equal(ExitCodes.BadInput, Program.Main(["train", "CartPole-v1", "--algo", "ppo", "--env-arg", envArg, "--out", dir]));
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void DivergenceStopsWithTheStepAndKeepsTheLastGoodModel()
    {
        using var temp = new TempDirectory("rlk-deep-");
        string dir = temp.Path;
        var (code, _, error) = CliRun.Train(new DeepTrainSettings { Env = "CartPole-v1", LearningRate = 1e38f, OutDir = dir });
        // Divergence is a runtime failure (exit 3), not bad input; the last good policy is kept.
        CliRun.AssertOneLineError(ExitCodes.RuntimeFailure, (code, "", error), "diverged at env step");
        Assert.Contains("layers.", error);
        Assert.True(File.Exists(Path.Combine(dir, "model.safetensors")));
    }

    /// <summary>Every built-in deep algorithm (the registry's, less the tests' own), for <see cref="GammaReachesTheAlgorithm"/>.</summary>
    public static TheoryData<string> BuiltInDeepAlgorithms => new(RlKernels.Algorithms.Deep.DeepAlgorithms.Names.Where(n => !n.StartsWith("test-", StringComparison.Ordinal)));

    [Theory]
    [MemberData(nameof(BuiltInDeepAlgorithms))]
    public void GammaReachesTheAlgorithm(string algo)
    {
        // --gamma 0.5 must change what is learned from the same seed; the budgets pass the replay algorithms' warm-up.
        bool continuous = RlKernels.Algorithms.Deep.DeepAlgorithms.Get(algo).Needs == RlKernels.Algorithms.Deep.ActionNeed.Continuous;
        using var temp = new TempDirectory("rlk-deep-gamma-");
        byte[] Model(double? gamma)
        {
            string dir = Path.Combine(temp.Path, gamma is null ? "default" : "half");
            var (code, _, error) = CliRun.Train(new DeepTrainSettings
            {
                Env = continuous ? "Pendulum-v1" : "CartPole-v1", Algo = algo, Gamma = gamma, Steps = continuous ? 2_600 : 10_500,
                NoStop = true, EvalEpisodes = 1, Threads = 1, OutDir = dir,
            });
            Assert.True(code == 0, error);
            return File.ReadAllBytes(Path.Combine(dir, "model.safetensors"));
        }
        Assert.NotEqual(Model(null), Model(0.5));
    }

    /// <summary>Every (built-in algorithm, per-member hyperparameter beyond lr and γ it has), for <see cref="APerMemberFlagReachesTheAlgorithm"/>.</summary>
    public static TheoryData<string, string, string> PerMemberFlags()
    {
        var values = new Dictionary<string, string> { ["--lambda"] = "0.3", ["--ent-coef"] = "0.1", ["--clip"] = "0.02" };
        var data = new TheoryData<string, string, string>();
        foreach (string algo in BuiltInDeepAlgorithms)
            foreach (var p in RlKernels.Algorithms.Deep.DeepAlgorithms.Get(algo).MemberParams.Except(RlKernels.Algorithms.Deep.MemberParam.Common))
                data.Add(algo, p.Flag, values[p.Flag]);
        return data;
    }

    [Theory]
    [MemberData(nameof(PerMemberFlags))]
    public void APerMemberFlagReachesTheAlgorithm(string algo, string flag, string value)
    {
        // Through the real command line: the flag must change what is learned from the same seed.
        using var temp = new TempDirectory("rlk-deep-flag-");
        byte[] Model(params string[] extra)
        {
            string dir = Path.Combine(temp.Path, extra.Length == 0 ? "default" : "flag");
            var (code, _, error) = CliRun.InProcess(["train", "CartPole-v1", "--algo", algo, "--steps", "4096", "--no-stop", "--threads", "1", "--out", dir, .. extra]);
            Assert.True(code == 0, error);
            return File.ReadAllBytes(Path.Combine(dir, "model.safetensors"));
        }
        Assert.NotEqual(Model(), Model(flag, value));
    }

    [Fact]
    public void DeepAlgorithmsAreRecognizedForDispatch()
    {
        Assert.True(DeepTrainCommand.IsDeepAlgo("ppo"));
        Assert.False(DeepTrainCommand.IsDeepAlgo("q-learning"));
    }
}
