using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using RlKernels.Algorithms.Tabular;
using RlKernels.Envs.Registry;

namespace RlKernels.Cli.Commands;

/// <summary>What <c>rlk train</c> trains. Tabular algorithms read the tabular knobs; others may add their own.</summary>
public sealed record TrainSettings
{
    public required string Env { get; init; }
    public IReadOnlyList<string> EnvArgs { get; init; } = [];
    public string Algo { get; init; } = "q-learning";
    public int Envs { get; init; } = 256;
    /// <summary>Tables (population size); 1 = shared by every env.</summary>
    public int Tables { get; init; } = 1;
    public int Steps { get; init; } = 2_000;
    public IReadOnlyList<double> LearningRates { get; init; } = [0.1];
    public IReadOnlyList<double> Gammas { get; init; } = [0.99];
    public IReadOnlyList<double> Epsilons { get; init; } = [0.1];
    public string Exploration { get; init; } = "epsilon-greedy";
    public double Temperature { get; init; } = 1.0;
    /// <summary>R-max: visits after which a pair is known.</summary>
    public int KnownThreshold { get; init; } = 5;
    public ulong Seed { get; init; }
    public bool Json { get; init; }
}

/// <summary>
/// <c>rlk train ENV --algo NAME</c>: trains and prints the result. Algorithms are looked up in
/// <see cref="Algorithms"/>, name → runner; the tabular ones (q-learning, sarsa, rmax) learn a table
/// over the env's state index. To add an algorithm family, add its runners there (and its options in
/// <see cref="Create"/>).
/// </summary>
public static class TrainCommand
{
    /// <summary>Algorithm name → a runner that trains and returns the learned tables.</summary>
    public static readonly IReadOnlyDictionary<string, Func<TrainSettings, Dictionary<string, string>, TabularLearnResult>> Algorithms =
        new Dictionary<string, Func<TrainSettings, Dictionary<string, string>, TabularLearnResult>>
        {
            ["q-learning"] = (s, args) => QLearning.Train(new TabularTdConfig
            {
                EnvId = s.Env, EnvArgs = args, EnvCount = s.Envs, TableCount = s.Tables, Steps = s.Steps,
                LearningRates = s.LearningRates, Gammas = s.Gammas, Epsilons = s.Epsilons,
                Exploration = ParseExploration(s.Exploration), Temperature = s.Temperature,
            }, s.Seed),
            ["sarsa"] = (s, args) => Sarsa.Train(new TabularTdConfig
            {
                EnvId = s.Env, EnvArgs = args, EnvCount = s.Envs, TableCount = s.Tables, Steps = s.Steps,
                LearningRates = s.LearningRates, Gammas = s.Gammas, Epsilons = s.Epsilons,
                Exploration = ParseExploration(s.Exploration), Temperature = s.Temperature,
            }, s.Seed),
            ["rmax"] = (s, args) => s.Tables != 1 || s.Gammas.Count != 1
                ? throw new ArgumentException("rmax learns one shared model: --tables 1 and one --gamma.")
                : RMax.Train(new RMaxConfig
                {
                    EnvId = s.Env, EnvArgs = args, EnvCount = s.Envs, Steps = s.Steps, Gamma = s.Gammas[0], KnownThreshold = s.KnownThreshold,
                }, s.Seed),
        };

    private static Exploration ParseExploration(string name) => name switch
    {
        "epsilon-greedy" => Exploration.EpsilonGreedy,
        "softmax" => Exploration.Softmax,
        _ => throw new ArgumentException($"Unknown --exploration '{name}'; known: epsilon-greedy, softmax."),
    };

