using System.Globalization;

namespace RlKernels.Envs.Registry;

/// <summary>
/// Env options by their Gymnasium names (<c>map_name</c>, <c>is_slippery</c>, <c>g</c>, …), as given
/// by <c>--env-arg KEY=VALUE</c> or <c>Make(id, options)</c>. Each env reads the keys it knows; any key
/// left unread is an error naming the keys the env accepts.
/// </summary>
public sealed class EnvArgs
{
    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _read = [];

    /// <summary>No options: every env runs with its defaults.</summary>
    public static EnvArgs Empty => new(new Dictionary<string, string>());

    /// <summary>Options from a key → value map (copied; keys are case-sensitive).</summary>
    public EnvArgs(IReadOnlyDictionary<string, string> values) =>
        _values = new Dictionary<string, string>(values, StringComparer.Ordinal);

    /// <summary>Parses "KEY=VALUE" strings.</summary>
    public static EnvArgs Parse(IEnumerable<string> pairs)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in pairs)
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0)
                throw new ArgumentException($"Env argument '{pair}' is not of the form KEY=VALUE.");
            values[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
        }
        return new EnvArgs(values);
    }

    /// <summary>All options given, read or not.</summary>
    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>
    /// Option <paramref name="key"/> as a finite number (invariant culture), or <paramref name="defaultValue"/>
    /// when absent; marks the key as read. Throws <see cref="ArgumentException"/> if the value is not a finite number.
    /// </summary>
    public double GetDouble(string key, double defaultValue)
    {
        _read.Add(key);
        if (!_values.TryGetValue(key, out string? text)) return defaultValue;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            throw new ArgumentException($"Env argument {key}='{text}' is not a finite number.");
        return value;
    }

    /// <summary>
    /// Option <paramref name="key"/> as a boolean (true/false, 1/0, yes/no, any case), or <paramref name="defaultValue"/>
    /// when absent; marks the key as read. Throws <see cref="ArgumentException"/> on any other value.
    /// </summary>
    public bool GetBool(string key, bool defaultValue)
    {
        _read.Add(key);
        if (!_values.TryGetValue(key, out string? text)) return defaultValue;
        return text.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" => true,
            "false" or "0" or "no" => false,
            _ => throw new ArgumentException($"Env argument {key}='{text}' is not a boolean (true/false)."),
        };
    }

    /// <summary>Option <paramref name="key"/> as given, or null when absent; marks the key as read.</summary>
    public string? GetString(string key)
    {
        _read.Add(key);
        return _values.GetValueOrDefault(key);
    }

    /// <summary>Throws if a key was given that the env did not read.</summary>
    public void ThrowIfUnread(string envId)
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count == 0) return;
        string accepted = _read.Count == 0 ? "none" : string.Join(", ", _read.Order());
        throw new ArgumentException($"{envId} does not take env argument(s) {string.Join(", ", unknown)}; it accepts: {accepted}.");
    }
}
