using System.Globalization;
using System.Text;
using System.Text.Json;

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

    /// <summary>
    /// Loads MODEL.csv and its JSON sidecar (by default the same path with ".json").
    /// </summary>
    /// <exception cref="ArgumentException">Malformed file (naming the line), or an invalid model.</exception>
    public static TabularMdp LoadCsv(string csvPath, string? jsonPath = null)
    {
        jsonPath ??= Path.ChangeExtension(csvPath, ".json");
        using var json = JsonDocument.Parse(File.ReadAllBytes(jsonPath));
        var root = json.RootElement;
        int stateCount = RequireInt(root, "n_states", jsonPath);
        int actionCount = RequireInt(root, "n_actions", jsonPath);
        double[] initial;
        if (root.TryGetProperty("initial_state_distribution", out var init) && init.ValueKind == JsonValueKind.Array)
            initial = init.EnumerateArray().Select(e => e.GetDouble()).ToArray();
        else if (stateCount >= 1)
            initial = OneHot(stateCount, 0);
        else
            throw new ArgumentException($"{jsonPath}: n_states must be at least 1.");
        string[]? names = root.TryGetProperty("action_names", out var an) && an.ValueKind == JsonValueKind.Array
            ? an.EnumerateArray().Select(e => e.GetString() ?? "").ToArray()
            : null;
        using var reader = new StreamReader(csvPath);
        return ReadCsv(reader, stateCount, actionCount, initial, names, Path.GetFileName(csvPath));
    }

    /// <summary>Reads the CSV rows from <paramref name="csv"/>; sizes and initial distribution come from the caller.</summary>
    public static TabularMdp ReadCsv(TextReader csv, int stateCount, int actionCount, ReadOnlySpan<double> initialDistribution,
        IReadOnlyList<string>? actionNames = null, string source = "csv")
    {
        string? header = csv.ReadLine();
        if (header != CsvHeader)
            throw new ArgumentException($"{source} line 1: expected the header '{CsvHeader}', got '{header}'.");
        var rows = new List<TabularTransition>();
        int line = 1;
        for (string? text = csv.ReadLine(); text is not null; text = csv.ReadLine())
        {
            line++;
            if (text.Length == 0) continue;
            string[] f = text.Split(',');
            if (f.Length != 6)
                throw new ArgumentException($"{source} line {line}: expected 6 fields, got {f.Length}: '{text}'.");
            rows.Add(new TabularTransition(
                ParseInt(f[0], "state", source, line), ParseInt(f[1], "action", source, line),
                ParseDouble(f[2], "prob", source, line), ParseInt(f[3], "next_state", source, line),
                ParseDouble(f[4], "reward", source, line),
                f[5] switch
                {
                    "0" => false,
                    "1" => true,
                    _ => throw new ArgumentException($"{source} line {line}: terminated must be 0 or 1, got '{f[5]}'."),
                }));
        }
        // Range errors found while grouping name the data row (blank lines are skipped, so not always line − 1).
        return FromTransitions(stateCount, actionCount, CollectionsMarshalAsSpan(rows), initialDistribution, actionNames,
            i => $"{source} data row {i + 1}");
    }

    /// <summary>Writes MODEL.csv and its JSON sidecar (default: the same path with ".json").</summary>
    public void SaveCsv(string csvPath, string? jsonPath = null)
    {
        jsonPath ??= Path.ChangeExtension(csvPath, ".json");
        using (var w = new StreamWriter(csvPath, false, new UTF8Encoding(false)))
            WriteCsv(w);
        File.WriteAllText(jsonPath, ToJson(), new UTF8Encoding(false));
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

    private static int RequireInt(JsonElement root, string name, string path) =>
        root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v)
            ? v
            : throw new ArgumentException($"{path}: missing or non-integer '{name}'.");

    private static int ParseInt(string text, string column, string source, int line) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw new ArgumentException($"{source} line {line}: {column} '{text}' is not an integer.");

    private static double ParseDouble(string text, string column, string source, int line) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            ? v
            : throw new ArgumentException($"{source} line {line}: {column} '{text}' is not a number.");
}
