using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using RlKernels.Algorithms.Tabular;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Tabular;

namespace RlKernels.Cli.Commands;

/// <summary>What <c>rlk solve</c> solves and how.</summary>
public sealed record SolveSettings
{
    /// <summary>Env id with a tabular model (or null when <see cref="Model"/> is given).</summary>
    public string? Env { get; init; }
    /// <summary>KEY=VALUE env options.</summary>
    public IReadOnlyList<string> EnvArgs { get; init; } = [];
    /// <summary>A P-table CSV (JSON sidecar optional) instead of an env.</summary>
    public string? Model { get; init; }
    public double Gamma { get; init; } = 0.99;
    /// <summary>q-iteration, value-iteration or policy-iteration.</summary>
    public string Algo { get; init; } = "q-iteration";
    /// <summary>"uniform": evaluate the uniform policy (Q^π) instead of solving for Q*.</summary>
    public string? Policy { get; init; }
    /// <summary>double or float.</summary>
    public string Precision { get; init; } = "double";
    public double Tolerance { get; init; } = 1e-10;
    public int MaxIterations { get; init; } = 100_000;
    public bool Json { get; init; }
}

/// <summary>
/// <c>rlk solve</c>: Q*, V* and the greedy policy of a tabular model (an env's or a P-table CSV), by
/// Q-iteration, value iteration or policy iteration; or Q^π of the uniform policy.
/// </summary>
public static class SolveCommand
{
    public static Command Create()
    {
        var env = new Option<string>("--env") { Description = $"Env id with a tabular model: {string.Join(", ", TabularModels.Ids)}.", HelpName = "ID" };
        var envArg = new Option<string[]>("--env-arg") { Description = "Env option KEY=VALUE (repeatable), e.g. map_name=8x8.", HelpName = "KEY=VALUE" };
        var model = new Option<string>("--model") { Description = "P-table CSV (state,action,prob,next_state,reward,terminated); MODEL.json beside it is optional.", HelpName = "FILE" };
        var gamma = new Option<double>("--gamma") { Description = "Discount in [0, 1].", DefaultValueFactory = _ => 0.99 };
        var algo = new Option<string>("--algo") { Description = "q-iteration, value-iteration or policy-iteration.", DefaultValueFactory = _ => "q-iteration" };
        var policy = new Option<string>("--policy") { Description = "Evaluate this policy (Q^π) instead of solving for Q*: uniform.", HelpName = "NAME" };
        var precision = new Option<string>("--precision") { Description = "double (default) or float.", DefaultValueFactory = _ => "double" };
        var tolerance = new Option<double>("--tol") { Description = "Stop when the max-norm change of a sweep is at most this.", DefaultValueFactory = _ => 1e-10 };
        var maxIterations = new Option<int>("--max-iterations") { Description = "Sweep cap (reaching it = not converged).", DefaultValueFactory = _ => 100_000 };
        var json = new Option<bool>("--json") { Description = "Print {env, gamma, algo, iterations, residual, V, Q, policy} as JSON." };
        var command = new Command("solve", "Solve a tabular MDP: Q*, V* and the greedy policy (or Q^π of a policy).")
        {
            env, envArg, model, gamma, algo, policy, precision, tolerance, maxIterations, json,
        };
        command.SetAction(parse => Run(new SolveSettings
        {
            Env = parse.GetValue(env),
            EnvArgs = parse.GetValue(envArg) ?? [],
            Model = parse.GetValue(model),
            Gamma = parse.GetValue(gamma),
            Algo = parse.GetValue(algo) ?? "q-iteration",
            Policy = parse.GetValue(policy),
            Precision = parse.GetValue(precision) ?? "double",
            Tolerance = parse.GetValue(tolerance),
            MaxIterations = parse.GetValue(maxIterations),
            Json = parse.GetValue(json),
        }, Console.Out, Console.Error));
        return command;
    }

