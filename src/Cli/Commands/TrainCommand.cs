using System.CommandLine;
using System.Globalization;
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
            ["sarsa"] = (s, args) => TabularSarsa.Train(new TabularTdConfig
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
    /// Without --algo: q-learning for envs with an explicit tabular model, ppo otherwise. A flag the chosen
    /// algorithm does not use is refused (<see cref="FlagUsers"/>), so nothing is silently ignored.
    /// </summary>
    public static Command Create()
    {
        var env = new Argument<string>("env") { Description = "Env id, e.g. CartPole-v1, ChainWalk-v0, FrozenLake-v1." };
        var envArg = new Option<string[]>("--env-arg") { Description = "Env option KEY=VALUE (repeatable): Gymnasium kwargs and wrappers (hide_velocity, frame_stack, frame_stack_actions, frame_stack_padding, normalize_obs, …).", HelpName = "KEY=VALUE" };
        var algo = new Option<string?>("--algo")
        {
            Description = $"Algorithm. Tabular: {string.Join(", ", Algorithms.Keys)}. Deep: {string.Join(", ", RlKernels.Algorithms.Deep.DeepAlgorithms.Names)}. Default: q-learning for tabular envs, ppo otherwise.",
        };
        var envs = new Option<int?>("--envs") { Description = "Env copies stepped together (default: 256 tabular, per algorithm deep); at most what fits in memory." };
        var steps = new Option<long?>("--steps") { Description = "Batched env steps (tabular, default 2000) or env-step budget (deep, default per algorithm)." };
        var lr = new Option<double[]>("--lr") { Description = "Learning rate (q-learning, sarsa: one, or one per table, default 0.1; deep: exactly one, default per algorithm).", AllowMultipleArgumentsPerToken = true };
        var seed = new Option<ulong?>("--seed") { Description = "Seed of the run (same seed, same result). Default 0 tabular, 1 deep." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text (a statistic without data, e.g. no finished episode, is null)." };
        // Tabular only.
        var tables = new Option<int>("--tables") { Description = "q-learning, sarsa: tables (population members); 1 = one shared table. Must divide --envs.", DefaultValueFactory = _ => 1 };
        var gamma = new Option<double[]>("--gamma") { Description = "Discount γ (q-learning, sarsa: one, or one per table; rmax and deep: exactly one). Default 0.99 tabular, per algorithm deep.", AllowMultipleArgumentsPerToken = true };
        var epsilon = new Option<double[]>("--epsilon") { Description = "q-learning, sarsa: ε of ε-greedy (one, or one per table). Default 0.1.", AllowMultipleArgumentsPerToken = true };
        var exploration = new Option<string>("--exploration") { Description = "q-learning, sarsa: epsilon-greedy or softmax.", DefaultValueFactory = _ => "epsilon-greedy" };
        var temperature = new Option<double>("--temperature") { Description = "q-learning, sarsa: softmax temperature.", DefaultValueFactory = _ => 1.0 };
        var known = new Option<int>("--known") { Description = "rmax: visits after which (s, a) is known (m).", DefaultValueFactory = _ => 5 };
        // Deep only.
        var backend = new Option<string>("--backend") { Description = $"Deep: backend ({BackendNames.List}). cpu backends step the envs there, the networks on the CPU; gpu and gpu-cpu (the GPU kernels on the CPU) run {string.Join(", ", RlKernels.Algorithms.Deep.DeepAlgorithms.DeviceNames)} wholly on the device (env, networks, update) for discrete actions on a plain env, and otherwise step the envs there with the networks on the CPU.", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int>("--threads") { Description = "Deep: CPU threads; 0 = all cores; at most 4 per core.", DefaultValueFactory = _ => 0 };
        var noStop = new Option<bool>("--no-stop") { Description = "Deep: train the whole budget even after the target return is reached." };
        var outDir = new Option<string?>("--out") { Description = "Deep: output folder (default runs/ENV-ALGO-sSEED). A folder that already holds a run is refused unless --force." };
        var force = new Option<bool>("--force") { Description = "Deep: overwrite the outputs of an earlier run in the --out folder." };
        string replayList = string.Join(", ", RlKernels.Algorithms.Deep.DeepAlgorithms.ReplayNames);
        var bufferSize = new Option<int?>("--buffer-size") { Description = $"Deep with a replay buffer ({replayList}): transitions it keeps (default per algorithm); at most what fits in memory." };
        var batchSize = new Option<int?>("--batch-size") { Description = $"Deep with a replay buffer ({replayList}): transitions per gradient step (default per algorithm); at most the buffer size." };
        // Deep: the per-member hyperparameters beyond lr and γ (MemberParam.All: --lambda, --ent-coef, --clip, --max-grad-norm, --tau,
        // --target-period), one flag each, refused for the algorithms that do not have it.
        var hyper = RlKernels.Algorithms.Deep.MemberParam.All.Except(RlKernels.Algorithms.Deep.MemberParam.Common).Select(p => (Param: p, Option: new Option<double?>(p.Flag)
        {
            Description = $"Deep ({string.Join(", ", RlKernels.Algorithms.Deep.DeepAlgorithms.NamesWith(p))}): {p.Description}, {p.Range} (default per algorithm).",
        })).ToArray();
        var command = new Command("train", "Train an agent on a batched env: a table (tabular algorithms) or networks (deep algorithms).")
        {
            env, envArg, algo, envs, steps, lr, seed, json, tables, gamma, epsilon, exploration, temperature, known, backend, threads, noStop, outDir, force,
            bufferSize, batchSize,
        };
        foreach (var (_, option) in hyper) command.Options.Add(option);
        string[] tdNames = ["q-learning", "sarsa"];
        string[] tabularNames = [.. Algorithms.Keys];
        string[] deepNames = [.. RlKernels.Algorithms.Deep.DeepAlgorithms.Names];
        string[] replayNames = [.. RlKernels.Algorithms.Deep.DeepAlgorithms.ReplayNames];
        // Flag → the algorithms that use it; flags not listed (env, --env-arg, --algo, --envs, --steps, --seed, --json) take every algorithm.
        (Option Option, string[] Algorithms)[] flagUsers =
        [
            (lr, [.. tdNames, .. deepNames]),
            (tables, tdNames), (epsilon, tdNames), (exploration, tdNames), (temperature, tdNames),
            (gamma, [.. tabularNames, .. deepNames]), (known, ["rmax"]),
            (backend, deepNames), (threads, deepNames), (noStop, deepNames), (outDir, deepNames), (force, deepNames),
            (bufferSize, replayNames), (batchSize, replayNames),
            .. hyper.Select(h => ((Option)h.Option, RlKernels.Algorithms.Deep.DeepAlgorithms.NamesWith(h.Param).ToArray())),
        ];
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output, error = parse.InvocationConfiguration.Error;
            string envId = parse.GetValue(env)!;
            string[] envArgs = parse.GetValue(envArg) ?? [];
            string algoName = parse.GetValue(algo) ?? DefaultAlgorithm(envId, envArgs);
            if (FlagUsers(parse, algoName, flagUsers) is { } refused)
            {
                error.WriteLine($"rlk train: {refused}");
                return ExitCodes.BadInput;
            }
            double[]? rates = parse.GetValue(lr) is { Length: > 0 } l ? l : null;
            if (DeepTrainCommand.IsDeepAlgo(algoName))
            {
                if (rates is { Length: > 1 })
                {
                    // The deep command trains one network; a population of learning rates is a library feature (RunSettings.Seeds and the configs' per-member rates).
                    error.WriteLine($"rlk train: --lr takes one value for deep algorithms ({algoName} trains one network), got {rates.Length}.");
                    return ExitCodes.BadInput;
                }
                double[]? gammas = parse.GetValue(gamma) is { Length: > 0 } dg ? dg : null;
                if (gammas is { Length: > 1 })
                {
                    error.WriteLine($"rlk train: --gamma takes one value for deep algorithms ({algoName} trains one network), got {gammas.Length}.");
                    return ExitCodes.BadInput;
                }
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
                    Gamma = gammas?[0],
                    Hyperparameters = hyper.Where(h => parse.GetValue(h.Option) is not null).ToDictionary(h => h.Param, h => parse.GetValue(h.Option)!.Value),
                    BufferSize = parse.GetValue(bufferSize),
                    BatchSize = parse.GetValue(batchSize),
                    Threads = parse.GetValue(threads),
                    NoStop = parse.GetValue(noStop),
                    OutDir = parse.GetValue(outDir),
                    Force = parse.GetValue(force),
                    Json = parse.GetValue(json),
                }, output, error);
            }
            long tabularSteps = parse.GetValue(steps) ?? 2_000;
            if (tabularSteps is < 1 or > int.MaxValue)
            {
                error.WriteLine($"rlk train: --steps must be between 1 and {int.MaxValue} for tabular algorithms, got {tabularSteps}.");
                return ExitCodes.BadInput;
            }
            return Run(new TrainSettings
            {
                Env = envId,
                EnvArgs = envArgs,
                Algo = algoName,
                Envs = parse.GetValue(envs) ?? 256,
                Tables = parse.GetValue(tables),
                Steps = (int)tabularSteps,
                LearningRates = rates ?? [0.1],
                Gammas = parse.GetValue(gamma) is { Length: > 0 } g ? g : [0.99],
                Epsilons = parse.GetValue(epsilon) is { Length: > 0 } e ? e : [0.1],
                Exploration = parse.GetValue(exploration) ?? "epsilon-greedy",
                Temperature = parse.GetValue(temperature),
                KnownThreshold = parse.GetValue(known),
                Seed = parse.GetValue(seed) ?? 0UL,
                Json = parse.GetValue(json),
            }, output, error);
        });
        return command;
    }

    /// <summary>
    /// The first flag given on the command line that <paramref name="algoName"/> does not use, as a message
    /// naming the flag and the algorithms that take it; null when every given flag applies. Unknown algorithm
    /// names pass here: the run reports them with the list of known ones.
    /// </summary>
    private static string? FlagUsers(ParseResult parse, string algoName, IEnumerable<(Option Option, string[] Algorithms)> flagUsers)
    {
        if (!Algorithms.ContainsKey(algoName) && !DeepTrainCommand.IsDeepAlgo(algoName)) return null;
        foreach (var (option, users) in flagUsers)
            if (parse.GetResult(option) is { Implicit: false } && !users.Contains(algoName))
                return $"{option.Name} does not apply to {algoName}; it is used by {string.Join(", ", users)}.";
        return null;
    }

    /// <summary>q-learning where the env has an explicit tabular model (ChainWalk, toy text), else the first deep algorithm of the registry (ppo).</summary>
    public static string DefaultAlgorithm(string envId, string[] envArgs)
    {
        try
        {
            return EnvRegistry.TryGet(envId, out var entry) && entry.TryGetTabularModel(EnvArgs.Parse(envArgs), out _)
                ? "q-learning"
                : RlKernels.Algorithms.Deep.DeepAlgorithms.Names[0];
        }
        catch (ArgumentException)
        {
            return RlKernels.Algorithms.Deep.DeepAlgorithms.Names[0]; // the run itself reports the bad argument
        }
    }

    /// <summary>
    /// Bounds of the tabular counts, checked before anything is allocated: --envs by the env's memory
    /// (<see cref="EnvRegistry.MaxEnvCount"/>), --tables between 1 and --envs and by the Q tables' memory
    /// (tables·S·A doubles), --known at least 1.
    /// </summary>
    private static void CheckCounts(TrainSettings settings, IReadOnlyDictionary<string, string> args)
    {
        EnvRegistry.Get(settings.Env);
        int maxEnvs = EnvRegistry.MaxEnvCount(settings.Env, args);
        if (settings.Envs < 1 || settings.Envs > maxEnvs)
            throw new ArgumentException($"--envs must be between 1 and {maxEnvs} (what fits in memory for {settings.Env}), got {settings.Envs}.");
        if (settings.Tables < 1 || settings.Tables > settings.Envs)
            throw new ArgumentException($"--tables must be between 1 and --envs ({settings.Envs}), got {settings.Tables}.");
        if (settings.KnownThreshold < 1)
            throw new ArgumentException($"--known must be at least 1, got {settings.KnownThreshold}.");
        if (EnvRegistry.Get(settings.Env).TryGetTabularModel(new EnvArgs(args), out var model))
        {
            long perTable = 8L * model.StateCount * model.ActionCount;
            long maxTables = Math.Min(MemoryBudget.UsableBytes, 8L * Array.MaxLength) / Math.Max(1, 2 * perTable);
            if (settings.Tables > maxTables)
                throw new ArgumentException($"--tables must be between 1 and {maxTables} for {settings.Env} (each table is {MemoryBudget.Format(perTable)}; what fits in memory), got {settings.Tables}.");
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
            CheckCounts(settings, args);
            result = runner(settings, args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            error.WriteLine($"rlk train: {CliErrors.Message(e)}");
            return ExitCodes.BadInput;
        }
        double? meanReturn = result.EpisodeCount > 0 ? CliJson.Finite(result.MeanEpisodeReturn) : null;
        if (settings.Json)
        {
            var tables = Enumerable.Range(0, result.TableCount).Select(m =>
            {
                var t = result.Table(m);
                return Enumerable.Range(0, result.StateCount).Select(s => t.AsSpan(s * result.ActionCount, result.ActionCount).ToArray()).ToArray();
            }).ToArray();
            output.WriteLine(CliJson.Serialize(new Dictionary<string, object?>
            {
                ["env"] = settings.Env, ["algo"] = result.Algorithm, ["steps"] = result.Steps, ["transitions"] = result.Transitions,
                ["episodes"] = result.EpisodeCount, ["mean_episode_return"] = meanReturn, ["Q"] = tables,
                ["policy"] = Enumerable.Range(0, result.TableCount).Select(result.GreedyPolicy).ToArray(),
            }));
            return ExitCodes.Ok;
        }
        output.WriteLine($"env: {settings.Env}  algo: {result.Algorithm}  envs: {settings.Envs}  tables: {result.TableCount}  " +
            $"steps: {result.Steps}  transitions: {result.Transitions}");
        output.WriteLine(meanReturn is { } mean
            ? $"episodes: {result.EpisodeCount}  mean episode return: {mean.ToString("0.###", CultureInfo.InvariantCulture)}"
            : $"episodes: {result.EpisodeCount}  mean episode return: none (no episode finished)");
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
        return ExitCodes.Ok;
    }
}
