using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text.Json.Serialization;
using RlKernels.Envs.Registry;
using RlKernels.Kernels.Gpu;
using RlKernels.Kernels.Lanes;
using Spectre.Console;

namespace RlKernels.Cli.Commands;

/// <summary>One ILGPU accelerator.</summary>
public sealed record AcceleratorInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("memory_bytes")] long MemoryBytes);

/// <summary>What <c>rlk info</c> reports.</summary>
public sealed record MachineInfo
{
    [JsonPropertyName("cores")] public required int Cores { get; init; }
    [JsonPropertyName("cpu_model")] public required string? CpuModel { get; init; }
    [JsonPropertyName("simd_width")] public required int SimdWidth { get; init; }
    [JsonPropertyName("simd_lane")] public required string SimdLane { get; init; }
    /// <summary>What chose the width: "hardware", "RLK_LANES" or "--lanes".</summary>
    [JsonPropertyName("simd_source")] public required string SimdSource { get; init; }
    /// <summary>Why this width, in words.</summary>
    [JsonPropertyName("simd_reason")] public required string SimdReason { get; init; }
    [JsonPropertyName("vector512_accelerated")] public required bool Vector512Accelerated { get; init; }
    [JsonPropertyName("vector256_accelerated")] public required bool Vector256Accelerated { get; init; }
    [JsonPropertyName("vector128_accelerated")] public required bool Vector128Accelerated { get; init; }
    [JsonPropertyName("avx512f")] public required bool Avx512F { get; init; }
    [JsonPropertyName("avx2")] public required bool Avx2 { get; init; }
    [JsonPropertyName("dotnet")] public required string DotNet { get; init; }
    [JsonPropertyName("os")] public required string Os { get; init; }
    [JsonPropertyName("envs")] public required IReadOnlyList<string> Envs { get; init; }
    [JsonPropertyName("accelerators")] public required IReadOnlyList<AcceleratorInfo> Accelerators { get; init; }
    /// <summary>Why accelerators could not be listed, when ILGPU failed.</summary>
    [JsonPropertyName("accelerator_error")] public string? AcceleratorError { get; init; }
}

/// <summary><c>rlk info</c>: the machine as RlKernels sees it (cores, SIMD width, .NET, envs, ILGPU devices).</summary>
public static class InfoCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var command = new Command("info", "Show cores, SIMD width, .NET version, registered envs and GPU accelerators.") { json };
        command.SetAction(parse => Run(parse.GetValue(json), parse.InvocationConfiguration.Output));
        return command;
    }

    /// <summary>Writes the report to <paramref name="output"/>; returns <see cref="ExitCodes.Ok"/>.</summary>
    public static int Run(bool json, TextWriter output)
    {
        var info = Collect();
        if (json)
        {
            output.WriteLine(CliJson.Serialize(info, indented: true));
            return ExitCodes.Ok;
        }

        var console = CliConsole.For(output);
        var grid = new Spectre.Console.Grid().AddColumn().AddColumn();
        void Row(string key, string value) => grid.AddRow(new Text(key), new Text(value));
        Row("cores", info.Cores.ToString(CultureInfo.InvariantCulture));
        Row("cpu", info.CpuModel ?? "(unknown)");
        Row("simd in use", info.SimdLane);
        Row("simd chosen by", info.SimdReason);
        Row("Vector512 accelerated", YesNo(info.Vector512Accelerated));
        Row("Vector256 accelerated", YesNo(info.Vector256Accelerated));
        Row("Vector128 accelerated", YesNo(info.Vector128Accelerated));
        Row("Avx512F", YesNo(info.Avx512F));
        Row("Avx2", YesNo(info.Avx2));
        Row(".NET", info.DotNet);
        Row("os", info.Os);
        Row("envs", string.Join(" ", info.Envs));
        if (info.Accelerators.Count == 0)
            Row("accelerators", info.AcceleratorError is null ? "(none)" : $"(none: {info.AcceleratorError})");
        foreach (var (a, i) in info.Accelerators.Select((a, i) => (a, i)))
            Row(i == 0 ? "accelerators" : "", a.MemoryBytes == long.MaxValue ? $"{a.Type}: {a.Name}" : $"{a.Type}: {a.Name} ({FormatBytes(a.MemoryBytes)})");
        console.Write(grid);
        return ExitCodes.Ok;
    }

    public static MachineInfo Collect()
    {
        LaneChoice lanes = LaneSelection.Current;
        var accelerators = new List<AcceleratorInfo>();
        string? acceleratorError = null;
        try
        {
            foreach (GpuDeviceInfo device in GpuDevice.ListDevices())
                accelerators.Add(new AcceleratorInfo(device.Name, device.Type, device.MemoryBytes));
        }
        catch (Exception e)
        {
            acceleratorError = e.Message;
        }
        return new MachineInfo
        {
            Cores = Environment.ProcessorCount,
            CpuModel = ReadCpuModel(),
            SimdWidth = lanes.Width,
            SimdLane = LaneSelection.Describe(lanes.Width),
            SimdSource = lanes.Source switch
            {
                LaneSource.Environment => LaneSelection.EnvironmentVariable,
                LaneSource.Explicit => "--lanes",
                _ => "hardware",
            },
            SimdReason = lanes.Reason,
            Vector512Accelerated = Vector512.IsHardwareAccelerated,
            Vector256Accelerated = Vector256.IsHardwareAccelerated,
            Vector128Accelerated = Vector128.IsHardwareAccelerated,
            Avx512F = Avx512F.IsSupported,
            Avx2 = Avx2.IsSupported,
            DotNet = RuntimeInformation.FrameworkDescription,
            Os = RuntimeInformation.OSDescription,
            Envs = EnvRegistry.Ids,
            Accelerators = accelerators,
            AcceleratorError = acceleratorError,
        };
    }

    /// <summary>The "model name" line of /proc/cpuinfo (Linux), else null.</summary>
    private static string? ReadCpuModel()
    {
        try
        {
            if (!File.Exists("/proc/cpuinfo")) return null;
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is int colon and > 0)
                    return line[(colon + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    private static string YesNo(bool value) => value ? "yes" : "no";

    private static string FormatBytes(long bytes) =>
        bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.0} GiB" : $"{bytes / (double)(1L << 20):0} MiB";
}
