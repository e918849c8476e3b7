using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using RlKernels.Algorithms.Tabular;

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
            ["q-learning"] = (s, args) => QLearning.Train(new QLearningConfig
            {
                EnvId = s.Env, EnvArgs = args, EnvCount = s.Envs, TableCount = s.Tables, Steps = s.Steps,
                LearningRates = s.LearningRates, Gammas = s.Gammas, Epsilons = s.Epsilons,
                Exploration = ParseExploration(s.Exploration), Temperature = s.Temperature,
            }, s.Seed),
            ["sarsa"] = (s, args) => Sarsa.Train(new SarsaConfig
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

    public static Command Create()
    {
        var env = new Argument<string>("env") { Description = "Env id, e.g. ChainWalk-v0, FrozenLake-v1." };
        var envArg = new Option<string[]>("--env-arg") { Description = "Env option KEY=VALUE (repeatable).", HelpName = "KEY=VALUE" };
        var algo = new Option<string>("--algo") { Description = $"Algorithm: {string.Join(", ", Algorithms.Keys)}.", DefaultValueFactory = _ => "q-learning" };
        var envs = new Option<int>("--envs") { Description = "Env copies stepped together.", DefaultValueFactory = _ => 256 };
        var tables = new Option<int>("--tables") { Description = "Tables (population members); 1 = one shared table. Must divide --envs.", DefaultValueFactory = _ => 1 };
        var steps = new Option<int>("--steps") { Description = "Batched env steps.", DefaultValueFactory = _ => 2_000 };
        var lr = new Option<double[]>("--lr") { Description = "Learning rate (one, or one per table). Default 0.1.", AllowMultipleArgumentsPerToken = true };
        var gamma = new Option<double[]>("--gamma") { Description = "Discount (one, or one per table). Default 0.99.", AllowMultipleArgumentsPerToken = true };
        var epsilon = new Option<double[]>("--epsilon") { Description = "ε of ε-greedy (one, or one per table). Default 0.1.", AllowMultipleArgumentsPerToken = true };
        var exploration = new Option<string>("--exploration") { Description = "epsilon-greedy or softmax.", DefaultValueFactory = _ => "epsilon-greedy" };
        var temperature = new Option<double>("--temperature") { Description = "Softmax temperature.", DefaultValueFactory = _ => 1.0 };
        var known = new Option<int>("--known") { Description = "R-max: visits after which (s, a) is known (m).", DefaultValueFactory = _ => 5 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the run (same seed, same result).", DefaultValueFactory = _ => 0UL };
        var json = new Option<bool>("--json") { Description = "Print the learned tables as JSON." };
        var command = new Command("train", "Train an agent on a batched env and print what it learned.")
        {
            env, envArg, algo, envs, tables, steps, lr, gamma, epsilon, exploration, temperature, known, seed, json,
        };
        command.SetAction(parse => Run(new TrainSettings
        {
            Env = parse.GetValue(env)!,
            EnvArgs = parse.GetValue(envArg) ?? [],
            Algo = parse.GetValue(algo) ?? "q-learning",
            Envs = parse.GetValue(envs),
            Tables = parse.GetValue(tables),
            Steps = parse.GetValue(steps),
            LearningRates = parse.GetValue(lr) is { Length: > 0 } l ? l : [0.1],
            Gammas = parse.GetValue(gamma) is { Length: > 0 } g ? g : [0.99],
            Epsilons = parse.GetValue(epsilon) is { Length: > 0 } e ? e : [0.1],
            Exploration = parse.GetValue(exploration) ?? "epsilon-greedy",
            Temperature = parse.GetValue(temperature),
            KnownThreshold = parse.GetValue(known),
            Seed = parse.GetValue(seed),
            Json = parse.GetValue(json),
        }, Console.Out, Console.Error));
        return command;
    }

    /// <summary>Trains and prints. Returns 0, or <see cref="Program.ExitBadInput"/> after a message on <paramref name="error"/>.</summary>
    public static int Run(TrainSettings settings, TextWriter output, TextWriter error)
    {
        TabularLearnResult result;
        try
        {
            if (!Algorithms.TryGetValue(settings.Algo, out var runner))
                throw new ArgumentException($"Unknown --algo '{settings.Algo}'; known: {string.Join(", ", Algorithms.Keys)}.");
            var args = new Dictionary<string, string>(Envs.Registry.EnvArgs.Parse(settings.EnvArgs).Values);
            result = runner(settings, args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            error.WriteLine($"rlk train: {CliErrors.Message(e)}");
            return Program.ExitBadInput;
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
