using System.Text.Json;

namespace RlKernels.Kernels.IO;

/// <summary>How error messages about JSON files describe a value they did not expect.</summary>
public static class JsonText
{
    /// <summary>"an object", "a string", …: what was found where something else belongs.</summary>
    public static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => e.ValueKind.ToString(),
    };

    /// <summary>The value's JSON text when it is short and printable (fit for a one-line message), else its kind.</summary>
    public static string Show(JsonElement e)
    {
        string raw = e.GetRawText();
        return raw.Length <= 40 && !raw.Any(char.IsControl) ? raw : Kind(e);
    }
}
