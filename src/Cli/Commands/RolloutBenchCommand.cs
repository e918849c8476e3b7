using System.CommandLine;
using System.Globalization;
using System.Text.Json.Serialization;
using RlKernels.Algorithms.Device;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Gpu;
using Spectre.Console;

namespace RlKernels.Cli.Commands;

/// <summary>One measured env count of <c>rlk bench rollout</c>.</summary>
public sealed record RolloutBenchRow
{
    [JsonPropertyName("env")] public required string Env { get; init; }
    [JsonPropertyName("backend")] public required string Backend { get; init; }
    [JsonPropertyName("envs")] public required int Envs { get; init; }
    /// <summary>Env steps per launch T (each with the policy's forward pass, a sampled action and the critic's value).</summary>
    [JsonPropertyName("steps")] public required int Steps { get; init; }
    /// <summary>The policy's layer sizes, input to output ("4-64-64-2"); the critic has the same hidden widths and one output.</summary>
    [JsonPropertyName("sizes")] public required string Sizes { get; init; }
    /// <summary>Env-steps per second, median over the repeats.</summary>
    [JsonPropertyName("steps_per_second")] public required double StepsPerSecond { get; init; }
    [JsonPropertyName("min")] public required double Min { get; init; }
    [JsonPropertyName("max")] public required double Max { get; init; }
    [JsonPropertyName("repeats")] public required int Repeats { get; init; }
    [JsonPropertyName("launches_per_repeat")] public required int LaunchesPerRepeat { get; init; }
}

/// <summary>
/// <c>rlk bench rollout</c>: the fused rollout kernel's env-steps per second on a device — T env steps with the
/// policy's forward pass, action sampling and the critic's values in one launch, the trajectory written to device
/// buffers (what a PPO update on the device collects; <see cref="DeviceRolloutThroughput"/>).
/// </summary>
public static class RolloutBenchCommand
{
    /// <summary>Env counts measured when --envs is not given.</summary>
    public static readonly IReadOnlyList<int> DefaultEnvCounts = [65_536, 1_048_576];

