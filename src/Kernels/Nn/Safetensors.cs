using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace RlKernels.Kernels.Nn;

/// <summary>
/// Saves and loads an <see cref="Mlp"/> (any population size) in the safetensors format
/// (https://github.com/huggingface/safetensors): an 8-byte little-endian header length, a JSON header
/// of name → {dtype, shape, data_offsets}, then the raw little-endian data. Tensors are
/// "layers.l.weight" [P, out, in] and "layers.l.bias" [P, out], F32, so safetensors.numpy.load_file
/// reads them directly.
/// </summary>
public static class Safetensors
{
    /// <summary>Writes every parameter tensor plus string metadata (sizes, activations, population).</summary>
    public static void Save(Mlp net, Stream stream)
    {
        ParameterLayout layout = net.Layout;
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("__metadata__");
            writer.WriteString("layer_sizes", string.Join(",", net.LayerSizes.ToArray()));
            writer.WriteString("activations", string.Join(",", Enumerable.Range(0, net.LayerCount).Select(l => net.ActivationOf(l).ToString().ToLowerInvariant())));
            writer.WriteString("population", net.Population.ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteEndObject();
            long offset = 0;
            for (int t = 0; t < layout.TensorCount; t++)
            {
                writer.WriteStartObject(layout.Name(t));
                writer.WriteString("dtype", "F32");
                writer.WriteStartArray("shape");
                foreach (long d in Shape(net, t)) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                long bytes = 4L * layout.Population * layout.MemberSize(t);
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + bytes);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += bytes;
            }
            writer.WriteEndObject();
        }
        // Pad the header with spaces to a multiple of 8 so the data starts aligned (as the reference writer does).
        int padded = (int)((json.Length + 7) / 8 * 8);
        var header = new byte[8 + padded];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)padded);
        json.ToArray().CopyTo(header, 8);
        for (int i = 8 + (int)json.Length; i < header.Length; i++) header[i] = (byte)' ';
        stream.Write(header);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors data is little-endian.");
        for (int t = 0; t < layout.TensorCount; t++)
            stream.Write(MemoryMarshal.AsBytes(net.Parameters.AsSpan(layout.Offset(t), layout.Population * layout.MemberSize(t))));
    }

    /// <summary>Saves to a file.</summary>
    public static void Save(Mlp net, string path)
    {
        using var stream = File.Create(path);
        Save(net, stream);
    }

    /// <summary>
    /// Loads parameters into <paramref name="net"/>. Every tensor must be present with dtype F32 and the
    /// network's shape, and the data must be complete; otherwise <see cref="InvalidDataException"/> names
    /// the problem and the network is left unchanged (everything is read and checked before any copy).
    /// </summary>
    public static void Load(Mlp net, Stream stream)
    {
        ParameterLayout layout = net.Layout;
        var lengthBytes = new byte[8];
        ReadExactly(stream, lengthBytes, "the header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength == 0 || headerLength > 100_000_000) throw new InvalidDataException($"Implausible safetensors header length {headerLength}.");
        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, "the header");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException("The safetensors header is not valid JSON.", e);
        }
        using (doc)
        {
            var expected = new HashSet<string>(Enumerable.Range(0, layout.TensorCount).Select(layout.Name));
            foreach (JsonProperty property in doc.RootElement.EnumerateObject())
                if (property.Name != "__metadata__" && !expected.Contains(property.Name))
                    throw new InvalidDataException($"Unexpected tensor '{property.Name}'; this network has {string.Join(", ", expected)}.");
            var ranges = new (long Begin, long End)[layout.TensorCount];
            long dataLength = 0;
            for (int t = 0; t < layout.TensorCount; t++)
            {
                string name = layout.Name(t);
                if (!doc.RootElement.TryGetProperty(name, out JsonElement info))
                    throw new InvalidDataException($"Missing tensor '{name}'.");
                string? dtype = info.TryGetProperty("dtype", out JsonElement d) ? d.GetString() : null;
                if (dtype != "F32") throw new InvalidDataException($"Tensor '{name}' has dtype {dtype ?? "(none)"}; expected F32.");
                long[] shape = info.TryGetProperty("shape", out JsonElement s) ? s.EnumerateArray().Select(e => e.GetInt64()).ToArray() : [];
                long[] want = Shape(net, t);
                if (!shape.SequenceEqual(want))
                    throw new InvalidDataException($"Tensor '{name}' has shape [{string.Join(", ", shape)}]; expected [{string.Join(", ", want)}].");
                long[] offsets = info.TryGetProperty("data_offsets", out JsonElement o) ? o.EnumerateArray().Select(e => e.GetInt64()).ToArray() : [];
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] - offsets[0] != 4L * layout.Population * layout.MemberSize(t))
                    throw new InvalidDataException($"Tensor '{name}' has data_offsets [{string.Join(", ", offsets)}] that do not match its shape.");
                ranges[t] = (offsets[0], offsets[1]);
                dataLength = Math.Max(dataLength, offsets[1]);
            }
            var data = new byte[dataLength];
            ReadExactly(stream, data, "the tensor data");
            var staged = new float[layout.TotalCount];
            for (int t = 0; t < layout.TensorCount; t++)
                MemoryMarshal.Cast<byte, float>(data.AsSpan((int)ranges[t].Begin, (int)(ranges[t].End - ranges[t].Begin)))
                    .CopyTo(staged.AsSpan(layout.Offset(t)));
            foreach (float v in staged)
                if (!float.IsFinite(v)) throw new InvalidDataException(NonFiniteMessage(layout, staged));
            staged.CopyTo(net.Parameters, 0);
        }
    }

    /// <summary>Loads from a file.</summary>
    public static void Load(Mlp net, string path)
    {
        using var stream = File.OpenRead(path);
        Load(net, stream);
    }

    private static long[] Shape(Mlp net, int tensor)
    {
        int layer = tensor / 2;
        return tensor % 2 == 0
            ? [net.Population, net.LayerSizes[layer + 1], net.LayerSizes[layer]]
            : [net.Population, net.LayerSizes[layer + 1]];
    }

    private static string NonFiniteMessage(ParameterLayout layout, float[] staged)
    {
        for (int t = 0; t < layout.TensorCount; t++)
            for (int p = 0; p < layout.Population; p++)
            {
                ReadOnlySpan<float> s = staged.AsSpan(layout.MemberOffset(t, p), layout.MemberSize(t));
                for (int i = 0; i < s.Length; i++)
                    if (!float.IsFinite(s[i])) return $"Tensor '{layout.Name(t)}' holds {s[i]} (member {p}, element {i}).";
            }
        return "Non-finite parameter.";
    }

    private static void ReadExactly(Stream stream, byte[] buffer, string what)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = stream.Read(buffer, read, buffer.Length - read);
            if (n == 0) throw new InvalidDataException($"The file is truncated: {what} needs {buffer.Length} bytes, {read} were left.");
            read += n;
        }
    }
}