    /// <summary>
    /// <c>rlk train ENV [--algo NAME]</c>: tabular algorithms (<see cref="Algorithms"/>) learn a table and
    /// print it; deep ones (<see cref="DeepTrainCommand"/>) train networks, write the curve and the model.
    /// Without --algo: q-learning for envs with an explicit tabular model, ppo otherwise.
    /// </summary>
    public static Command Create()
    {
        var env = new Argument<string>("env") { Description = "Env id, e.g. CartPole-v1, ChainWalk-v0, FrozenLake-v1." };
        var envArg = new Option<string[]>("--env-arg") { Description = "Env option KEY=VALUE (repeatable): Gymnasium kwargs and wrappers (hide_velocity, frame_stack, frame_stack_actions, frame_stack_padding, normalize_obs, …).", HelpName = "KEY=VALUE" };
        var algo = new Option<string?>("--algo")
        {
            Description = $"Algorithm. Tabular: {string.Join(", ", Algorithms.Keys)}. Deep: {string.Join(", ", RlKernels.Algorithms.Deep.DeepAlgorithms.Names)}. Default: q-learning for tabular envs, ppo otherwise.",
        };
        var envs = new Option<int?>("--envs") { Description = "Env copies stepped together (default: 256 tabular, per algorithm deep)." };
        var steps = new Option<long?>("--steps") { Description = "Batched env steps (tabular, default 2000) or env-step budget (deep, default per algorithm)." };
        var lr = new Option<double[]>("--lr") { Description = "Learning rate (tabular: one, or one per table, default 0.1; deep: one, default per algorithm).", AllowMultipleArgumentsPerToken = true };
        var seed = new Option<ulong?>("--seed") { Description = "Seed of the run (same seed, same result). Default 0 tabular, 1 deep." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        // Tabular only.
        var tables = new Option<int>("--tables") { Description = "Tabular: tables (population members); 1 = one shared table. Must divide --envs.", DefaultValueFactory = _ => 1 };
        var gamma = new Option<double[]>("--gamma") { Description = "Tabular: discount (one, or one per table). Default 0.99.", AllowMultipleArgumentsPerToken = true };
        var epsilon = new Option<double[]>("--epsilon") { Description = "Tabular: ε of ε-greedy (one, or one per table). Default 0.1.", AllowMultipleArgumentsPerToken = true };
        var exploration = new Option<string>("--exploration") { Description = "Tabular: epsilon-greedy or softmax.", DefaultValueFactory = _ => "epsilon-greedy" };
        var temperature = new Option<double>("--temperature") { Description = "Tabular: softmax temperature.", DefaultValueFactory = _ => 1.0 };
        var known = new Option<int>("--known") { Description = "R-max: visits after which (s, a) is known (m).", DefaultValueFactory = _ => 5 };
        // Deep only.
        var backend = new Option<string>("--backend") { Description = $"Deep: env backend ({BackendNames.List}); the networks run on the CPU.", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int>("--threads") { Description = "Deep: CPU threads; 0 = all cores.", DefaultValueFactory = _ => 0 };
        var noStop = new Option<bool>("--no-stop") { Description = "Deep: train the whole budget even after the target return is reached." };
        var outDir = new Option<string?>("--out") { Description = "Deep: output folder (default runs/ENV-ALGO-sSEED)." };
        var command = new Command("train", "Train an agent on a batched env: a table (tabular algorithms) or networks (deep algorithms).")
        {
            env, envArg, algo, envs, steps, lr, seed, json, tables, gamma, epsilon, exploration, temperature, known, backend, threads, noStop, outDir,
        };
        command.SetAction(parse =>
        {
            string envId = parse.GetValue(env)!;
            string[] envArgs = parse.GetValue(envArg) ?? [];
            string algoName = parse.GetValue(algo) ?? DefaultAlgorithm(envId, envArgs);
            double[]? rates = parse.GetValue(lr) is { Length: > 0 } l ? l : null;
            if (DeepTrainCommand.IsDeepAlgo(algoName))
            {
                return DeepTrainCommand.Run(new DeepTrainSettings
                {
                    Env = envId,
                    EnvArgs = envArgs,
                    Algo = algoName,
                    Seed = parse.GetValue(seed) ?? 1UL,
                    Backend = parse.GetValue(backend)!,
                    Envs = parse.GetValue(envs),
                    Steps = parse.GetValue(steps),
                    LearningRate = rates is null ? null : (float)rates[0],
                    Threads = parse.GetValue(threads),
                    NoStop = parse.GetValue(noStop),
                    OutDir = parse.GetValue(outDir),
                    Json = parse.GetValue(json),
                }, Console.Out, Console.Error);
            }
            long tabularSteps = parse.GetValue(steps) ?? 2_000;
            return Run(new TrainSettings
            {
                Env = envId,
                EnvArgs = envArgs,
                Algo = algoName,
                Envs = parse.GetValue(envs) ?? 256,
                Tables = parse.GetValue(tables),
                Steps = tabularSteps > int.MaxValue ? int.MaxValue : (int)tabularSteps,
                LearningRates = rates ?? [0.1],
                Gammas = parse.GetValue(gamma) is { Length: > 0 } g ? g : [0.99],
                Epsilons = parse.GetValue(epsilon) is { Length: > 0 } e ? e : [0.1],
                Exploration = parse.GetValue(exploration) ?? "epsilon-greedy",
                Temperature = parse.GetValue(temperature),
                KnownThreshold = parse.GetValue(known),
                Seed = parse.GetValue(seed) ?? 0UL,
                Json = parse.GetValue(json),
            }, Console.Out, Console.Error);
        });
        return command;
    }

    /// <summary>q-learning where the env has an explicit tabular model (ChainWalk, toy text), ppo otherwise.</summary>
    public static string DefaultAlgorithm(string envId, string[] envArgs)
    {
        try
        {
            return EnvRegistry.TryGet(envId, out var entry) && entry.TryGetTabularModel(EnvArgs.Parse(envArgs), out _)
                ? "q-learning"
                : "ppo";
        }
        catch (ArgumentException)
        {
            return "ppo"; // the run itself reports the bad argument
        }
    }

    /// <summary>Trains and prints. Returns 0, or <see cref="ExitCodes.BadInput"/> after a message on <paramref name="error"/>.</summary>
    public static int Run(TrainSettings settings, TextWriter output, TextWriter error)
    {
        TabularLearnResult result;
        try
        {
            if (!Algorithms.TryGetValue(settings.Algo, out var runner))
                throw new ArgumentException($"Unknown --algo '{settings.Algo}'; known: {string.Join(", ", Algorithms.Keys.Concat(RlKernels.Algorithms.Deep.DeepAlgorithms.Names))}.");
            var args = new Dictionary<string, string>(Envs.Registry.EnvArgs.Parse(settings.EnvArgs).Values);
            result = runner(settings, args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            error.WriteLine($"rlk train: {CliErrors.Message(e)}");
            return ExitCodes.BadInput;
        }
        if (settings.Json)
        {
            var tables = Enumerable.Range(0, result.TableCount).Select(m =>
            {
                var t = result.Table(m);
                return Enumerable.Range(0, result.StateCount).Select(s => t.AsSpan(s * result.ActionCount, result.ActionCount).ToArray()).ToArray();
            }).ToArray();
            output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["env"] = settings.Env, ["algo"] = result.Algorithm, ["steps"] = result.Steps, ["transitions"] = result.Transitions,
                ["episodes"] = result.EpisodeCount, ["Q"] = tables,
                ["policy"] = Enumerable.Range(0, result.TableCount).Select(result.GreedyPolicy).ToArray(),
            }));
            return 0;
        }
        output.WriteLine($"env: {settings.Env}  algo: {result.Algorithm}  envs: {settings.Envs}  tables: {result.TableCount}  " +
            $"steps: {result.Steps}  transitions: {result.Transitions}");
        output.WriteLine($"episodes: {result.EpisodeCount}  mean episode return: {result.MeanEpisodeReturn.ToString("0.###", CultureInfo.InvariantCulture)}");
        for (int m = 0; m < Math.Min(result.TableCount, 4); m++)
        {
            var q = result.Table(m);
            var policy = result.GreedyPolicy(m);
            output.WriteLine();
            output.WriteLine(result.TableCount > 1 ? $"table {m}:" : "table:");
            output.WriteLine("state  " + string.Join("  ", Enumerable.Range(0, result.ActionCount).Select(a => $"Q a{a}".PadLeft(10))) + "  greedy");
            for (int s = 0; s < result.StateCount; s++)
                output.WriteLine(s.ToString(CultureInfo.InvariantCulture).PadLeft(5) + "  " +
                    string.Join("  ", Enumerable.Range(0, result.ActionCount).Select(a => (Math.Round(q[s * result.ActionCount + a], 3) + 0.0).ToString("0.000", CultureInfo.InvariantCulture).PadLeft(10))) +
                    "  " + policy[s].ToString(CultureInfo.InvariantCulture).PadLeft(6));
        }
        if (result.TableCount > 4) output.WriteLine($"({result.TableCount - 4} more tables: use --json)");
        return 0;
    }
}