    /// <summary>Solves and prints. Returns 0, or <see cref="ExitCodes.BadInput"/> after a message on <paramref name="error"/>.</summary>
    public static int Run(SolveSettings settings, TextWriter output, TextWriter error)
    {
        // CHECK INPUT and build the model: nothing is solved on half-checked data.
        TabularMdp mdp;
        string name;
        IReadOnlyDictionary<string, string> envArgs;
        try
        {
            if ((settings.Env is null) == (settings.Model is null))
                throw new ArgumentException("Give exactly one of --env ID or --model FILE.");
            Bellman.CheckGamma(settings.Gamma, "--gamma");
            if (settings.Algo is not ("q-iteration" or "value-iteration" or "policy-iteration"))
                throw new ArgumentException($"Unknown --algo '{settings.Algo}'; known: q-iteration, value-iteration, policy-iteration.");
            if (settings.Precision is not ("double" or "float"))
                throw new ArgumentException($"Unknown --precision '{settings.Precision}'; known: double, float.");
            if (settings.Policy is not null and not "uniform")
                throw new ArgumentException($"Unknown --policy '{settings.Policy}'; known: uniform.");
            if (settings.Policy is not null && settings.Algo == "policy-iteration")
                throw new ArgumentException("--policy evaluates a fixed policy; it does not combine with --algo policy-iteration.");
            if (settings.Precision == "float" && (settings.Algo == "policy-iteration" || settings.Policy is not null))
                throw new ArgumentException("--precision float is available for Q* by q-iteration or value-iteration.");
            if (!(settings.Tolerance >= 0)) throw new ArgumentException($"--tol must be ≥ 0, got {settings.Tolerance}.");
            if (settings.MaxIterations < 1) throw new ArgumentException($"--max-iterations must be ≥ 1, got {settings.MaxIterations}.");
            envArgs = Envs.Registry.EnvArgs.Parse(settings.EnvArgs).Values;
            if (settings.Model is not null)
            {
                if (settings.EnvArgs.Count > 0) throw new ArgumentException("--env-arg applies to --env, not to --model.");
                mdp = LoadModel(settings.Model);
                name = Path.GetFileName(settings.Model);
            }
            else
            {
                mdp = TabularModels.FromEnvId(settings.Env!, envArgs);
                name = settings.Env!;
            }
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or JsonException or FormatException)
        {
            error.WriteLine($"rlk solve: {CliErrors.Message(e)}");
            return ExitCodes.BadInput;
        }

        // SOLVE
        TabularSolution solution;
        string algo = settings.Algo;
        if (settings.Policy is not null)
        {
            solution = QIteration.Solve(mdp, new QIterationConfig
            {
                Gamma = settings.Gamma, Tolerance = settings.Tolerance, MaxIterations = settings.MaxIterations,
                Policy = Bellman.UniformPolicy(mdp.StateCount, mdp.ActionCount),
            });
            algo = "q-iteration (uniform policy)";
        }
        else if (settings.Precision == "float")
            solution = BatchedQIteration.SolveGammas(mdp, [settings.Gamma], new BatchedQIterationConfig
            {
                Precision = TabularPrecision.Float, Tolerance = settings.Tolerance, MaxIterations = settings.MaxIterations,
            }).Member(0, algo);
        else
            solution = algo switch
            {
                "value-iteration" => ValueIteration.Solve(mdp, new ValueIterationConfig { Gamma = settings.Gamma, Tolerance = settings.Tolerance, MaxIterations = settings.MaxIterations }),
                "policy-iteration" => PolicyIteration.Solve(mdp, new PolicyIterationConfig { Gamma = settings.Gamma, Tolerance = settings.Tolerance, MaxEvaluationIterations = settings.MaxIterations }),
                _ => QIteration.Solve(mdp, new QIterationConfig { Gamma = settings.Gamma, Tolerance = settings.Tolerance, MaxIterations = settings.MaxIterations }),
            };
        // A solve whose values left the finite range diverged: the values are printed (null in JSON) and the
        // exit code says so. One that merely hit the cap is reported and exits 0.
        bool diverged = solution.Q.Any(q => !double.IsFinite(q)) || solution.V.Any(v => !double.IsFinite(v));
        if (diverged)
            error.WriteLine($"rlk solve: diverged after {solution.Iterations} iterations: some values are not finite (γ = 1 with a policy that never terminates has no finite values).");
        else if (!solution.Converged)
            error.WriteLine($"rlk solve: warning: not converged after {solution.Iterations} iterations (residual {Show(solution.Residual)}); " +
                "γ = 1 with a policy that never terminates has no finite values.");

        // REPORT
        if (settings.Json) WriteJson(output, name, settings.Gamma, algo, solution);
        else WriteText(output, name, settings.Gamma, algo, solution, mdp, settings.Env, envArgs);
        return diverged ? ExitCodes.RuntimeFailure : ExitCodes.Ok;
    }

