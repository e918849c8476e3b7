using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RlKernels.Kernels.Nn;

/// <summary>One named float32 tensor of a safetensors file.</summary>
/// <param name="Name">Tensor name, e.g. "actor.layers.0.weight".</param>
/// <param name="Shape">Dimensions, outermost first.</param>
/// <param name="Data">Row-major values; length is the product of <paramref name="Shape"/>.</param>
public sealed record SafeTensor(string Name, int[] Shape, float[] Data);

/// <summary>
/// Minimal reader and writer of the safetensors format (huggingface/safetensors): an 8-byte little-endian
/// header length, a UTF-8 JSON header {name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]},
/// "__metadata__": {string: string}}, then the raw little-endian data. Only F32 is supported.
/// </summary>
public static class Safetensors
{
    /// <summary>Writes the tensors (in the given order) and string metadata to <paramref name="path"/>.</summary>
    public static void Save(string path, IReadOnlyList<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata) meta[k] = v;
            header["__metadata__"] = meta;
        }
        long offset = 0;
        foreach (SafeTensor t in tensors)
        {
            long count = 1;
            foreach (int d in t.Shape) count *= d;
            if (count != t.Data.Length)
                throw new ArgumentException($"Tensor {t.Name} has {t.Data.Length} values but shape [{string.Join(", ", t.Shape)}].", nameof(tensors));
            header[t.Name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + 4 * count),
            };
            offset += 4 * count;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        // The format pads the header with spaces to a multiple of 8 so the data is aligned.
        int padded = (json.Length + 7) / 8 * 8;
        string temp = path + ".tmp";
        using (var stream = File.Create(temp))
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(json);
            for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (SafeTensor t in tensors)
            {
                if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Big-endian hosts are not supported.");
                stream.Write(MemoryMarshal.AsBytes(t.Data.AsSpan()));
            }
        }
        // Write-then-rename: a crash mid-save never leaves a half-written model behind.
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads every tensor and the metadata of a safetensors file.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed F32 safetensors file.</exception>
    public static (Dictionary<string, SafeTensor> Tensors, Dictionary<string, string> Metadata) Load(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new InvalidDataException($"{path}: too short for a safetensors file.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8)) throw new InvalidDataException($"{path}: header length {headerLength} exceeds the file.");
        JsonObject header;
        try
        {
            header = JsonNode.Parse(bytes.AsSpan(8, (int)headerLength))?.AsObject()
                ?? throw new InvalidDataException($"{path}: empty header.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: header is not JSON ({e.Message}).");
        }
        int dataStart = 8 + (int)headerLength;
        var tensors = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                foreach (var (k, v) in node!.AsObject()) metadata[k] = v!.GetValue<string>();
                continue;
            }
            JsonObject entry = node!.AsObject();
            string dtype = entry["dtype"]!.GetValue<string>();
            if (dtype != "F32") throw new InvalidDataException($"{path}: tensor {name} has dtype {dtype}; only F32 is supported.");
            int[] shape = entry["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
            long begin = entry["data_offsets"]![0]!.GetValue<long>(), end = entry["data_offsets"]![1]!.GetValue<long>();
            long count = 1;
            foreach (int d in shape) count *= d;
            if (end - begin != 4 * count || begin < 0 || dataStart + end > bytes.Length)
                throw new InvalidDataException($"{path}: tensor {name} has offsets [{begin}, {end}) that do not fit shape [{string.Join(", ", shape)}] or the file.");
            var data = new float[count];
            MemoryMarshal.Cast<byte, float>(bytes.AsSpan(dataStart + (int)begin, (int)(end - begin))).CopyTo(data);
            tensors[name] = new SafeTensor(name, shape, data);
        }
        return (tensors, metadata);
    }

    /// <summary>The tensor called <paramref name="name"/>, checked against the expected shape.</summary>
    /// <exception cref="InvalidDataException">Missing, or a different shape.</exception>
    public static float[] Require(IReadOnlyDictionary<string, SafeTensor> tensors, string name, ReadOnlySpan<int> shape)
    {
        if (!tensors.TryGetValue(name, out SafeTensor? t))
            throw new InvalidDataException($"Tensor {name} is missing; the file has: {string.Join(", ", tensors.Keys)}.");
        if (!t.Shape.AsSpan().SequenceEqual(shape))
            throw new InvalidDataException($"Tensor {name} has shape [{string.Join(", ", t.Shape)}]; expected [{string.Join(", ", shape.ToArray())}].");
        return t.Data;
    }
}
