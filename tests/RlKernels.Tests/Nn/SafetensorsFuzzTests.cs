using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using RlKernels.Algorithms.Deep;
using RlKernels.Envs;
using RlKernels.Envs.Registry;
using RlKernels.Kernels.Nn;

namespace RlKernels.Tests.Nn;

/// <summary>
/// Thousands of mutations (fixed seed) of real model files written by the code: each mutated file either loads
/// or raises <see cref="SafetensorsFormatException"/>, nothing else; a refused file leaves the network unchanged.
/// </summary>
public class SafetensorsFuzzTests
{
    private const int Seed = 20_250_610;

    [Fact]
    public void EveryMutatedMlpFileLoadsOrRaisesTheFormatException()
    {
        var source = new Mlp([4, 8, 3], Activation.Tanh, Activation.Identity, population: 2);
        source.Initialize(7);
        using var stream = new MemoryStream();
        Safetensors.Save(source, stream);
        byte[] original = stream.ToArray();

        var target = new Mlp([4, 8, 3], Activation.Tanh, Activation.Identity, population: 2);
        target.Initialize(9);
        float[] before = (float[])target.Parameters.Clone();
        var outcome = Fuzz(original, 2500, Seed, mutated =>
        {
            try
            {
                Safetensors.Load(target, new MemoryStream(mutated), "fuzz.safetensors");
            }
            catch (SafetensorsFormatException)
            {
                Assert.Equal(before, target.Parameters);  // a refused file changes nothing
                throw;
            }
            Assert.All(target.Parameters, v => Assert.True(float.IsFinite(v)));
            before.CopyTo(target.Parameters, 0);
        });
        outcome.AssertBothOutcomes();
    }

    [Theory]
    [InlineData("CartPole-v1")]   // categorical: weights and biases
    [InlineData("Pendulum-v1")]   // Gaussian: plus log_std, tanh squash
    public void EveryMutatedPolicyFileLoadsOrRaisesTheFormatException(string envId)
    {
        using var probe = EnvRegistry.Make(envId, 1);
        EnvSpec spec = probe.Spec;
        var net = new Mlp([spec.ObsSize, 6, spec.Action.Count], Activation.Tanh, Activation.Identity, population: 2);
        net.Initialize(3);
        var policy = new PolicyNet(spec, net, -0.5f) { TanhSquash = !spec.Action.IsDiscrete };
        string path = Path.Combine(Path.GetTempPath(), $"rlk-fuzz-{Guid.NewGuid():N}.safetensors");
        try
        {
            policy.Save(path, new Dictionary<string, string> { ["algo"] = "ppo", ["env_args"] = "[\"normalize_obs=true\"]" });
            byte[] original = File.ReadAllBytes(path);
            Assert.Equal(net.Parameters, PolicyNet.Load(path, spec).Net.Parameters);

            var outcome = Fuzz(original, 600, Seed + envId.Length, mutated =>
            {
                File.WriteAllBytes(path, mutated);
                var loaded = PolicyNet.Load(path, spec);
                Assert.All(loaded.Net.Parameters, v => Assert.True(float.IsFinite(v)));
            });
            outcome.AssertBothOutcomes();
        }
        finally { File.Delete(path); }
    }

    private sealed record Outcome(int Loaded, int Refused, HashSet<string> Problems)
    {
        /// <summary>The fuzzer must exercise both sides and many different checks, or it proves little.</summary>
        public void AssertBothOutcomes()
        {
            Assert.True(Loaded >= 20, $"only {Loaded} mutated files loaded");
            Assert.True(Refused >= 500, $"only {Refused} mutated files were refused");
            Assert.True(Problems.Count >= 25, $"only {Problems.Count} distinct problems: {string.Join(" | ", Problems)}");
        }
    }