    public static Command Create()
    {
        var env = new Option<string>("--env") { Description = "Env id (discrete actions).", DefaultValueFactory = _ => "CartPole-v1", HelpName = "ID" };
        var envs = new Option<int[]>("--envs") { Description = "Env copies (repeatable). Default: 65536, 1048576.", HelpName = "N" };
        var steps = new Option<int>("--steps") { Description = "Env steps per launch T.", DefaultValueFactory = _ => 32 };
        var hidden = new Option<string>("--hidden") { Description = $"Hidden widths of the policy and the critic (tanh), at most {MlpFusedForwardKernel.MaxWidth} each.", DefaultValueFactory = _ => "64,64", HelpName = "N,N,…" };
        var backend = new Option<string>("--backend") { Description = "gpu, or gpu-cpu (ILGPU's CPU accelerator: proves the path, slowly).", DefaultValueFactory = _ => "gpu", HelpName = "NAME" };
        var timed = new TimedBenchOptions();
        var command = new Command("rollout", "Measure the fused rollout kernel on a device (env + policy + sampling + critic, T steps per launch): env-steps/s.")
        {
            env, envs, steps, hidden, backend, timed.Seconds, timed.Repeats, timed.Json,
        };
        command.SetAction(parse =>
        {
            var error = parse.InvocationConfiguration.Error;
            List<DeviceRolloutBenchSettings> cells;
            try
            {
                Backend b = BackendNames.Parse(parse.GetValue(backend) ?? "");
                int[] widths = MlpBenchCommand.ParseSizes(parse.GetValue(hidden) ?? "");
                int[] counts = parse.GetValue(envs) is { Length: > 0 } n ? n : [.. DefaultEnvCounts];
                cells = counts.Distinct().Select(count => new DeviceRolloutBenchSettings
                {
                    EnvId = parse.GetValue(env) ?? "",
                    EnvCount = count,
                    Steps = parse.GetValue(steps),
                    Hidden = widths,
                    Backend = b,
                    Seconds = parse.GetValue(timed.Seconds),
                    Repeats = parse.GetValue(timed.Repeats),
                    Seed = BenchCommand.Seed,
                }).ToList();
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"rlk bench rollout: {CliErrors.Message(e)}");
                return ExitCodes.BadInput;
            }
            return Run(cells, parse.GetValue(timed.Json), TimedBenchOptions.ShowsProgress(parse), parse.InvocationConfiguration.Output, error);
        });
        return command;
    }

    /// <summary>Measures every cell. Returns 0, <see cref="ExitCodes.BadInput"/> (every cell is checked, device memory
    /// included, before any is measured) or <see cref="ExitCodes.RuntimeFailure"/>, after one line on <paramref name="error"/>.</summary>
    public static int Run(IReadOnlyList<DeviceRolloutBenchSettings> cells, bool json, bool progress, TextWriter output, TextWriter error)
    {
        // CHECK INPUT: names, sizes, a device, and device memory for every cell before any time is spent.
        try
        {
            if (cells.Count == 0) throw new ArgumentException("Give at least one --envs value.");
            foreach (var cell in cells)
                if (DeviceRolloutThroughput.Problem(cell) is { } problem) throw new ArgumentException(problem);
            foreach (var cell in cells)
                if (DeviceRolloutThroughput.MemoryProblem(cell) is { } problem) throw new ArgumentException(problem);
        }
        catch (Exception e) when (CliErrors.DeviceError(e) is null)
        {
            error.WriteLine($"rlk bench rollout: {CliErrors.Message(e)}");
            return ExitCodes.BadInput;
        }

        // MEASURE
        var rows = new List<RolloutBenchRow>();
        foreach (var cell in cells)
        {
            string backend = BackendNames.Name(cell.Backend);
            if (progress) error.WriteLine($"bench rollout {cell.EnvId} {backend} envs={cell.EnvCount} steps={cell.Steps} …");
            DeviceRolloutRate rate;
            try
            {
                rate = DeviceRolloutThroughput.Measure(cell);
            }
            catch (Exception e) when (CliErrors.DeviceError(e) is null)
            {
                error.WriteLine($"rlk bench rollout: {cell.EnvId} on {backend} with {cell.EnvCount} envs: {CliErrors.Message(e).ReplaceLineEndings(" ")}");
                return ExitCodes.RuntimeFailure;
            }
            var spec = EnvRegistry.Get(cell.EnvId).Spec(EnvArgs.Empty);
            rows.Add(new RolloutBenchRow
            {
                Env = cell.EnvId,
                Backend = backend,
                Envs = cell.EnvCount,
                Steps = cell.Steps,
                Sizes = string.Join("-", [spec.ObsSize, .. cell.Hidden, spec.Action.Count]),
                StepsPerSecond = rate.Median,
                Min = rate.Min,
                Max = rate.Max,
                Repeats = cell.Repeats,
                LaunchesPerRepeat = rate.LaunchesPerRepeat,
            });
        }

        // REPORT
        if (json)
        {
            output.WriteLine(CliJson.Serialize(rows, indented: true));
            return ExitCodes.Ok;
        }
        var console = CliConsole.For(output);
        var table = CliConsole.FigureTable(["env", "backend"], "envs", "steps/launch", "policy", "env-steps/s", "min–max");
        foreach (var row in rows)
            table.AddRow(Markup.Escape(row.Env), Markup.Escape(row.Backend), row.Envs.ToString("N0", CultureInfo.InvariantCulture),
                row.Steps.ToString(CultureInfo.InvariantCulture), row.Sizes, BenchCommand.FormatRate(row.StepsPerSecond),
                $"{BenchCommand.FormatRate(row.Min)}–{BenchCommand.FormatRate(row.Max)}");
        console.Write(table);
        console.WriteLine($"One launch = T env steps, each with the policy's forward pass, a sampled action and the critic's value, the trajectory written on the device. Median of {rows.FirstOrDefault()?.Repeats ?? 0} repeats.");
        return ExitCodes.Ok;
    }
}
