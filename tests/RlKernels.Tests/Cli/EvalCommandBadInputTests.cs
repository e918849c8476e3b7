using System.Text;
using RlKernels.Algorithms.Deep;
using RlKernels.Cli;
using RlKernels.Cli.Commands;
using RlKernels.Envs.Registry;
using RlKernels.Kernels.Gpu;
using RlKernels.Kernels.Nn;

namespace RlKernels.Tests.Cli;

/// <summary>
/// <c>rlk eval</c> on bad input: one line on stderr naming the file (and the tensor or metadata key), exit 2,
/// no stack trace, and the model file untouched.
/// </summary>
public sealed class EvalCommandBadInputTests() : TempDirectoryTests("rlk-eval-")
{
    /// <summary>A CartPole policy (untrained: evaluating it is quick) saved by the code, with optional edits.</summary>
    private string Model(string name = "model.safetensors", int hidden = 6, int population = 1,
        Action<Mlp>? edit = null, string? envArgs = null)
    {
        using var probe = EnvRegistry.Make("CartPole-v1", 1);
        var net = new Mlp([4, hidden, 2], Activation.Tanh, Activation.Identity, population);
        net.Initialize(5);
        edit?.Invoke(net);
        var metadata = new Dictionary<string, string> { ["algo"] = "ppo" };
        if (envArgs is not null) metadata["env_args"] = envArgs;
        string path = Path.Combine(Temp.Path, name);
        new PolicyNet(probe.Spec, net, 0f).Save(path, metadata);
        return path;
    }

    /// <summary>Runs eval; asserts exit 2, one line without a stack trace, and the model unchanged; returns the line.</summary>
    private static string BadInput(string modelPath, int episodes = 3, string backend = "cpu", string env = "CartPole-v1")
    {
        byte[]? before = File.Exists(modelPath) ? File.ReadAllBytes(modelPath) : null;
        string line = CliRun.AssertBadInputLine(
            CliRun.Capture((output, error) => EvalCommand.Run(env, modelPath, episodes, 1, backend, json: false, output, error)), "rlk eval: ");
        if (before is not null) Assert.Equal(before, File.ReadAllBytes(modelPath));
        return line;
    }

    [Fact]
    public void AGoodModelEvaluates()
    {
        var (code, output, error) = CliRun.Capture((o, e) => EvalCommand.Run("CartPole-v1", Model(), 3, 1, "cpu", json: true, o, e));
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal("", error);
        Assert.Contains("\"mean_return\":", output);
    }

    [Fact]
    public void NanWeightsExitTwoNamingTheTensor()
    {
        string line = BadInput(Model(edit: net => net.Weight(1)[3] = float.NaN));
        Assert.Contains("model.safetensors: tensor 'policy.layers.1.weight': element 3", line);
        Assert.Contains("NaN", line);
    }

    [Fact]
    public void InfiniteBiasesExitTwoNamingTheTensor() =>
        Assert.Contains("tensor 'policy.layers.0.bias'", BadInput(Model(edit: net => net.Bias(0)[2] = float.NegativeInfinity)));

    [Theory]
    [InlineData("shape", "[1,6,4]", "\"1,6,4\"", """tensor 'policy.layers.0.weight': "shape" must be an array""")]
    [InlineData("dtype", "\"F32\"", "\"F16\"", "unsupported dtype F16")]
    [InlineData("shape", "[1,6,4]", "[1,4,6]", "tensor 'policy.layers.0.weight': has shape [1, 4, 6]; expected [1, 6, 4]")]
    [InlineData("layer_sizes", "\"4,6,2\"", "\"4,-6,2\"", "metadata layer_sizes '4,-6,2'")]
    [InlineData("activation", "\"Tanh\"", "\"7\"", "metadata activation '7'")]
    [InlineData("format", "\"rlk-policy-v1\"", "\"other\"", "not an rlk policy")]
    public void AMalformedModelExitsTwoNamingWhatIsWrong(string key, string from, string to, string expected)
    {
        // The header's "key":from (JSON) becomes "key":to.
        string member = $"\"{key}\":";
        string path = Model();
        byte[] file = File.ReadAllBytes(path);
        int length = (int)BitConverter.ToUInt64(file, 0);
        string header = Encoding.UTF8.GetString(file, 8, length);
        Assert.Contains(member + from, header);
        byte[] json = Encoding.UTF8.GetBytes(header.Replace(member + from, member + to));
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((ulong)json.Length), .. json, .. file[(8 + length)..]]);
        Assert.Contains(expected, BadInput(path));
    }

    [Fact]
    public void ATruncatedModelExitsTwo()
    {
        string path = Model();
        byte[] file = File.ReadAllBytes(path);
        File.WriteAllBytes(path, file[..^5]);
        Assert.Contains("truncated", BadInput(path));
    }

    [Fact]
    public void AMissingFileOrAFolderExitsTwo()
    {
        Assert.Contains("does not exist", BadInput(Path.Combine(Temp.Path, "nothing.safetensors")));
        Assert.Contains("is a folder", BadInput(Temp.Path));
    }

    [Fact]
    public void AModelOfAnotherEnvExitsTwo() =>
        Assert.Contains("trained on CartPole-v1, not Acrobot-v1", BadInput(Model(), env: "Acrobot-v1"));

    [Theory]
    [InlineData("""{"max_episode_steps":"50"}""", "must be a JSON array")]
    [InlineData("[1,2]", """entry 0 is not a "KEY=VALUE" string""")]
    [InlineData("""["max_episode_steps"]""", """entry 0 is not a "KEY=VALUE" string""")]
    [InlineData("""["=5"]""", """entry 0 is not a "KEY=VALUE" string""")]
    [InlineData("\"max_episode_steps=50\"", "must be a JSON array")]
    [InlineData("[\"max_episode_steps=50\"", "is not valid JSON")]
    [InlineData("null", "must be a JSON array")]
    public void EnvArgsMetadataMustBeAJsonArrayOfKeyValueStrings(string envArgs, string expected)
    {
        string line = BadInput(Model(envArgs: envArgs));
        Assert.Contains("metadata env_args", line);
        Assert.Contains(expected, line);
    }

    [Fact]
    public void WellFormedEnvArgsAreUsed()
    {
        var error = new StringWriter();
        Assert.Equal(ExitCodes.Ok, EvalCommand.Run("CartPole-v1", Model(envArgs: "[\"normalize_obs=true\"]"), 2, 1, "cpu", true, new StringWriter(), error));
        // An env option the env does not take is the env's bad input.
        BadInput(Model(name: "other.safetensors", envArgs: "[\"no_such_option=1\"]"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(EvalCommand.MaxEpisodes + 1)]
    [InlineData(int.MaxValue)]
    public void EpisodesOutOfRangeExitTwo(int episodes) =>
        Assert.Contains($"--episodes must be in [1, {EvalCommand.MaxEpisodes}]", BadInput(Model(), episodes));

    [Fact]
    public void EpisodesOverTheMemoryEstimateExitTwo() =>
        // 64 members × a million episodes × 4096-wide activations: terabytes.
        Assert.Contains("needs about", BadInput(Model(hidden: 4096, population: 64), EvalCommand.MaxEpisodes));

    [Fact]
    public void GpuBackendWithoutAGpuExitsTwo()
    {
        if (GpuDevice.CudaAvailable()) Assert.Skip("this machine has a CUDA GPU");
        Assert.Contains("no CUDA GPU", BadInput(Model(), backend: "gpu"));
    }

    [Fact]
    public void AnUnknownBackendExitsTwo() => Assert.Contains("Unknown backend", BadInput(Model(), backend: "tpu"));
}