    /// <summary>Runs <paramref name="load"/> on <paramref name="count"/> mutations; any exception but the format one fails the test.</summary>
    private static Outcome Fuzz(byte[] original, int count, int seed, Action<byte[]> load)
    {
        var rng = new Random(seed);
        int loaded = 0, refused = 0;
        var problems = new HashSet<string>();
        var wrong = new List<string>();
        for (int i = 0; i < count; i++)
        {
            byte[] mutated = original;
            var applied = new List<string>();
            for (int m = rng.Next(1, 4); m > 0; m--) mutated = Mutate(mutated, rng, applied);
            try
            {
                load(mutated);
                loaded++;
            }
            catch (SafetensorsFormatException e)
            {
                refused++;
                if (e.Message.Contains('\n')) wrong.Add($"#{i} [{string.Join(", ", applied)}]: a message of several lines: {e.Message}");
                // The problem without the numbers: how many different checks the fuzzer reached.
                problems.Add(Regex.Replace(e.Problem, @"'[^']*'|\d+|\[[^\]]*\]", "#"));
            }
            catch (Exception e)
            {
                wrong.Add($"#{i} [{string.Join(", ", applied)}]: {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {count} mutated files raised something else:\n{string.Join("\n", wrong.Take(10))}");
        return new Outcome(loaded, refused, problems);
    }

    // MUTATIONS

    private static readonly byte[] InterestingBytes = [0x00, 0xFF, 0x7B, 0x7D, 0x22, 0x2C, 0x5B, 0x5D, 0x3A, 0x20, 0x80, 0xC3, 0x30, 0x39, 0x2D, 0x2E, 0x65];

    private static readonly string[] NumberReplacements =
    [
        "-1", "0", "-0", "1.5", "1e3", "2147483648", "4294967296", "1099511627776", "1099511627775", "1099511627780",
        "9223372036854775807", "18446744073709551615", "18446744073709551616", "\"7\"", "null", "[]", "{}", "true", "NaN", "99999999999999999999999",
    ];

    private static readonly string[] StringReplacements =
    [
        "\"F16\"", "\"F31\"", "\"BF16\"", "\"F64\"", "\"\"", "32", "null", "[]", "{}", "\"__metadata__\"", "\"dtype\"", "\"shape\"",
        "\"data_offsets\"", "\"\\u0000\"", "\"a\\nb\"", "\"\\ud800\"", "\"4,-1,2\"", "\"4,99999999,2\"", "\"7\"", "\"Relu\"", "\"[1,2]\"", "\"[\\\"x\\\"]\"",
    ];

    private static byte[] Mutate(byte[] file, Random rng, List<string> applied)
    {
        switch (rng.Next(10))
        {
            case 0:
            {
                if (file.Length == 0) return file;
                var copy = (byte[])file.Clone();
                int at = HeaderBiasedPosition(copy, rng);
                copy[at] ^= (byte)(1 << rng.Next(8));
                applied.Add($"bit flip at {at}");
                return copy;
            }
            case 1:
            {
                if (file.Length == 0) return file;
                var copy = (byte[])file.Clone();
                int at = HeaderBiasedPosition(copy, rng);
                copy[at] = rng.Next(2) == 0 ? InterestingBytes[rng.Next(InterestingBytes.Length)] : (byte)rng.Next(256);
                applied.Add($"byte {copy[at]:x2} at {at}");
                return copy;
            }
            case 2:
            {
                int length = rng.Next(file.Length + 1);
                applied.Add($"truncate to {length}");
                return file[..length];
            }
            case 3:
            {
                int extra = rng.Next(1, 40);
                byte fill = rng.Next(3) switch { 0 => 0, 1 => (byte)' ', _ => (byte)rng.Next(256) };
                applied.Add($"extend by {extra} × {fill:x2}");
                return [.. file, .. Enumerable.Repeat(fill, extra)];
            }
            case 4:
            {
                if (file.Length < 8) return file;
                var copy = (byte[])file.Clone();
                ulong current = BinaryPrimitives.ReadUInt64LittleEndian(copy);
                ulong[] choices = [0, 1, 2, current - 1, current + 1, current - 8, current + 8, 100_000_000, 100_000_001, 1UL << 40, (1UL << 40) - 1, ulong.MaxValue, (ulong)file.Length, (ulong)rng.Next()];
                ulong length = choices[rng.Next(choices.Length)];
                BinaryPrimitives.WriteUInt64LittleEndian(copy, length);
                applied.Add($"header length {length}");
                return copy;
            }
            case 5: case 6: case 7:
                return EditJson(file, rng, applied);
            case 8:
            {
                // A non-finite (or huge, or subnormal) float at a random aligned place of the data.
                int headerEnd = HeaderEnd(file);
                if (file.Length - headerEnd < 4) return file;
                var copy = (byte[])file.Clone();
                int at = headerEnd + 4 * rng.Next((file.Length - headerEnd) / 4);
                float[] values = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, float.Epsilon, -0f];
                float value = values[rng.Next(values.Length)];
                BinaryPrimitives.WriteSingleLittleEndian(copy.AsSpan(at), value);
                applied.Add($"float {value} at {at}");
                return copy;
            }
            default:
            {
                // Invalid UTF-8 inside the header.
                int headerEnd = HeaderEnd(file);
                if (headerEnd <= 9) return file;
                byte[][] bad = [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xC0, 0xAF]];
                byte[] insert = bad[rng.Next(bad.Length)];
                int at = rng.Next(9, headerEnd);
                applied.Add($"invalid UTF-8 {Convert.ToHexString(insert)} at {at}");
                return WithHeaderBytes(file, h => [.. h[..(at - 8)], .. insert, .. h[(at - 8)..]]);
            }
        }
    }

