using System.Text.Json;
using System.Text.Json.Serialization;

namespace RlKernels.Cli;

/// <summary>
/// The JSON every <c>--json</c> output uses: strict JSON, where a statistic without data (NaN, ±∞: a mean over
/// no finished episode, a rate over no time) is <c>null</c> rather than a token a strict parser rejects.
/// </summary>
public static class CliJson
{
    private static readonly JsonSerializerOptions Compact = Create(indented: false);
    private static readonly JsonSerializerOptions Indented = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions { WriteIndented = indented };
        options.Converters.Add(new NonFiniteAsNullDouble());
        options.Converters.Add(new NonFiniteAsNullFloat());
        return options;
    }

    /// <summary>Serializes <paramref name="value"/>; non-finite doubles and floats become <c>null</c>.</summary>
    public static string Serialize<T>(T value, bool indented = false) =>
        JsonSerializer.Serialize(value, indented ? Indented : Compact);

    /// <summary>The value when finite, else null: for records whose field is <c>double?</c>.</summary>
    public static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private sealed class NonFiniteAsNullDouble : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }

    private sealed class NonFiniteAsNullFloat : JsonConverter<float>
    {
        public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? float.NaN : reader.GetSingle();

        public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options)
        {
            if (float.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }
}
