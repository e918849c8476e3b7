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

    /// <summary>The largest header this reader accepts (the safetensors reference implementation's limit).</summary>
    public const int MaxHeaderBytes = 100_000_000;

    /// <summary>Every dtype of the safetensors format; only F32 is loadable here.</summary>
    public static IReadOnlySet<string> KnownDtypes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0",
        "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64", "C64",
    };

    /// <summary>
    /// Reads every tensor and the metadata, checking the file as the safetensors format demands before
    /// anything is handed out: the 8-byte header length is at most <see cref="MaxHeaderBytes"/> and within the
    /// file; the header is strict UTF-8 JSON, an object starting with '{'; "__metadata__" (optional) maps
    /// strings to strings; every other entry is {"dtype": F32, "shape": [non-negative integers],
    /// "data_offsets": [begin, end]} with end − begin = 4 · Π shape; names are unique; sorted by begin, the
    /// tensors tile the data area exactly (no overlap, no hole, nothing after the last); every value is finite.
    /// </summary>
    /// <param name="stream">The file from its current position; it must end where the data area ends.</param>
    /// <param name="source">Names the file in error messages.</param>
    /// <exception cref="SafetensorsFormatException">Any of the above fails; the message names the file, the tensor (when one is at fault) and the problem.</exception>
    /// <exception cref="IOException">The stream itself fails.</exception>
    public static (Dictionary<string, SafeTensor> Tensors, Dictionary<string, string> Metadata) Read(Stream stream, string source = "safetensors")
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors data is little-endian.");
        // HEADER LENGTH: checked against the limit and the file before the header is allocated.
        var lengthBytes = new byte[8];
        ReadExactly(stream, lengthBytes, source, "the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        long? remaining = stream.CanSeek ? stream.Length - stream.Position : null;
        if (headerLength < 2)
            throw new SafetensorsFormatException(source, null, $"the header length is {headerLength}; a header is at least '{{}}' (2 bytes).");
        if (headerLength > MaxHeaderBytes)
            throw new SafetensorsFormatException(source, null, $"the header length {headerLength} is over the limit of {MaxHeaderBytes} bytes.");
        if (remaining is { } left && headerLength > (ulong)left)
            throw new SafetensorsFormatException(source, null, $"the header length {headerLength} runs past the end of the file ({left} bytes follow the length): truncated, or not a safetensors file.");
        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, source, "the header");

        // HEADER: entries checked one by one, then their offsets together.
        var (entries, metadata) = ParseHeader(headerBytes, source);
        long dataLength = CheckTiling(entries, source);

        // DATA: exactly the bytes the tensors cover, nothing after them.
        byte[] data = ReadDataArea(stream, dataLength, source);
        var tensors = new Dictionary<string, SafeTensor>(entries.Count, StringComparer.Ordinal);
        foreach (HeaderEntry e in entries)
        {
            var values = new float[(e.End - e.Begin) / 4];
            MemoryMarshal.Cast<byte, float>(data.AsSpan((int)e.Begin, (int)(e.End - e.Begin))).CopyTo(values);
            int bad = IndexOfNonFinite(values);
            if (bad >= 0)
                throw new SafetensorsFormatException(source, e.Name,
                    $"element {bad} (index [{string.Join(", ", MultiIndex(bad, e.Shape))}]) is {values[bad].ToString(CultureInfo.InvariantCulture)}; weights must be finite.");
            tensors.Add(e.Name, new SafeTensor(e.Name, e.Shape, values));
        }
        return (tensors, metadata);
    }

    /// <summary>Reads a file (see <see cref="Read"/>).</summary>
    /// <exception cref="SafetensorsFormatException">The file is not a well-formed F32 safetensors file.</exception>
    /// <exception cref="IOException">The file is missing or cannot be read (<see cref="FileNotFoundException"/>, …); also <see cref="UnauthorizedAccessException"/>.</exception>
    public static (Dictionary<string, SafeTensor> Tensors, Dictionary<string, string> Metadata) Load(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>The tensor called <paramref name="name"/>, checked against the expected shape.</summary>
    /// <param name="tensors">Tensors as returned by <see cref="Read"/> or <see cref="Load(string)"/>.</param>
    /// <param name="name">Tensor name.</param>
    /// <param name="shape">Expected shape, outermost dimension first.</param>
    /// <param name="source">Names the file in error messages.</param>
    /// <exception cref="SafetensorsFormatException">Missing, or a different shape.</exception>
    public static float[] Require(IReadOnlyDictionary<string, SafeTensor> tensors, string name, ReadOnlySpan<int> shape, string source = "safetensors")
    {
        if (!tensors.TryGetValue(name, out SafeTensor? t))
            throw new SafetensorsFormatException(source, name, $"is missing; the file has: {NameList(tensors.Keys)}.");
        if (!t.Shape.AsSpan().SequenceEqual(shape))
            throw new SafetensorsFormatException(source, name, $"has shape [{string.Join(", ", t.Shape)}]; expected [{string.Join(", ", shape.ToArray())}].");
        return t.Data;
    }

    /// <summary>Up to 12 names for a message, quoted and printable.</summary>
    public static string NameList(IEnumerable<string> names)
    {
        var list = names.ToList();
        if (list.Count == 0) return "(no tensors)";
        string shown = string.Join(", ", list.Take(12).Select(n => $"'{SafetensorsFormatException.Printable(n)}'"));
        return list.Count > 12 ? $"{shown} and {list.Count - 12} more" : shown;
    }

    /// <summary>One tensor entry of the header, checked on its own.</summary>
    private readonly record struct HeaderEntry(string Name, int[] Shape, long Begin, long End);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static (List<HeaderEntry> Entries, Dictionary<string, string> Metadata) ParseHeader(byte[] headerBytes, string source)
    {
        if (headerBytes[0] != (byte)'{')
            throw new SafetensorsFormatException(source, null, $"the header must start with '{{', found byte 0x{headerBytes[0]:x2}.");
        string text;
        try
        {
            text = StrictUtf8.GetString(headerBytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new SafetensorsFormatException(source, null, $"the header is not valid UTF-8 (bad byte at header offset {e.Index}).", e);
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(source, null, $"the header is not valid JSON ({e.Message}).", e);
        }
        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new SafetensorsFormatException(source, null, $"the header must be a JSON object, found {JsonText.Kind(root)}.");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<HeaderEntry>();
            // A JsonDocument keeps every duplicate property in order, so duplicates are caught here.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in root.EnumerateObject())
            {
                string name = NameOf(property, source, null);
                if (!seen.Add(name))
                    throw new SafetensorsFormatException(source, name == "__metadata__" ? null : name,
                        name == "__metadata__" ? "the header has \"__metadata__\" twice." : "appears twice in the header.");
                if (name == "__metadata__") ReadMetadata(property.Value, metadata, source);
                else entries.Add(ParseEntry(name, property.Value, source));
            }
            return (entries, metadata);
        }
    }

    private static void ReadMetadata(JsonElement node, Dictionary<string, string> metadata, string source)
    {
        if (node.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException(source, null, $"\"__metadata__\" must be an object of strings, found {JsonText.Kind(node)}.");
        foreach (JsonProperty item in node.EnumerateObject())
        {
            string name = NameOf(item, source, null), key = SafetensorsFormatException.Printable(name);
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new SafetensorsFormatException(source, null, $"metadata '{key}' must be a string, found {JsonText.Kind(item.Value)}.");
            if (!metadata.TryAdd(name, StringOf(item.Value, source, null)))
                throw new SafetensorsFormatException(source, null, $"metadata '{key}' appears twice.");
        }
    }

    private static HeaderEntry ParseEntry(string name, JsonElement node, string source)
    {
        if (node.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException(source, name, $"the entry must be an object {{dtype, shape, data_offsets}}, found {JsonText.Kind(node)}.");
        JsonElement? dtypeNode = null, shapeNode = null, offsetsNode = null;
        foreach (JsonProperty field in node.EnumerateObject())
        {
            ref JsonElement? slot = ref dtypeNode;
            switch (NameOf(field, source, name))
            {
                case "dtype": break;
                case "shape": slot = ref shapeNode; break;
                case "data_offsets": slot = ref offsetsNode; break;
                default: continue;  // the format allows other keys; they carry nothing this reader needs
            }
            if (slot is not null) throw new SafetensorsFormatException(source, name, $"\"{NameOf(field, source, name)}\" appears twice.");
            slot = field.Value;
        }

        // DTYPE: a known name, and F32.
        if (dtypeNode is not { } dtype) throw new SafetensorsFormatException(source, name, "has no \"dtype\".");
        if (dtype.ValueKind != JsonValueKind.String)
            throw new SafetensorsFormatException(source, name, $"\"dtype\" must be a string, found {JsonText.Kind(dtype)}.");
        string dtypeName = StringOf(dtype, source, name);
        if (!KnownDtypes.Contains(dtypeName))
            throw new SafetensorsFormatException(source, name, $"unknown dtype '{SafetensorsFormatException.Printable(dtypeName)}'; safetensors dtypes are {string.Join(", ", KnownDtypes)}.");
        if (dtypeName != "F32")
            throw new SafetensorsFormatException(source, name, $"unsupported dtype {dtypeName}; only F32 can be loaded.");

        // SHAPE: non-negative integers whose product is an array length.
        if (shapeNode is not { } shapeElement) throw new SafetensorsFormatException(source, name, "has no \"shape\".");
        if (shapeElement.ValueKind != JsonValueKind.Array)
            throw new SafetensorsFormatException(source, name, $"\"shape\" must be an array of integers, found {JsonText.Kind(shapeElement)}.");
        var shape = new int[shapeElement.GetArrayLength()];
        long count = 1;
        bool empty = false;
        int i = 0;
        foreach (JsonElement d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0)
                throw new SafetensorsFormatException(source, name, $"shape entry {i} is {JsonText.Show(d)}; dimensions are non-negative integers.");
            if (dim > int.MaxValue)
                throw new SafetensorsFormatException(source, name, $"shape entry {i} is {dim}; dimensions over {int.MaxValue} are not supported.");
            shape[i++] = (int)dim;
            if (dim == 0) empty = true;
            else if (!empty && count > MaxElements / dim)
                throw new SafetensorsFormatException(source, name, $"shape has more than {MaxElements} elements (entry {i - 1} is {dim}).");
            else if (!empty) count *= dim;
        }
        if (empty) count = 0;

        // DATA_OFFSETS: [begin, end], non-negative, begin ≤ end, end − begin = 4 · count.
        if (offsetsNode is not { } offsets) throw new SafetensorsFormatException(source, name, "has no \"data_offsets\".");
        if (offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw new SafetensorsFormatException(source, name, $"\"data_offsets\" must be [begin, end], found {JsonText.Show(offsets)}.");
        long begin = Offset(offsets[0], "begin"), end = Offset(offsets[1], "end");
        if (end < begin) throw new SafetensorsFormatException(source, name, $"data_offsets [{begin}, {end}] end before they begin.");
        if (end - begin != 4 * count)
            throw new SafetensorsFormatException(source, name,
                $"data_offsets [{begin}, {end}] hold {end - begin} bytes, but F32 shape [{string.Join(", ", shape)}] needs {4 * count}.");
        return new HeaderEntry(name, shape, begin, end);

        long Offset(JsonElement e, string which) =>
            e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v) && v >= 0
                ? v
                : throw new SafetensorsFormatException(source, name, $"data_offsets {which} is {JsonText.Show(e)}; offsets are non-negative integers.");
    }

    /// <summary>
    /// Sorted by begin, the tensors must cover [0, end of data) exactly: the next begins where the previous
    /// ended. Returns the length of the data area they cover.
    /// </summary>
    private static long CheckTiling(List<HeaderEntry> entries, string source)
    {
        var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        long cursor = 0;
        string? previous = null;
        foreach (HeaderEntry e in sorted)
        {
            if (e.Begin < cursor)
                throw new SafetensorsFormatException(source, e.Name, $"data_offsets [{e.Begin}, {e.End}] overlap tensor '{SafetensorsFormatException.Printable(previous!)}', which ends at {cursor}.");
            if (e.Begin > cursor)
                throw new SafetensorsFormatException(source, e.Name, $"data_offsets [{e.Begin}, {e.End}] leave a hole: bytes [{cursor}, {e.Begin}) of the data belong to no tensor.");
            cursor = e.End;
            previous = e.Name;
        }
        return cursor;
    }

    /// <summary>The data area: exactly <paramref name="length"/> bytes, then the end of the stream.</summary>
    private static byte[] ReadDataArea(Stream stream, long length, string source)
    {
        if (stream.CanSeek)
        {
            long available = stream.Length - stream.Position;
            if (available < length)
                throw new SafetensorsFormatException(source, null, $"the file is truncated: the tensors cover {length} bytes of data, the file has {available}.");
            if (available > length)
                throw new SafetensorsFormatException(source, null, $"the file has {available - length} bytes after the last tensor's data (the tensors cover {length} of {available}).");
        }
        if (length > Array.MaxLength)
            throw new SafetensorsFormatException(source, null, $"the data area of {length} bytes is larger than this reader can hold ({Array.MaxLength}).");
        // Seekable: the size is known to be right. Otherwise read in chunks, so a lying header cannot make
        // this allocate more than the stream really holds.
        byte[] data;
        if (stream.CanSeek)
        {
            data = new byte[length];
            ReadExactly(stream, data, source, "the tensor data");
        }
        else
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            while (buffer.Length < length)
            {
                int n = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, length - buffer.Length));
                if (n == 0)
                    throw new SafetensorsFormatException(source, null, $"the file is truncated: the tensors cover {length} bytes of data, the file has {buffer.Length}.");
                buffer.Write(chunk, 0, n);
            }
            data = buffer.ToArray();
        }
        if (stream.Read(new byte[1], 0, 1) != 0)
            throw new SafetensorsFormatException(source, null, $"the file has bytes after the last tensor's data (the tensors cover {length}).");
        return data;
    }

    /// <summary>The most float32 values one tensor may hold (the longest .NET array).</summary>
    private static readonly long MaxElements = Array.MaxLength;

    private static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    /// <summary>The row-major index of flat element <paramref name="flat"/> of <paramref name="shape"/>.</summary>
    private static int[] MultiIndex(int flat, int[] shape)
    {
        var index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    // JSON allows "\ud800" (half of a UTF-16 pair) in a string, which no .NET string can be decoded to; the
    // reader's accessors then throw InvalidOperationException. Both are a malformed header.
    private const string UnpairedSurrogate = "a string in the header has an unpaired surrogate escape (\\uD800-\\uDFFF alone), which is not text.";

    private static string NameOf(JsonProperty property, string source, string? tensor)
    {
        try { return property.Name; }
        catch (InvalidOperationException e) { throw new SafetensorsFormatException(source, tensor, UnpairedSurrogate, e); }
    }

    private static string StringOf(JsonElement element, string source, string? tensor)
    {
        try { return element.GetString()!; }
        catch (InvalidOperationException e) { throw new SafetensorsFormatException(source, tensor, UnpairedSurrogate, e); }
    }

    // MLP PARAMETERS

    /// <summary>Writes every parameter tensor of <paramref name="net"/> plus metadata (sizes, activations, population).</summary>
    public static void Save(Mlp net, Stream stream) => Write(stream, MlpTensors(net), MlpMetadata(net));

    /// <summary>Saves <paramref name="net"/> to a file.</summary>
    public static void Save(Mlp net, string path) => Save(path, MlpTensors(net), MlpMetadata(net));

    /// <summary>
    /// Loads parameters into <paramref name="net"/>. Every tensor must be present with dtype F32 and the
    /// network's shape, nothing else may be there, and every value must be finite; otherwise
    /// <see cref="SafetensorsFormatException"/> names the problem and the network is left unchanged.
    /// </summary>
    /// <param name="net">Network whose parameters are overwritten.</param>
    /// <param name="stream">Safetensors data, read from its current position.</param>
    /// <param name="source">Names the stream in error messages.</param>
    public static void Load(Mlp net, Stream stream, string source = "safetensors") => LoadInto(net, Read(stream, source).Tensors, source);

    /// <summary>Loads a file into <paramref name="net"/> (see <see cref="Load(Mlp, Stream, string)"/>).</summary>
    public static void Load(Mlp net, string path) => LoadInto(net, Load(path).Tensors, path);

    private static void LoadInto(Mlp net, IReadOnlyDictionary<string, SafeTensor> tensors, string source)
    {
        ParameterLayout layout = net.Layout;
        var expected = new HashSet<string>(Enumerable.Range(0, layout.TensorCount).Select(layout.Name));
        foreach (string name in tensors.Keys)
            if (!expected.Contains(name))
                throw new SafetensorsFormatException(source, name, $"is not a tensor of this network, which has {NameList(expected)}.");
        // Stage everything first: the network changes only when the whole file checks out. (Read has
        // already refused non-finite values.)
        var staged = new float[layout.TotalCount];
        for (int t = 0; t < layout.TensorCount; t++)
            Require(tensors, layout.Name(t), MlpShape(net, t), source).CopyTo(staged.AsSpan(layout.Offset(t)));
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
            if (n == 0) throw new SafetensorsFormatException(source, null, $"the file is truncated: {what} needs {buffer.Length} bytes, {read} were left.");
            read += n;
        }
    }
}