    /// <summary>An edit of the header JSON as text; the length field is rewritten to match.</summary>
    private static byte[] EditJson(byte[] file, Random rng, List<string> applied)
    {
        if (HeaderEnd(file) <= 8) return file;
        return WithHeaderBytes(file, headerBytes =>
        {
            string h = Encoding.UTF8.GetString(headerBytes);
            string edited;
            switch (rng.Next(9))
            {
                case 0:
                    edited = ReplaceRandomMatch(h, @"-?\d+(\.\d+)?([eE][-+]?\d+)?", _ => NumberReplacements[rng.Next(NumberReplacements.Length)], rng);
                    applied.Add("number replaced");
                    break;
                case 1:
                    edited = ReplaceRandomMatch(h, "\"(?:[^\"\\\\]|\\\\.)*\"", _ => StringReplacements[rng.Next(StringReplacements.Length)], rng);
                    applied.Add("string replaced");
                    break;
                case 2:
                    // Duplicate an entry (a tensor, a metadata item or a field of an entry).
                    edited = ReplaceRandomMatch(h, "\"[^\"]+\":(\\{[^{}]*\\}|\\[[^\\[\\]]*\\]|\"[^\"]*\")", m => m.Value + "," + m.Value, rng);
                    applied.Add("entry duplicated");
                    break;
                case 3:
                    edited = ReplaceRandomMatch(h, ",?\"[^\"]+\":(\\{[^{}]*\\}|\\[[^\\[\\]]*\\]|\"[^\"]*\")", _ => "", rng);
                    applied.Add("entry removed");
                    break;
                case 4:
                {
                    // Swap two numbers (offsets of different tensors, dimensions).
                    var numbers = Regex.Matches(h, @"\d+").ToList();
                    if (numbers.Count < 2) { edited = h; break; }
                    var (x, y) = (numbers[rng.Next(numbers.Count)], numbers[rng.Next(numbers.Count)]);
                    if (x.Index > y.Index) (x, y) = (y, x);
                    edited = x.Index == y.Index ? h
                        : h[..x.Index] + y.Value + h[(x.Index + x.Length)..y.Index] + x.Value + h[(y.Index + y.Length)..];
                    applied.Add("numbers swapped");
                    break;
                }
                case 5:
                {
                    string[] inserts = ["\"__metadata__\":5,", "\"__metadata__\":{\"k\":[1]},", "\"x\":" + new string('[', 100) + new string(']', 100) + ",",
                        "\"x\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},", "\"x\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[1099511627776,1099511627776]},",
                        "\"x\":null,", "\"\":{},", "\"x\":{\"dtype\":\"F32\",\"shape\":[268435456],\"data_offsets\":[0,1073741824]},"];
                    edited = "{" + inserts[rng.Next(inserts.Length)] + h[1..];
                    applied.Add("entry inserted");
                    break;
                }
                case 6:
                {
                    int at = rng.Next(h.Length);
                    edited = h.Remove(at, 1);
                    applied.Add($"character {at} deleted");
                    break;
                }
                case 7:
                {
                    string punctuation = "{}[]:,\" -.e0";
                    int at = rng.Next(h.Length + 1);
                    edited = h.Insert(at, punctuation[rng.Next(punctuation.Length)].ToString());
                    applied.Add($"punctuation inserted at {at}");
                    break;
                }
                default:
                    edited = (rng.Next(2) == 0 ? "\uFEFF" : " ") + h;
                    applied.Add("prefix before '{'");
                    break;
            }
            return Encoding.UTF8.GetBytes(edited);
        });
    }

    private static string ReplaceRandomMatch(string text, string pattern, Func<Match, string> replacement, Random rng)
    {
        var matches = Regex.Matches(text, pattern);
        if (matches.Count == 0) return text;
        Match m = matches[rng.Next(matches.Count)];
        return text[..m.Index] + replacement(m) + text[(m.Index + m.Length)..];
    }

    /// <summary>Where the header ends by the file's own length field, clamped to the file.</summary>
    private static int HeaderEnd(byte[] file)
    {
        if (file.Length < 8) return file.Length;
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file);
        return (int)Math.Min((ulong)file.Length, 8 + Math.Min(length, (ulong)file.Length));
    }

    /// <summary>The file with its header bytes replaced and the length field set to the new header's length.</summary>
    private static byte[] WithHeaderBytes(byte[] file, Func<byte[], byte[]> edit)
    {
        int end = HeaderEnd(file);
        byte[] header = edit(file[8..end]);
        var result = new byte[8 + header.Length + file.Length - end];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)header.Length);
        header.CopyTo(result, 8);
        file.AsSpan(end).CopyTo(result.AsSpan(8 + header.Length));
        return result;
    }

    /// <summary>A position in the file, in the length field or header two times in three.</summary>
    private static int HeaderBiasedPosition(byte[] file, Random rng)
    {
        int headerEnd = Math.Max(1, HeaderEnd(file));
        return rng.Next(3) < 2 ? rng.Next(headerEnd) : rng.Next(file.Length);
    }
}
