using System.Globalization;
using System.Text;
using System.Text.Json;
using RlKernels.Kernels.IO;

namespace RlKernels.Envs.Tabular;

// The P-table files of data/reference/gymnasium-toytext: MODEL.csv with the header
// "state,action,prob,next_state,reward,terminated", one row per outcome in Gymnasium's order, '\n'
// line ends, no quoting; probabilities as Python repr() of the double, rewards as integers when
// they are whole numbers, terminated as 0/1. Beside it MODEL.json with (at least) n_states,
// n_actions and initial_state_distribution (null = every episode starts in state 0), and optionally
// action_names. Saving writes the CSV byte for byte as the reference harness does.

public sealed partial class TabularMdp
{
    /// <summary>The CSV header line.</summary>
    public const string CsvHeader = "state,action,prob,next_state,reward,terminated";

    /// <summary>The largest JSON sidecar read (a sidecar holds sizes, names and one probability per state).</summary>
    public const long MaxSidecarBytes = 256L << 20;

    /// <summary>
    /// Loads MODEL.csv and its JSON sidecar (by default the same path with ".json"). The sidecar is an object
    /// with n_states and n_actions (integers ≥ 1 whose model fits in memory, see <see cref="CheckSize"/>),
    /// optionally initial_state_distribution (null, or S finite non-negative numbers summing to 1; default: start
    /// in state 0), action_names (null, or A strings) and rows (the CSV's data row count). Other keys are ignored.
    /// </summary>
    /// <exception cref="ArgumentException">A malformed sidecar or CSV, or an invalid model: one line naming the file and the field or line.</exception>
    /// <exception cref="IOException">A file is missing or unreadable (also <see cref="UnauthorizedAccessException"/>).</exception>
    public static TabularMdp LoadCsv(string csvPath, string? jsonPath = null)
    {
        jsonPath ??= Path.ChangeExtension(csvPath, ".json");
        Sidecar sidecar = ReadSidecar(jsonPath);
        using var reader = new StreamReader(csvPath);
        TabularMdp model = ReadCsv(reader, sidecar.StateCount, sidecar.ActionCount, sidecar.Initial, sidecar.ActionNames, csvPath);
        if (sidecar.Rows is { } rows && rows != model.OutcomeCount)
            throw new ArgumentException($"{csvPath}: has {model.OutcomeCount} data rows, but {jsonPath} says rows = {rows}.");
        return model;
    }

    private sealed record Sidecar(int StateCount, int ActionCount, double[] Initial, string[]? ActionNames, long? Rows);