    /// <summary>
    /// MODEL.csv with MODEL.json when it exists; without one, S and A are inferred from the rows (and checked
    /// against the memory estimate before anything is allocated by them) and episodes start in state 0.
    /// </summary>
    private static TabularMdp LoadModel(string path)
    {
        if (Directory.Exists(path)) throw new ArgumentException($"Model file '{path}' is a folder, not a file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"No such model file: {path}.");
        string sidecar = Path.ChangeExtension(path, ".json");
        if (File.Exists(sidecar)) return TabularMdp.LoadCsv(path, sidecar);
        long stateCount = 0, actionCount = 0;
        foreach (string line in File.ReadLines(path).Skip(1))
        {
            string[] f = line.Split(',');
            if (f.Length != 6) continue;  // ReadCsv reports it with its line number
            // Negative or non-integer fields are left to ReadCsv, which names their line.
            if (long.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out long s)) stateCount = Math.Max(stateCount, s + 1);
            if (long.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out long n)) stateCount = Math.Max(stateCount, n + 1);
            if (long.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out long a)) actionCount = Math.Max(actionCount, a + 1);
        }
        if (stateCount < 1 || actionCount < 1) throw new ArgumentException($"{path}: no transitions found.");
        TabularMdp.CheckSize(stateCount, actionCount, $"{path} (no {Path.GetFileName(sidecar)}: sizes from the largest state and action)");
        using var reader = new StreamReader(path);
        return TabularMdp.ReadCsv(reader, (int)stateCount, (int)actionCount, TabularMdp.OneHot((int)stateCount, 0), null, path);
    }

    private static void WriteJson(TextWriter output, string name, double gamma, string algo, TabularSolution solution)
    {
        using var stream = new MemoryStream();
        using (var j = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
        {
            j.WriteStartObject();
            j.WriteString("env", name);
            j.WriteNumber("gamma", gamma);
            j.WriteString("algo", algo);
            j.WriteNumber("iterations", solution.Iterations);
            WriteNumber(j, "residual", solution.Residual);
            j.WriteStartArray("V");
            foreach (double v in solution.V) WriteValue(j, v);
            j.WriteEndArray();
            j.WriteStartArray("Q");
            for (int s = 0; s < solution.StateCount; s++)
            {
                j.WriteStartArray();
                for (int a = 0; a < solution.ActionCount; a++) WriteValue(j, solution.QValue(s, a));
                j.WriteEndArray();
            }
            j.WriteEndArray();
            j.WriteStartArray("policy");
            foreach (int a in solution.Policy) j.WriteNumberValue(a);
            j.WriteEndArray();
            j.WriteEndObject();
        }
        output.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    // JSON has no infinity or NaN: those (a diverged solve) are written as null.
    private static void WriteValue(Utf8JsonWriter j, double x)
    {
        if (double.IsFinite(x)) j.WriteNumberValue(x + 0.0);
        else j.WriteNullValue();
    }

    private static void WriteNumber(Utf8JsonWriter j, string key, double x)
    {
        if (double.IsFinite(x)) j.WriteNumber(key, x);
        else j.WriteNull(key);
    }

    private static string Show(double x) => double.IsFinite(x) ? (Math.Round(x, 6) + 0.0).ToString("0.######", CultureInfo.InvariantCulture) : x.ToString(CultureInfo.InvariantCulture);

    private static void WriteText(TextWriter output, string name, double gamma, string algo, TabularSolution solution, TabularMdp mdp,
        string? envId, IReadOnlyDictionary<string, string> envArgs)
    {
        output.WriteLine($"env: {name}  states: {mdp.StateCount}  actions: {mdp.ActionCount}");
        output.WriteLine($"gamma: {gamma.ToString("R", CultureInfo.InvariantCulture)}  algo: {algo}");
        output.WriteLine($"iterations: {solution.Iterations}  residual: {solution.Residual.ToString("G6", CultureInfo.InvariantCulture)}  converged: {(solution.Converged ? "yes" : "no")}");
        output.WriteLine();
        var names = mdp.ActionNames ?? Enumerable.Range(0, mdp.ActionCount).Select(a => $"a{a}").ToList();
        var header = new List<string> { "state" };
        header.AddRange(names.Select(n => $"Q {n}"));
        header.Add("V");
        header.Add("policy");
        var rows = new List<string[]>();
        for (int s = 0; s < mdp.StateCount; s++)
        {
            var row = new List<string> { s.ToString(CultureInfo.InvariantCulture) };
            for (int a = 0; a < mdp.ActionCount; a++) row.Add(Show(solution.QValue(s, a)));
            row.Add(Show(solution.V[s]));
            row.Add(names[solution.Policy[s]]);
            rows.Add(row.ToArray());
        }
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        output.WriteLine(string.Join("  ", header.Select((h, i) => h.PadLeft(widths[i]))));
        foreach (var r in rows) output.WriteLine(string.Join("  ", r.Select((c, i) => c.PadLeft(widths[i]))));
        var grid = envId is null ? null : Grid(envId, envArgs, solution.Policy);
        if (grid is not null)
        {
            output.WriteLine();
            output.WriteLine("greedy policy:");
            foreach (string line in grid) output.WriteLine("  " + line);
        }
    }

    /// <summary>The policy as arrows on the map of a grid world; null for other envs.</summary>
    private static List<string>? Grid(string envId, IReadOnlyDictionary<string, string> envArgs, int[] policy)
    {
        switch (envId)
        {
            case "FrozenLake-v1":
            case "FrozenLake8x8-v1":
            {
                string[] map = envArgs.TryGetValue("desc", out string? desc)
                    ? desc.Split(',', StringSplitOptions.TrimEntries)
                    : FrozenLake.Maps[envArgs.GetValueOrDefault("map_name") ?? (envId == "FrozenLake-v1" ? "4x4" : "8x8")];
                string arrows = "←↓→↑";  // LEFT, DOWN, RIGHT, UP
                return map.Select((row, r) => string.Concat(row.Select((c, col) =>
                    c is 'H' or 'G' ? c : arrows[policy[r * row.Length + col]]))).ToList();
            }
            case "CliffWalking-v1":
            case "CliffWalkingSlippery-v1":
            {
                string arrows = "↑→↓←";  // UP, RIGHT, DOWN, LEFT
                var lines = new List<string>();
                for (int r = 0; r < CliffWalking.Rows; r++)
                    lines.Add(string.Concat(Enumerable.Range(0, CliffWalking.Cols).Select(c =>
                    {
                        int s = r * CliffWalking.Cols + c;
                        return s == CliffWalking.GoalState ? 'G' : s > CliffWalking.StartState && s < CliffWalking.GoalState ? 'C' : arrows[policy[s]];
                    })));
                return lines;
            }
            case "ChainWalk-v0":
                return [string.Concat(policy.Select((a, s) => s == policy.Length - 1 ? 'T' : "←→"[a]))];
            default:
                return null;
        }
    }
}
