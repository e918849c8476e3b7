using System.Text.Json;
using System.Numerics;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

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
        options.Converters.Add(new NonFiniteAsNull<double>(JsonMetadataServices.DoubleConverter));
        options.Converters.Add(new NonFiniteAsNull<float>(JsonMetadataServices.SingleConverter));
        return options;
    }

    /// <summary>Serializes <paramref name="value"/>; non-finite doubles and floats become <c>null</c>.</summary>
    public static string Serialize<T>(T value, bool indented = false) =>
        JsonSerializer.Serialize(value, indented ? Indented : Compact);

    /// <summary>The value when finite, else null: for records whose field is <c>double?</c>.</summary>
    public static double? Finite(double value) => double.IsFinite(value) ? value : null;

    /// <summary>
    /// A number as the default converter of <typeparamref name="T"/> reads and writes it, except that null reads as
    /// NaN and a non-finite value writes as null.
    /// </summary>
    private sealed class NonFiniteAsNull<T>(JsonConverter<T> plain) : JsonConverter<T> where T : IFloatingPointIeee754<T>
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? T.NaN : plain.Read(ref reader, typeToConvert, options)!;

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            if (T.IsFinite(value)) plain.Write(writer, value, options);
            else writer.WriteNullValue();
        }
    }
}