    /// <summary>The sidecar's fields, each checked for type and range before anything is allocated by it.</summary>
    private static Sidecar ReadSidecar(string jsonPath)
    {
        long size = new FileInfo(jsonPath).Length;
        if (size > MaxSidecarBytes)
            throw new ArgumentException($"{jsonPath}: {size} bytes is more than a sidecar may hold ({MaxSidecarBytes}).");
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(File.ReadAllBytes(jsonPath));
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{jsonPath}: not valid JSON ({e.Message}).", e);
        }
        using (json)
        try
        {
            JsonElement root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new ArgumentException($"{jsonPath}: must be a JSON object, found {JsonText.Kind(root)}.");
            // A JsonDocument keeps duplicate keys; which one a lookup finds is not something to rely on.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in root.EnumerateObject())
                if (!seen.Add(property.Name))
                    throw new ArgumentException($"{jsonPath}: '{JsonEncodedText.Encode(property.Name)}' appears twice.");

            int stateCount = RequireCount(root, "n_states", jsonPath);
            int actionCount = RequireCount(root, "n_actions", jsonPath);
            CheckSize(stateCount, actionCount, $"{jsonPath}: n_states, n_actions");

            double[] initial;
            if (!root.TryGetProperty("initial_state_distribution", out JsonElement init) || init.ValueKind == JsonValueKind.Null)
                initial = OneHot(stateCount, 0);
            else if (init.ValueKind != JsonValueKind.Array)
                throw new ArgumentException($"{jsonPath}: initial_state_distribution must be an array of numbers (or null), found {JsonText.Kind(init)}.");
            else if (init.GetArrayLength() != stateCount)
                throw new ArgumentException($"{jsonPath}: initial_state_distribution has {init.GetArrayLength()} entries; n_states is {stateCount}.");
            else
            {
                initial = new double[stateCount];
                int s = 0;
                foreach (JsonElement p in init.EnumerateArray())
                {
                    if (p.ValueKind != JsonValueKind.Number || !p.TryGetDouble(out initial[s]) || !double.IsFinite(initial[s]))
                        throw new ArgumentException($"{jsonPath}: initial_state_distribution entry {s} is {JsonText.Show(p)}; it must be a finite number.");
                    s++;
                }
                try
                {
                    CheckDistribution(initial, stateCount, "initial distribution", "initialDistribution");
                }
                catch (ArgumentException e)
                {
                    throw new ArgumentException($"{jsonPath}: initial_state_distribution: {e.Message.Replace(" (Parameter 'initialDistribution')", "")}", e);
                }
            }

            string[]? names = null;
            if (root.TryGetProperty("action_names", out JsonElement an) && an.ValueKind != JsonValueKind.Null)
            {
                if (an.ValueKind != JsonValueKind.Array)
                    throw new ArgumentException($"{jsonPath}: action_names must be an array of strings (or null), found {JsonText.Kind(an)}.");
                if (an.GetArrayLength() != actionCount)
                    throw new ArgumentException($"{jsonPath}: action_names has {an.GetArrayLength()} entries; n_actions is {actionCount}.");
                names = new string[actionCount];
                int a = 0;
                foreach (JsonElement name in an.EnumerateArray())
                {
                    if (name.ValueKind != JsonValueKind.String)
                        throw new ArgumentException($"{jsonPath}: action_names entry {a} is {JsonText.Show(name)}; it must be a string.");
                    names[a++] = name.GetString()!;
                }
            }

            long? rows = null;
            if (root.TryGetProperty("rows", out JsonElement r) && r.ValueKind != JsonValueKind.Null)
                rows = r.ValueKind == JsonValueKind.Number && r.TryGetInt64(out long k) && k >= 0
                    ? k
                    : throw new ArgumentException($"{jsonPath}: rows is {JsonText.Show(r)}; it must be a non-negative integer (the CSV's data row count).");
            return new Sidecar(stateCount, actionCount, initial, names, rows);
        }
        catch (InvalidOperationException e)
        {
            // JSON allows "\ud800" (half of a UTF-16 pair), which no .NET string can hold: the reader throws on it.
            throw new ArgumentException($"{jsonPath}: a key or string is not valid text (an unpaired surrogate escape).", e);
        }
    }

    /// <summary>
    /// Reads the CSV rows from <paramref name="csv"/>; sizes and initial distribution come from the caller. Every
    /// number is checked on its line: integers for state, action and next_state, prob in [0, 1], a finite reward
    /// with |reward| ≤ <see cref="MaxAbsReward"/>, terminated 0 or 1; then the model's own checks (ranges, each
    /// (s, a) summing to 1).
    /// </summary>
    /// <exception cref="ArgumentException">Naming <paramref name="source"/> and the line (or data row).</exception>
    public static TabularMdp ReadCsv(TextReader csv, int stateCount, int actionCount, ReadOnlySpan<double> initialDistribution,
        IReadOnlyList<string>? actionNames = null, string source = "csv")
    {
        string? header = csv.ReadLine();
        if (header != CsvHeader)
            throw new ArgumentException($"{source} line 1: expected the header '{CsvHeader}', got '{header}'.");
        var rows = new List<TabularTransition>();
        // Each row costs about 64 bytes here and in the model; stop before the rows outgrow memory or an int.
        long maxRows = Math.Min(int.MaxValue - 1L, Registry.MemoryBudget.UsableBytes / 64);
        int line = 1;
        for (string? text = csv.ReadLine(); text is not null; text = csv.ReadLine())
        {
            line++;
            if (text.Length == 0) continue;
            if (rows.Count >= maxRows)
                throw new ArgumentException($"{source} line {line}: more than {maxRows} data rows, more than a model can hold here.");
            string[] f = text.Split(',');
            if (f.Length != 6)
                throw new ArgumentException($"{source} line {line}: expected 6 fields, got {f.Length}: '{text}'.");
            double prob = ParseDouble(f[2], "prob", source, line), reward = ParseDouble(f[4], "reward", source, line);
            if (!(prob >= 0 && prob <= 1))
                throw new ArgumentException($"{source} line {line}: prob '{f[2]}' must be a probability in [0, 1].");
            if (!(Math.Abs(reward) <= MaxAbsReward))
                throw new ArgumentException($"{source} line {line}: reward '{f[4]}' must be finite with |reward| ≤ 1e30.");
            rows.Add(new TabularTransition(
                ParseInt(f[0], "state", source, line), ParseInt(f[1], "action", source, line),
                prob, ParseInt(f[3], "next_state", source, line),
                reward,
                f[5] switch
                {
                    "0" => false,
                    "1" => true,
                    _ => throw new ArgumentException($"{source} line {line}: terminated must be 0 or 1, got '{f[5]}'."),
                }));
        }
        // Range errors found while grouping name the data row (blank lines are skipped, so not always line − 1).
        try
        {
            return FromTransitions(stateCount, actionCount, CollectionsMarshalAsSpan(rows), initialDistribution, actionNames,
                i => $"{source} data row {i + 1}");
        }
        catch (ArgumentException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
        {
            // The model's own checks ("(s=0, a=1): … sum to 0.9") do not know the file: name it.
            string message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "");
            throw new ArgumentException($"{source}: {message}", e);
        }
    }

    /// <summary>Writes MODEL.csv and its JSON sidecar (default: the same path with ".json").</summary>
    public void SaveCsv(string csvPath, string? jsonPath = null)
    {
        jsonPath ??= Path.ChangeExtension(csvPath, ".json");
        AtomicFile.Write(csvPath, stream =>
        {
            using var w = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            WriteCsv(w);
        });
        AtomicFile.WriteAllText(jsonPath, ToJson());
    }

    /// <summary>The CSV text: header, then one row per outcome in (s, a, list) order, '\n' line ends.</summary>
    public void WriteCsv(TextWriter w)
    {
        var sb = new StringBuilder();
        sb.Append(CsvHeader).Append('\n');
        foreach (var t in Transitions())
        {
            sb.Append(t.State).Append(',').Append(t.Action).Append(',').Append(PythonRepr(t.Probability)).Append(',')
              .Append(t.NextState).Append(',').Append(FormatReward(t.Reward)).Append(',').Append(t.Terminated ? '1' : '0').Append('\n');
        }
        w.Write(sb.ToString());
    }

    /// <summary>The JSON sidecar: n_states, n_actions, action_names (when known), initial_state_distribution, rows.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var j = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            j.WriteStartObject();
            j.WriteNumber("n_states", StateCount);
            j.WriteNumber("n_actions", ActionCount);
            if (_actionNames is not null)
            {
                j.WriteStartArray("action_names");
                foreach (string name in _actionNames) j.WriteStringValue(name);
                j.WriteEndArray();
            }
            j.WriteStartArray("initial_state_distribution");
            foreach (double p in _initial) j.WriteRawValue(PythonRepr(p));
            j.WriteEndArray();
            j.WriteNumber("rows", OutcomeCount);
            j.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// Python's repr() of a double: the shortest string that round-trips, with ".0" on whole numbers
    /// and "e-05"-style exponents. (Python switches to exponents from 1e16, .NET from 1e15; either
    /// text parses back to the same double.)
    /// </summary>
    public static string PythonRepr(double x)
    {
        if (double.IsNaN(x)) return "nan";
        if (double.IsInfinity(x)) return x > 0 ? "inf" : "-inf";
        string r = x.ToString("R", CultureInfo.InvariantCulture).Replace('E', 'e');
        return r.Contains('.') || r.Contains('e') ? r : r + ".0";
    }

    private static string FormatReward(double r) =>
        Math.Abs(r) < 9007199254740992.0 && r == Math.Floor(r)
            ? ((long)r).ToString(CultureInfo.InvariantCulture)
            : PythonRepr(r);

    private static ReadOnlySpan<TabularTransition> CollectionsMarshalAsSpan(List<TabularTransition> rows) =>
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rows);

    /// <summary>A required count: an integer in [1, int.MaxValue].</summary>
    private static int RequireCount(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out JsonElement e)) throw new ArgumentException($"{path}: '{name}' is missing.");
        if (e.ValueKind != JsonValueKind.Number)
            throw new ArgumentException($"{path}: {name} must be a number, found {JsonText.Kind(e)}.");
        if (!e.TryGetInt64(out long v) || v < 1 || v > int.MaxValue)
            throw new ArgumentException($"{path}: {name} is {JsonText.Show(e)}; it must be an integer in [1, {int.MaxValue}].");
        return (int)v;
    }

    private static int ParseInt(string text, string column, string source, int line) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw new ArgumentException($"{source} line {line}: {column} '{text}' is not an integer.");

    private static double ParseDouble(string text, string column, string source, int line) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            ? v
            : throw new ArgumentException($"{source} line {line}: {column} '{text}' is not a number.");
}
