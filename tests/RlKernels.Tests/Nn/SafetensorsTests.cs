using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using RlKernels.Kernels.Nn;

namespace RlKernels.Tests.Nn;

public class SafetensorsTests
{
    private static Mlp Net(int population = 3, int hidden = 7) => new([5, hidden, 2], Activation.Tanh, Activation.Identity, population);

    private static byte[] Saved(Mlp net)
    {
        using var stream = new MemoryStream();
        Safetensors.Save(net, stream);
        return stream.ToArray();
    }

    /// <summary>The header JSON of a saved file, and a copy of the file with the header replaced by an edited one.</summary>
    private static byte[] WithHeader(byte[] file, Func<string, string> edit)
    {
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        string header = edit(Encoding.UTF8.GetString(file, 8, length));
        byte[] json = Encoding.UTF8.GetBytes(header);
        var result = new byte[8 + json.Length + file.Length - 8 - length];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)json.Length);
        json.CopyTo(result, 8);
        file.AsSpan(8 + length).CopyTo(result.AsSpan(8 + json.Length));
        return result;
    }

    [Fact]
    public void RoundTripsAPopulationBitForBit()
    {
        var source = Net();
        source.Initialize(4);
        source.Bias(0)[3] = 0.25f;
        byte[] file = Saved(source);
        var target = Net();
        Safetensors.Load(target, new MemoryStream(file));
        Assert.Equal(source.Parameters, target.Parameters);

        // The layout Python sees: 8-byte length, JSON with F32 tensors [P, out, in], data aligned to 8.
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        Assert.Equal(0, length % 8);
        using var doc = JsonDocument.Parse(file.AsMemory(8, length));
        JsonElement w = doc.RootElement.GetProperty("layers.0.weight");
        Assert.Equal("F32", w.GetProperty("dtype").GetString());
        Assert.Equal([3L, 7L, 5L], w.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(8 + length + 4 * source.Layout.TotalCount, file.Length);
    }

    [Theory]
    [InlineData("name", "layers.1.bias", "layers.1.offset")]
    [InlineData("shape", "[3,7,5]", "[3,5,7]")]
    [InlineData("dtype", "\"F32\"", "\"F16\"")]
    public void BadHeadersThrowAndLeaveTheNetworkUnchanged(string what, string from, string to)
    {
        var source = Net();
        source.Initialize(1);
        byte[] bad = WithHeader(Saved(source), h => h.Replace(from, to));
        var target = Net();
        target.Initialize(2);
        float[] before = (float[])target.Parameters.Clone();
        var e = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Load(target, new MemoryStream(bad)));
        Assert.Contains(what == "name" ? "layers.1" : what == "shape" ? "shape" : "dtype", e.Message);
        Assert.Equal(before, target.Parameters);
    }

    [Fact]
    public void TruncatedFilesAndNonFiniteValuesThrowAndLeaveTheNetworkUnchanged()
    {
        var source = Net();
        source.Initialize(1);
        byte[] file = Saved(source);
        var target = Net();
        float[] before = (float[])target.Parameters.Clone();
        foreach (int cut in new[] { 3, 20, file.Length - 1 })
        {
            var e = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Load(target, new MemoryStream(file[..cut])));
            Assert.Contains("truncated", e.Message);
            Assert.Equal(before, target.Parameters);
        }
        source.Weight(1)[4] = float.NaN;
        var nan = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Load(target, new MemoryStream(Saved(source))));
        Assert.Contains("layers.1.weight", nan.Message);
        Assert.Equal(before, target.Parameters);
    }

    [Fact]
    public void ADifferentlyShapedNetworkIsRejected()
    {
        var e = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Load(Net(population: 2), new MemoryStream(Saved(Net()))));
        Assert.Contains("expected [2, 7, 5]", e.Message);
    }
}
