using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using RlKernels.Algorithms.Deep;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Gpu;
using RlKernels.Kernels.Nn;

namespace RlKernels.Cli.Commands;

/// <summary><c>rlk eval ENV --model FILE</c>: runs a saved policy greedily for N fresh episodes and prints the mean return.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var env = new Argument<string>("env") { Description = "Env id, e.g. CartPole-v1." };
        var model = new Option<string>("--model") { Description = "A policy saved by 'rlk train' (safetensors).", Required = true };
        var episodes = new Option<int>("--episodes") { Description = "Fresh episodes to run.", DefaultValueFactory = _ => 100 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the evaluation envs.", DefaultValueFactory = _ => 12345UL };
        var backend = new Option<string>("--backend") { Description = $"Env backend: {BackendNames.List}.", DefaultValueFactory = _ => "cpu" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var command = new Command("eval", "Run a saved policy for N episodes and print its mean return.") { env, model, episodes, seed, backend, json };
        command.SetAction(parse => Run(parse.GetValue(env)!, parse.GetValue(model)!, parse.GetValue(episodes), parse.GetValue(seed),
            parse.GetValue(backend)!, parse.GetValue(json), Console.Out, Console.Error));
        return command;
    }

    /// <summary>The most episodes one evaluation runs (each is an env copy per member, all stepped together).</summary>
    public const int MaxEpisodes = 1_000_000;

    /// <summary>
    /// Evaluates; returns 0, or <see cref="ExitCodes.BadInput"/> after one line on <paramref name="error"/>: an unknown
    /// env or backend, <c>--backend gpu</c> without a CUDA GPU, episodes outside [1, <see cref="MaxEpisodes"/>] or over
    /// the memory estimate, a missing or unreadable model, or a model that is not a well-formed rlk policy for the env
    /// (<see cref="SafetensorsFormatException"/>: the line names the file and the tensor or metadata key).
    /// </summary>
    public static int Run(string envId, string modelPath, int episodes, ulong seed, string backend, bool json, TextWriter output, TextWriter error)
    {
        double mean;
        try
        {
            if (episodes < 1 || episodes > MaxEpisodes)
                throw new ArgumentException($"--episodes must be in [1, {MaxEpisodes}] (got {episodes}).");
            if (!EnvRegistry.TryGet(envId, out _))
                throw new ArgumentException($"Unknown env '{envId}'. Known envs: {string.Join(", ", EnvRegistry.Ids)}.");
            Backend envBackend = BackendNames.Parse(backend);
            if (envBackend == Backend.Gpu && !GpuDevice.CudaAvailable())
                throw new ArgumentException("--backend gpu: no CUDA GPU found on this machine; use --backend cpu (or gpu-cpu to run the GPU kernels on the CPU).");
            if (Directory.Exists(modelPath)) throw new ArgumentException($"Model file '{modelPath}' is a folder, not a file.");
            if (!File.Exists(modelPath)) throw new ArgumentException($"Model file '{modelPath}' does not exist.");
            // The env options the model was trained with (wrappers change the observation), from its metadata.
            var (tensors, metadata) = Safetensors.Load(modelPath);
            IReadOnlyDictionary<string, string> envArgs = ModelEnvArgs(metadata, modelPath);
            using (var probe = EnvRegistry.Make(envId, 1, envArgs: envArgs))
            {
                var policy = PolicyNet.FromTensors(tensors, metadata, probe.Spec, modelPath);
                CheckMemory(policy, episodes);
                mean = Evaluation.MeanReturns(policy, episodes, seed, envBackend, envArgs)[0];
            }
        }
        catch (Exception e) when (e is ArgumentException or SafetensorsFormatException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"rlk eval: {CliErrors.Message(e)}");
            return ExitCodes.BadInput;
        }
        if (json)
            output.WriteLine(CliJson.Serialize(new { env = envId, model = modelPath, episodes, mean_return = Math.Round(mean, 3) }));
        else
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{envId}: mean return {mean:F2} over {episodes} episodes ({modelPath})"));
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Every member runs <paramref name="episodes"/> env copies at once: their observations, actions and the
    /// network's activations must fit in the memory budget (<see cref="MemoryBudget"/>).
    /// </summary>
    private static void CheckMemory(PolicyNet policy, int episodes)
    {
        long copies = (long)policy.Net.Population * episodes;
        int widest = policy.Net.LayerSizes.ToArray().Max();
        // Per copy: observations (several buffers), actions and flags, and a row of activations per layer.
        long bytesPerCopy = 4L * (4 * policy.Spec.ObsSize + 3 * policy.ActionWidth + 2 * widest * policy.Net.LayerCount) + 64;
        long budget = MemoryBudget.UsableBytes;
        if (copies * Math.Max(policy.ActionWidth, widest) > Array.MaxLength || copies * bytesPerCopy > budget)
            throw new ArgumentException(
                $"--episodes {episodes} × population {policy.Net.Population} needs about {MemoryBudget.Format(copies * bytesPerCopy)}; the limit here is {MemoryBudget.Format(budget)}.");
    }

    /// <summary>The "env_args" metadata of a saved model (a JSON array of "KEY=VALUE" strings), or none.</summary>
    /// <exception cref="SafetensorsFormatException">The file is malformed, or env_args is not such an array.</exception>
    private static IReadOnlyDictionary<string, string> ModelEnvArgs(IReadOnlyDictionary<string, string> metadata, string modelPath)
    {
        if (!metadata.TryGetValue("env_args", out string? text)) return new Dictionary<string, string>();
        var pairs = new List<string>();
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
                throw new SafetensorsFormatException(modelPath, null, $"metadata env_args must be a JSON array of \"KEY=VALUE\" strings, found {document.RootElement.ValueKind}.");
            foreach (JsonElement pair in document.RootElement.EnumerateArray())
            {
                if (pair.ValueKind != JsonValueKind.String || pair.GetString() is not { } value || value.IndexOf('=') <= 0)
                    throw new SafetensorsFormatException(modelPath, null, $"metadata env_args entry {pairs.Count} is not a \"KEY=VALUE\" string.");
                pairs.Add(value);
            }
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(modelPath, null, "metadata env_args is not valid JSON.", e);
        }
        return EnvArgs.Parse(pairs).Values;
    }
}
