using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RlKernels.Kernels.IO;

namespace RlKernels.Kernels.Nn;

/// <summary>One named float32 tensor of a safetensors file.</summary>
/// <param name="Name">Tensor name, e.g. "actor.layers.0.weight".</param>
/// <param name="Shape">Dimensions, outermost first.</param>
/// <param name="Data">Row-major values; length is the product of <paramref name="Shape"/>.</param>
public sealed record SafeTensor(string Name, int[] Shape, float[] Data);

/// <summary>
/// Reader and writer of the safetensors format (huggingface/safetensors): an 8-byte little-endian header
/// length, a UTF-8 JSON header {name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]},
/// "__metadata__": {string: string}}, then the raw little-endian data. Only F32 is supported, which is
/// what safetensors.numpy.load_file reads back as float32 arrays.
/// </summary>
/// <remarks>
/// Everything is read and checked before anything is handed out, so a bad file never half-loads a network.
/// An <see cref="Mlp"/> is stored as "layers.l.weight" [P, out, in] and "layers.l.bias" [P, out].
/// </remarks>
public static class Safetensors
{
    // GENERIC TENSORS

    /// <summary>Writes the tensors (in the given order) and string metadata to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, IReadOnlyList<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors data is little-endian.");
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
            long count = ElementCount(t.Shape);
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
        // The header is padded with spaces to a multiple of 8 so the data starts aligned (as the reference writer does).
        int padded = (json.Length + 7) / 8 * 8;
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(json);
        for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        foreach (SafeTensor t in tensors) stream.Write(MemoryMarshal.AsBytes(t.Data.AsSpan()));
    }

    /// <summary>Writes to <paramref name="path"/> through a temporary file: a crash mid-save never leaves a half-written model.</summary>
    public static void Save(string path, IReadOnlyList<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        AtomicFile.Write(path, stream => Write(stream, tensors, metadata));

    /// <summary>Reads every tensor and the metadata.</summary>
    /// <param name="source">Names the file in error messages.</param>
    /// <exception cref="InvalidDataException">Not a complete, well-formed F32 safetensors file.</exception>
    public static (Dictionary<string, SafeTensor> Tensors, Dictionary<string, string> Metadata) Read(Stream stream, string source = "safetensors")
    {
        var lengthBytes = new byte[8];
        ReadExactly(stream, lengthBytes, source, "the header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength == 0 || headerLength > 100_000_000)
            throw new InvalidDataException($"{source}: implausible header length {headerLength}.");
        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, source, "the header");
        JsonObject header;
        try
        {
            header = JsonNode.Parse(headerBytes)?.AsObject() ?? throw new InvalidDataException($"{source}: empty header.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: the header is not valid JSON ({e.Message}).", e);
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<(string Name, int[] Shape, long Begin, long End)>();
        long dataLength = 0;
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                foreach (var (k, v) in node!.AsObject()) metadata[k] = v!.GetValue<string>();
                continue;
            }
            JsonObject entry = node!.AsObject();
            string? dtype = entry["dtype"]?.GetValue<string>();
            if (dtype != "F32") throw new InvalidDataException($"{source}: tensor {name} has dtype {dtype ?? "(none)"}; only F32 is supported.");
            int[] shape = entry["shape"]?.AsArray().Select(d => d!.GetValue<int>()).ToArray() ?? [];
            long begin = entry["data_offsets"]?[0]?.GetValue<long>() ?? -1, end = entry["data_offsets"]?[1]?.GetValue<long>() ?? -1;
            if (begin < 0 || end - begin != 4 * ElementCount(shape))
                throw new InvalidDataException($"{source}: tensor {name} has data_offsets [{begin}, {end}) that do not match shape [{string.Join(", ", shape)}].");
            entries.Add((name, shape, begin, end));
            dataLength = Math.Max(dataLength, end);
        }
        var data = new byte[dataLength];
        ReadExactly(stream, data, source, "the tensor data");
        var tensors = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        foreach (var (name, shape, begin, end) in entries)
        {
            var values = new float[(end - begin) / 4];
            MemoryMarshal.Cast<byte, float>(data.AsSpan((int)begin, (int)(end - begin))).CopyTo(values);
            tensors[name] = new SafeTensor(name, shape, values);
        }
        return (tensors, metadata);
    }

    /// <summary>Reads a file (see <see cref="Read"/>).</summary>
    public static (Dictionary<string, SafeTensor> Tensors, Dictionary<string, string> Metadata) Load(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, path);
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

    // MLP PARAMETERS

    /// <summary>Writes every parameter tensor of <paramref name="net"/> plus metadata (sizes, activations, population).</summary>
    public static void Save(Mlp net, Stream stream) => Write(stream, MlpTensors(net), MlpMetadata(net));

    /// <summary>Saves <paramref name="net"/> to a file.</summary>
    public static void Save(Mlp net, string path) => Save(path, MlpTensors(net), MlpMetadata(net));

    /// <summary>
    /// Loads parameters into <paramref name="net"/>. Every tensor must be present with dtype F32 and the
    /// network's shape, nothing else may be there, and every value must be finite; otherwise
    /// <see cref="InvalidDataException"/> names the problem and the network is left unchanged.
    /// </summary>
    public static void Load(Mlp net, Stream stream) => LoadInto(net, Read(stream).Tensors);

    /// <summary>Loads a file into <paramref name="net"/> (see <see cref="Load(Mlp, Stream)"/>).</summary>
    public static void Load(Mlp net, string path) => LoadInto(net, Load(path).Tensors);

    private static void LoadInto(Mlp net, IReadOnlyDictionary<string, SafeTensor> tensors)
    {
        ParameterLayout layout = net.Layout;
        var expected = new HashSet<string>(Enumerable.Range(0, layout.TensorCount).Select(layout.Name));
        foreach (string name in tensors.Keys)
            if (!expected.Contains(name))
                throw new InvalidDataException($"Unexpected tensor '{name}'; this network has {string.Join(", ", expected)}.");
        // Stage everything first: the network changes only when the whole file checks out.
        var staged = new float[layout.TotalCount];
        for (int t = 0; t < layout.TensorCount; t++)
            Require(tensors, layout.Name(t), MlpShape(net, t)).CopyTo(staged.AsSpan(layout.Offset(t)));
        for (int t = 0; t < layout.TensorCount; t++)
            for (int p = 0; p < layout.Population; p++)
            {
                ReadOnlySpan<float> s = staged.AsSpan(layout.MemberOffset(t, p), layout.MemberSize(t));
                for (int i = 0; i < s.Length; i++)
                    if (!float.IsFinite(s[i]))
                        throw new InvalidDataException($"Tensor '{layout.Name(t)}' holds {s[i]} (member {p}, element {i}).");
            }
        staged.CopyTo(net.Parameters, 0);
    }

    private static List<SafeTensor> MlpTensors(Mlp net)
    {
        ParameterLayout layout = net.Layout;
        var tensors = new List<SafeTensor>(layout.TensorCount);
        for (int t = 0; t < layout.TensorCount; t++)
            tensors.Add(new SafeTensor(layout.Name(t), MlpShape(net, t),
                net.Parameters.AsSpan(layout.Offset(t), layout.Population * layout.MemberSize(t)).ToArray()));
        return tensors;
    }

    private static Dictionary<string, string> MlpMetadata(Mlp net) => new()
    {
        ["layer_sizes"] = string.Join(",", net.LayerSizes.ToArray()),
        ["activations"] = string.Join(",", Enumerable.Range(0, net.LayerCount).Select(l => net.ActivationOf(l).ToString().ToLowerInvariant())),
        ["population"] = net.Population.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Tensor t of the layout: even t = weight [P, out, in], odd t = bias [P, out].</summary>
    private static int[] MlpShape(Mlp net, int tensor)
    {
        int layer = tensor / 2;
        return tensor % 2 == 0
            ? [net.Population, net.LayerSizes[layer + 1], net.LayerSizes[layer]]
            : [net.Population, net.LayerSizes[layer + 1]];
    }

    private static long ElementCount(int[] shape)
    {
        long count = 1;
        foreach (int d in shape) count *= d;
        return count;
    }

    private static void ReadExactly(Stream stream, byte[] buffer, string source, string what)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = stream.Read(buffer, read, buffer.Length - read);
            if (n == 0) throw new InvalidDataException($"{source}: the file is truncated: {what} needs {buffer.Length} bytes, {read} were left.");
            read += n;
        }
    }
}
