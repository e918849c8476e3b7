using System.Globalization;
using System.Text.Json;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Tabular;

namespace RlKernels.Envs.Conformance;

/// <summary>
/// Checks our tabular models against Gymnasium's exact P tables (format:
/// data/reference/gymnasium-toytext/README.md): MODEL.csv with the header
/// <see cref="TabularMdp.CsvHeader"/> and MODEL.json beside it. The model is built through the registry
/// from the sidecar's <c>env_id</c> and <c>make_kwargs</c>, then compared entry for entry, exactly:
/// state and action counts, per (s, a) the outcome list in order (probability, next state, reward,
/// terminated), and the initial state distribution.
/// </summary>
public static class TabularConformanceChecker
{
    /// <summary>How many mismatches a result lists (all are counted).</summary>
    public const int ListedMismatches = 5;

    /// <summary>
    /// Reference models that are not Gymnasium envs (<c>env_id</c> null in the sidecar), by the sidecar's
    /// <c>model</c> name, and the registered env with the same dynamics.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> KnownModels = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // The 5-state chain of the lecture "Scaling up RL" (README "chain5"): our ChainWalk-v0.
        ["chain5"] = "ChainWalk-v0",
    };

    /// <summary>True if the file's first line is the P-table header <see cref="TabularMdp.CsvHeader"/>.</summary>
    public static bool IsPTable(string csvPath)
    {
        using var reader = new StreamReader(csvPath);
        string? header = reader.ReadLine();
        return header is not null && header.TrimEnd('\r') == TabularMdp.CsvHeader;
    }

    /// <summary>Checks one P-table file (its sidecar is the same path with ".json").</summary>
    public static TabularConformanceResult CheckFile(string csvPath)
    {
        string file = Path.GetFileName(csvPath);
        string jsonPath = Path.ChangeExtension(csvPath, ".json");
        string fallbackId = ReferenceCsv.EnvIdFromFileName(csvPath);
        if (!File.Exists(jsonPath))
            return TabularConformanceResult.NotRun(file, fallbackId, "", ConformanceStatus.Error,
                $"no sidecar {Path.GetFileName(jsonPath)}: a P table needs its JSON (env_id, make_kwargs, n_states, n_actions, initial_state_distribution).");

        Sidecar sidecar;
        try
        {
            sidecar = ReadSidecar(jsonPath, fallbackId);
        }
        catch (Exception e) when (e is JsonException or FormatException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return TabularConformanceResult.NotRun(file, fallbackId, "", ConformanceStatus.Error, $"{Path.GetFileName(jsonPath)}: {e.Message}");
        }
        string argsText = string.Join(",", sidecar.Args.Select(kv => $"{kv.Key}={kv.Value}"));
        if (sidecar.ArgsError is not null)
            return TabularConformanceResult.NotRun(file, sidecar.Label, argsText, ConformanceStatus.Error, sidecar.ArgsError);

        if (sidecar.EnvId is null)
            return TabularConformanceResult.NotRun(file, sidecar.Label, argsText, ConformanceStatus.Skipped,
                $"model '{sidecar.Label}' is not a Gymnasium env (env_id null) and no registered env is known to match it " +
                $"(known: {string.Join(", ", KnownModels.Select(kv => $"{kv.Key} = {kv.Value}"))}).");
        if (!EnvRegistry.TryGet(sidecar.EnvId, out EnvEntry? entry))
            return TabularConformanceResult.NotRun(file, sidecar.EnvId, argsText, ConformanceStatus.Skipped,
                $"{sidecar.EnvId} is not implemented (registered: {string.Join(", ", EnvRegistry.Ids)}).");

        TabularMdp ours;
        try
        {
            if (!entry.TryGetTabularModel(new EnvArgs(sidecar.Args), out TabularMdp? model))
                return TabularConformanceResult.NotRun(file, sidecar.EnvId, argsText, ConformanceStatus.Error,
                    $"{sidecar.EnvId} has no tabular model (not a toy-text env); a P table cannot be compared with it.");
            ours = model;
        }
        catch (ArgumentException e)
        {
            return TabularConformanceResult.NotRun(file, sidecar.EnvId, argsText, ConformanceStatus.Error,
                $"make_kwargs {{{argsText}}} cannot build {sidecar.EnvId}: {e.Message}");
        }

        List<Row> rows;
        try
        {
            rows = ReadRows(csvPath, file, sidecar.States, sidecar.Actions);
        }
        catch (Exception e) when (e is ReferenceCsvException or IOException or UnauthorizedAccessException)
        {
            return TabularConformanceResult.NotRun(file, sidecar.EnvId, argsText, ConformanceStatus.Error, e.Message);
        }

        var result = Compare(ours, sidecar, rows, out int entries, out int count);
        string? note = sidecar.Model is { } name && KnownModels.ContainsKey(name) ? $"reference model '{name}' compared with {sidecar.EnvId}" : null;
        if (sidecar.Initial is null)
            note = (note is null ? "" : note + "; ") + "the sidecar gives no initial state distribution (not compared)";
        string? message = count == 0
            ? note
            : $"{count} mismatch(es) in {entries} entries compared; first: {result[0]}";
        return new TabularConformanceResult(file, sidecar.EnvId, argsText, count == 0 ? ConformanceStatus.Pass : ConformanceStatus.Fail,
            sidecar.States, sidecar.Actions, entries, count, result, sidecar.Initial is not null, message);
    }

    /// <summary>
    /// Converts a sidecar's <c>make_kwargs</c> object to env-argument strings: booleans as true/false,
    /// strings as they are, numbers as their JSON text, and lists of strings (FrozenLake's <c>desc</c>)
    /// joined with commas. Throws <see cref="FormatException"/> for other values (null, objects, …).
    /// </summary>
    public static IReadOnlyDictionary<string, string> ToEnvArgs(JsonElement makeKwargs)
    {
        if (makeKwargs.ValueKind != JsonValueKind.Object)
            throw new FormatException($"make_kwargs must be an object, got {makeKwargs.ValueKind}.");
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty p in makeKwargs.EnumerateObject())
        {
            args[p.Name] = p.Value.ValueKind switch
            {
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.String => p.Value.GetString()!,
                JsonValueKind.Number => p.Value.GetRawText(),
                JsonValueKind.Array when p.Value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
                    string.Join(",", p.Value.EnumerateArray().Select(e => e.GetString())),
                _ => throw new FormatException($"make_kwargs '{p.Name}' is {p.Value.GetRawText()}: only booleans, strings, numbers and lists of strings become env arguments."),
            };
        }
        return args;
    }

    private sealed record Sidecar(string? EnvId, string Label, string? Model, IReadOnlyDictionary<string, string> Args, string? ArgsError,
        int States, int Actions, double[]? Initial);

    private readonly record struct Row(TabularTransition T, int Line);

    private static Sidecar ReadSidecar(string jsonPath, string fallbackId)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(jsonPath));
        JsonElement root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("the sidecar is not a JSON object.");
        string? model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;

        // env_id: a string names the env; null marks a non-Gymnasium model (look it up by name); absent: the file name.
        string? envId;
        if (!root.TryGetProperty("env_id", out var id)) envId = fallbackId;
        else if (id.ValueKind == JsonValueKind.String) envId = id.GetString();
        else if (id.ValueKind == JsonValueKind.Null) envId = KnownModels.GetValueOrDefault(model ?? fallbackId);
        else throw new FormatException($"env_id must be a string or null, got {id.GetRawText()}.");

        IReadOnlyDictionary<string, string> args = new Dictionary<string, string>();
        string? argsError = null;
        if (root.TryGetProperty("make_kwargs", out var kw) && kw.ValueKind != JsonValueKind.Null)
        {
            try { args = ToEnvArgs(kw); }
            catch (FormatException e) { argsError = e.Message; }
        }

        int states = RequireCount(root, "n_states"), actions = RequireCount(root, "n_actions");
        double[]? initial = null;
        if (root.TryGetProperty("initial_state_distribution", out var init) && init.ValueKind != JsonValueKind.Null)
        {
            if (init.ValueKind != JsonValueKind.Array) throw new FormatException("initial_state_distribution must be a list of numbers or null.");
            initial = init.EnumerateArray().Select(e => e.GetDouble()).ToArray();
            if (initial.Length != states)
                throw new FormatException($"initial_state_distribution has {initial.Length} entries, n_states is {states}.");
        }
        return new Sidecar(envId, envId ?? model ?? fallbackId, model, args, argsError, states, actions, initial);
    }

    private static int RequireCount(JsonElement root, string name) =>
        root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v) && v >= 1
            ? v
            : throw new FormatException($"missing or invalid '{name}' (a positive integer).");

    /// <summary>Reads the rows as they are: no check that probabilities sum to 1, so a bad entry is reported by place, not refused.</summary>
    private static List<Row> ReadRows(string csvPath, string file, int states, int actions)
    {
        using var reader = new StreamReader(csvPath);
        string? header = reader.ReadLine();
        if (header?.TrimEnd('\r') != TabularMdp.CsvHeader)
            throw new ReferenceCsvException(file, 1, null, $"expected the header '{TabularMdp.CsvHeader}'.");
        var rows = new List<Row>();
        int line = 1;
        for (string? text = reader.ReadLine(); text is not null; text = reader.ReadLine())
        {
            line++;
            text = text.TrimEnd('\r');
            if (text.Length == 0) continue;
            string[] f = text.Split(',');
            if (f.Length != 6) throw new ReferenceCsvException(file, line, null, $"expected 6 fields, got {f.Length}.");
            int s = Int(f[0], "state", 0, states), a = Int(f[1], "action", 0, actions), next = Int(f[3], "next_state", 0, states);
            bool terminated = f[5] switch
            {
                "0" => false,
                "1" => true,
                _ => throw new ReferenceCsvException(file, line, "terminated", $"'{f[5]}' is not 0 or 1."),
            };
            rows.Add(new Row(new TabularTransition(s, a, Double(f[2], "prob"), next, Double(f[4], "reward"), terminated), line));
        }
        return rows;

        int Int(string text, string column, int min, int end) =>
            int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) && v >= min && v < end
                ? v
                : throw new ReferenceCsvException(file, line, column, $"'{text}' is not an integer in [{min}, {end}).");

        double Double(string text, string column) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
                ? v
                : throw new ReferenceCsvException(file, line, column, $"'{text}' is not a number.");
    }

    private static List<TabularMismatch> Compare(TabularMdp ours, Sidecar theirs, List<Row> rows, out int entries, out int count)
    {
        var listed = new List<TabularMismatch>();
        int found = 0;
        void Add(TabularMismatch m)
        {
            found++;
            if (listed.Count < ListedMismatches) listed.Add(m);
        }

        entries = 0;
        if (ours.StateCount != theirs.States || ours.ActionCount != theirs.Actions)
        {
            if (ours.StateCount != theirs.States) Add(new(-1, -1, -1, "n_states", Show(ours.StateCount), Show(theirs.States), null));
            if (ours.ActionCount != theirs.Actions) Add(new(-1, -1, -1, "n_actions", Show(ours.ActionCount), Show(theirs.Actions), null));
            count = found;
            return listed;
        }

        // Theirs grouped by (s, a), keeping the order of the rows (Gymnasium's list order).
        int pairs = theirs.States * theirs.Actions;
        var groups = new List<Row>?[pairs];
        foreach (Row r in rows) (groups[r.T.State * theirs.Actions + r.T.Action] ??= []).Add(r);

        ReadOnlySpan<double> prob = ours.Probability, reward = ours.Reward;
        ReadOnlySpan<int> next = ours.NextState;
        ReadOnlySpan<bool> terminated = ours.Terminated;
        for (int s = 0; s < theirs.States; s++)
            for (int a = 0; a < theirs.Actions; a++)
            {
                List<Row> list = groups[s * theirs.Actions + a] ?? [];
                var (start, n) = ours.Outcomes(s, a);
                if (n != list.Count)
                    Add(new(s, a, -1, "outcomes", Show(n), Show(list.Count), list.Count > 0 ? list[0].Line : null));
                for (int k = 0; k < Math.Min(n, list.Count); k++)
                {
                    entries++;
                    TabularTransition t = list[k].T;
                    int j = start + k, line = list[k].Line;
                    if (!prob[j].Equals(t.Probability)) Add(new(s, a, k, "prob", Show(prob[j]), Show(t.Probability), line));
                    if (next[j] != t.NextState) Add(new(s, a, k, "next_state", Show(next[j]), Show(t.NextState), line));
                    if (!reward[j].Equals(t.Reward)) Add(new(s, a, k, "reward", Show(reward[j]), Show(t.Reward), line));
                    if (terminated[j] != t.Terminated) Add(new(s, a, k, "terminated", terminated[j] ? "1" : "0", t.Terminated ? "1" : "0", line));
                }
            }

        if (theirs.Initial is { } initial)
        {
            ReadOnlySpan<double> mine = ours.InitialDistribution;
            for (int s = 0; s < initial.Length; s++)
                if (!mine[s].Equals(initial[s])) Add(new(s, -1, -1, "initial", Show(mine[s]), Show(initial[s]), null));
        }
        count = found;
        return listed;
    }

    private static string Show(double x) => TabularMdp.PythonRepr(x);

    private static string Show(int x) => x.ToString(CultureInfo.InvariantCulture);
}
