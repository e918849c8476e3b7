using System.Buffers.Binary;
using System.Text;
using RlKernels.Kernels.Nn;

namespace RlKernels.Tests.Nn;

/// <summary>
/// One test per rule of the safetensors format: each bad file raises <see cref="SafetensorsFormatException"/>
/// whose one-line message names the file, the tensor at fault and the problem.
/// </summary>
public class SafetensorsFormatTests
{
    private const string Source = "model.safetensors";

    // "a": F32 [2, 3] = bytes [0, 24); "b": F32 [2] = bytes [24, 32).
    private const string A = "\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}";
    private const string B = "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]}";

    private static byte[] Data(int floats)
    {
        var data = new byte[4 * floats];
        for (int i = 0; i < floats; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), 0.5f + i);
        return data;
    }

    /// <summary>8-byte length, then <paramref name="header"/>, then <paramref name="data"/>.</summary>
    private static byte[] File(byte[] header, byte[] data, ulong? declaredLength = null)
    {
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, declaredLength ?? (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    private static byte[] File(string header, byte[] data) => File(Encoding.UTF8.GetBytes(header), data);

    private static SafetensorsFormatException Refused(byte[] file)
    {
        var e = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Read(new MemoryStream(file), Source));
        Assert.StartsWith(Source + ": ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Fact]
    public void AWellFormedFileLoadsWithPaddingZeroSizedTensorsAndMetadata()
    {
        string header = "{\"__metadata__\":{\"k\":\"v\"}," + A + ",\"empty\":{\"dtype\":\"F32\",\"shape\":[0,5],\"data_offsets\":[24,24]}," + B + "}    ";
        var (tensors, metadata) = Safetensors.Read(new MemoryStream(File(header, Data(8))), Source);
        Assert.Equal("v", metadata["k"]);
        Assert.Equal([0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f], tensors["a"].Data);
        Assert.Equal([6.5f, 7.5f], tensors["b"].Data);
        Assert.Empty(tensors["empty"].Data);
        Assert.Equal([0, 5], tensors["empty"].Shape);
        // An empty header and no data: a file with no tensors.
        Assert.Empty(Safetensors.Read(new MemoryStream(File("{}", [])), Source).Tensors);
    }

    [Theory]
    [InlineData(0UL, "header length is 0")]
    [InlineData(1UL, "header length is 1")]
    [InlineData(100_000_001UL, "over the limit of 100000000 bytes")]
    [InlineData(1UL << 40, "over the limit")]
    [InlineData(ulong.MaxValue, "over the limit")]
    [InlineData(5000UL, "runs past the end of the file")]
    public void TheHeaderLengthMustBeWithinTheLimitAndTheFile(ulong declared, string problem)
    {
        var e = Refused(File(Encoding.UTF8.GetBytes("{" + A + "}"), Data(6), declared));
        Assert.Contains(problem, e.Message);
        Assert.Null(e.Tensor);
    }

    [Fact]
    public void AFileShorterThanTheLengthFieldIsTruncated() =>
        Assert.Contains("truncated", Refused([1, 0, 0]).Message);

    [Theory]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF }, "must start with '{'")]  // a UTF-8 byte-order mark
    [InlineData(new byte[] { (byte)' ' }, "must start with '{'")]
    public void TheHeaderMustStartWithABrace(byte[] prefix, string problem)
    {
        byte[] header = [.. prefix, .. Encoding.UTF8.GetBytes("{" + A + "}")];
        Assert.Contains(problem, Refused(File(header, Data(6))).Message);
    }

    [Fact]
    public void InvalidUtf8IsRefusedByTheStrictDecoder()
    {
        byte[] header = Encoding.UTF8.GetBytes("{" + A.Replace("\"a\"", "\"a\u00e9\"") + "}");
        int at = Array.IndexOf(header, (byte)0xC3);
        header[at + 1] = 0x28;  // 0xC3 0x28: a lead byte without its continuation byte
        var e = Refused(File(header, Data(6)));
        Assert.Contains("not valid UTF-8", e.Message);
        Assert.Contains($"offset {at}", e.Message);
    }

    [Theory]
    [InlineData("""{"a":""", "not valid JSON")]
    [InlineData("{}x", "not valid JSON")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24],}}""", "not valid JSON")]
    public void TheHeaderMustBeJson(string header, string problem) =>
        Assert.Contains(problem, Refused(File(header, Data(6))).Message);

    [Fact]
    public void NestingDeeperThanTheParserAllowsIsAFormatError()
    {
        string deep = "{\"__metadata__\":" + new string('[', 200) + new string(']', 200) + "}";
        Assert.Contains("not valid JSON", Refused(File(deep, [])).Message);
    }

    [Theory]
    [InlineData("""{"__metadata__":"x"}""", "\"__metadata__\" must be an object of strings, found a string")]
    [InlineData("""{"__metadata__":[]}""", "found an array")]
    [InlineData("""{"__metadata__":{"k":1}}""", "metadata 'k' must be a string, found a number")]
    [InlineData("""{"__metadata__":{"k":null}}""", "metadata 'k' must be a string, found null")]
    [InlineData("""{"__metadata__":{"k":"1","k":"2"}}""", "metadata 'k' appears twice")]
    [InlineData("""{"__metadata__":{},"__metadata__":{}}""", "\"__metadata__\" twice")]
    public void MetadataMustMapStringsToStrings(string header, string problem) =>
        Assert.Contains(problem, Refused(File(header, [])).Message);

    [Theory]
    [InlineData("""{"a":[1,2]}""", "the entry must be an object")]
    [InlineData("""{"a":{"shape":[2,3],"data_offsets":[0,24]}}""", "has no \"dtype\"")]
    [InlineData("""{"a":{"dtype":32,"shape":[2,3],"data_offsets":[0,24]}}""", "\"dtype\" must be a string, found a number")]
    [InlineData("""{"a":{"dtype":"F31","shape":[2,3],"data_offsets":[0,24]}}""", "unknown dtype 'F31'")]
    [InlineData("""{"a":{"dtype":"f32","shape":[2,3],"data_offsets":[0,24]}}""", "unknown dtype 'f32'")]
    [InlineData("""{"a":{"dtype":"F16","shape":[2,3],"data_offsets":[0,12]}}""", "unsupported dtype F16; only F32")]
    [InlineData("""{"a":{"dtype":"F64","shape":[2,3],"data_offsets":[0,48]}}""", "unsupported dtype F64")]
    [InlineData("""{"a":{"dtype":"F32","dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}""", "\"dtype\" appears twice")]
    [InlineData("""{"a":{"dtype":"F32","data_offsets":[0,24]}}""", "has no \"shape\"")]
    [InlineData("""{"a":{"dtype":"F32","shape":"2,3","data_offsets":[0,24]}}""", "\"shape\" must be an array of integers, found a string")]
    [InlineData("""{"a":{"dtype":"F32","shape":{"0":2},"data_offsets":[0,24]}}""", "found an object")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2,-3],"data_offsets":[0,24]}}""", "shape entry 1 is -3; dimensions are non-negative integers")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2,1.5],"data_offsets":[0,24]}}""", "shape entry 1 is 1.5")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2,"3"],"data_offsets":[0,24]}}""", "shape entry 1 is \"3\"")]
    [InlineData("""{"a":{"dtype":"F32","shape":[6e0],"data_offsets":[0,24]}}""", "shape entry 0 is 6e0")]
    [InlineData("""{"a":{"dtype":"F32","shape":[4294967296,1],"data_offsets":[0,24]}}""", "dimensions over 2147483647")]
    [InlineData("""{"a":{"dtype":"F32","shape":[18446744073709551616],"data_offsets":[0,24]}}""", "non-negative integers")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,24]}}""", "has more than")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2,3]}}""", "has no \"data_offsets\"")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[24]}}""", "must be [begin, end], found [24]")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24,48]}}""", "must be [begin, end]")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2,3],"data_offsets":{"0":0}}}""", "must be [begin, end]")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[-8,16]}}""", "data_offsets begin is -8")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,"24"]}}""", "data_offsets end is \"24\"")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,2.4e1]}}""", "data_offsets end is 2.4e1")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,18446744073709551615]}}""", "data_offsets end is 18446744073709551615")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[24,0]}}""", "end before they begin")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}""", "hold 20 bytes, but F32 shape [2, 3] needs 24")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[1099511627776,1099511627800]}}""", "leave a hole: bytes [0, 1099511627776)")]
    [InlineData("""{"a":{"dtype":"F32","shape":[274877906944],"data_offsets":[0,1099511627776]}}""", "dimensions over 2147483647")]
    [InlineData("""{"a":{"dtype":"F32","shape":[65536,4194304],"data_offsets":[0,1099511627776]}}""", "has more than")]
    [InlineData("""{"a":{"dtype":"\udc00","shape":[2,3],"data_offsets":[0,24]}}""", "unpaired surrogate")]
    public void EachEntryIsCheckedAndTheMessageNamesTheTensor(string header, string problem)
    {
        var e = Refused(File(header, Data(6)));
        Assert.Contains(problem, e.Message);
        Assert.Equal("a", e.Tensor);
        Assert.Contains("tensor 'a'", e.Message);
    }

    [Theory]
    [InlineData("{" + A + "," + A + "}", 6, "a", "appears twice in the header")]
    [InlineData("{" + A + ""","b":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}}""", 6, "b", "overlap tensor 'a', which ends at 24")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[4,28]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8, "a", "overlap tensor 'b', which ends at 8")]
    [InlineData("{" + A + ""","b":{"dtype":"F32","shape":[2],"data_offsets":[28,36]}}""", 9, "b", "leave a hole: bytes [24, 28)")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[4,28]}}""", 7, "a", "leave a hole: bytes [0, 4)")]
    [InlineData("""{"z":{"dtype":"F32","shape":[0],"data_offsets":[12,12]},""" + A + "}", 6, "z", "overlap tensor 'a'")]
    public void TheTensorsMustTileTheDataWithoutOverlapHolesOrDuplicates(string header, int floats, string tensor, string problem)
    {
        var e = Refused(File(header, Data(floats)));
        Assert.Contains(problem, e.Message);
        Assert.Equal(tensor, e.Tensor);
    }

    [Theory]
    [InlineData(7, "truncated: the tensors cover 32 bytes of data, the file has 28")]
    [InlineData(9, "4 bytes after the last tensor's data")]
    public void TheDataAreaEndsWhereTheLastTensorEnds(int floats, string problem)
    {
        var e = Refused(File("{" + A + "," + B + "}", Data(floats)));
        Assert.Contains(problem, e.Message);
        Assert.Null(e.Tensor);
    }

    [Theory]
    [InlineData(float.NaN, 4, "a", "element 4 (index [1, 1]) is NaN")]
    [InlineData(float.PositiveInfinity, 7, "b", "element 1 (index [1]) is Infinity")]
    [InlineData(float.NegativeInfinity, 0, "a", "element 0 (index [0, 0]) is -Infinity")]
    public void NonFiniteWeightsAreRefusedNamingTheTensorAndTheIndex(float value, int at, string tensor, string problem)
    {
        byte[] data = Data(8);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * at), value);
        var e = Refused(File("{" + A + "," + B + "}", data));
        Assert.Equal(tensor, e.Tensor);
        Assert.Contains(problem, e.Message);
        Assert.Contains("weights must be finite", e.Message);
    }

    [Fact]
    public void AnUnpairedSurrogateEscapeInANameIsAFormatError()
    {
        var e = Refused(File("{" + A + ",\"\\ud800\":{}}", Data(6)));
        Assert.Contains("unpaired surrogate", e.Message);
    }

    [Fact]
    public void AHostileNameCannotBreakTheOneLineMessage()
    {
        var e = Refused(File("{\"x\\ny\":{\"dtype\":\"F31\",\"shape\":[],\"data_offsets\":[0,4]}}", Data(1)));
        Assert.Contains("tensor 'x\\u000ay'", e.Message);
    }

    [Fact]
    public void ANonSeekableStreamIsReadInChunksSoALyingHeaderAllocatesNothingBig()
    {
        byte[] ok = File("{" + A + "," + B + "}", Data(8));
        Assert.Equal(2, Safetensors.Read(new ForwardOnlyStream(ok), Source).Tensors.Count);
        // 2 GB of data announced, 24 bytes present: truncated, found while reading 24 bytes.
        // The same on a seekable stream is refused from its length before anything is read.
        byte[] lying = File("{\"a\":{\"dtype\":\"F32\",\"shape\":[500000000],\"data_offsets\":[0,2000000000]}}", Data(6));
        Assert.Contains("truncated: the tensors cover 2000000000 bytes of data, the file has 24", Refused(lying).Message);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Read(new ForwardOnlyStream(lying), Source));
        Assert.Contains("truncated", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000);
        // Trailing bytes are found on a forward-only stream too.
        Assert.Contains("after the last tensor", Assert.Throws<SafetensorsFormatException>(
            () => Safetensors.Read(new ForwardOnlyStream(File("{" + A + "," + B + "}", Data(9))), Source)).Message);
    }

    [Fact]
    public void RequireNamesTheFileTheTensorAndTheShapes()
    {
        var (tensors, _) = Safetensors.Read(new MemoryStream(File("{" + A + "," + B + "}", Data(8))), Source);
        var missing = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Require(tensors, "c", [2], Source));
        Assert.Equal($"{Source}: tensor 'c': is missing; the file has: 'a', 'b'.", missing.Message);
        var shape = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Require(tensors, "a", [3, 2], Source));
        Assert.Equal($"{Source}: tensor 'a': has shape [2, 3]; expected [3, 2].", shape.Message);
    }

    [Fact]
    public void AMissingFileIsAnIoErrorNotAFormatError()
    {
        string path = Path.Combine(Path.GetTempPath(), $"rlk-missing-{Guid.NewGuid():N}.safetensors");
        Assert.Throws<FileNotFoundException>(() => Safetensors.Load(path));
    }

    /// <summary>A stream that cannot seek or report its length (a pipe).</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
