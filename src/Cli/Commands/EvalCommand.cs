using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using RlKernels.Algorithms.Deep;
using RlKernels.Envs.Registry;
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

    /// <summary>Evaluates; returns 0, or 2 on bad input (unknown env, missing or mismatched model, episodes &lt; 1).</summary>
    public static int Run(string envId, string modelPath, int episodes, ulong seed, string backend, bool json, TextWriter output, TextWriter error)
    {
        double mean;
        try
        {
            if (episodes < 1) throw new ArgumentException($"--episodes must be at least 1 (got {episodes}).");
            if (!EnvRegistry.TryGet(envId, out _))
                throw new ArgumentException($"Unknown env '{envId}'. Known envs: {string.Join(", ", EnvRegistry.Ids)}.");
            if (!File.Exists(modelPath)) throw new ArgumentException($"Model file '{modelPath}' does not exist.");
            // The env options the model was trained with (wrappers change the observation), from its metadata.
            IReadOnlyDictionary<string, string> envArgs = ModelEnvArgs(modelPath);
            using var probe = EnvRegistry.Make(envId, 1, envArgs: envArgs);
            var policy = PolicyNet.Load(modelPath, probe.Spec);
            mean = Evaluation.MeanReturns(policy, episodes, seed, BackendNames.Parse(backend), envArgs)[0];
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or KeyNotFoundException or JsonException)
        {
            error.WriteLine($"rlk: {CliErrors.Message(e)}");
            return ExitCodes.BadInput;
        }
        if (json)
            output.WriteLine(JsonSerializer.Serialize(new { env = envId, model = modelPath, episodes, mean_return = Math.Round(mean, 3) }));
        else
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{envId}: mean return {mean:F2} over {episodes} episodes ({modelPath})"));
        return 0;
    }

    /// <summary>The "env_args" metadata of a saved model (a JSON array of KEY=VALUE), or none.</summary>
    private static IReadOnlyDictionary<string, string> ModelEnvArgs(string modelPath)
    {
        var (_, metadata) = Safetensors.Load(modelPath);
        if (!metadata.TryGetValue("env_args", out string? json)) return new Dictionary<string, string>();
        string[] pairs = JsonSerializer.Deserialize<string[]>(json) ?? [];
        return EnvArgs.Parse(pairs).Values;
    }
}
