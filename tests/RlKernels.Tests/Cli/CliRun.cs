using System.Diagnostics;
using RlKernels.Cli;
using RlKernels.Cli.Commands;

namespace RlKernels.Tests.Cli;

/// <summary>Runs <c>rlk</c> command lines in process (through <see cref="Program.Run"/>) or as a process, and checks the bad-input contract.</summary>
internal static class CliRun
{
    /// <summary>One command line through the real parser and top-level handler, output captured.</summary>
    public static (int Code, string Out, string Err) InProcess(params string[] args) =>
        Capture((output, error) => Program.Run(args, output, error));

    /// <summary><c>rlk train</c> with a deep algorithm, through <see cref="DeepTrainCommand.Run"/>, output captured.</summary>
    public static (int Code, string Out, string Err) Train(DeepTrainSettings settings) =>
        Capture((output, error) => DeepTrainCommand.Run(settings, output, error));

    /// <summary><c>rlk bench</c> (env steps), through <see cref="BenchCommand.Run"/>, output captured.</summary>
    public static (int Code, string Out, string Err) Bench(BenchSettings settings) =>
        Capture((output, error) => BenchCommand.Run(settings, output, error));

    /// <summary><c>rlk bench mlp</c>, through <see cref="MlpBenchCommand.Run"/>, output captured.</summary>
    public static (int Code, string Out, string Err) Bench(MlpBenchSettings settings) =>
        Capture((output, error) => MlpBenchCommand.Run(settings, output, error));

    /// <summary><c>rlk bench qiter</c>, through <see cref="QIterBenchCommand.Run"/>, output captured.</summary>
    public static (int Code, string Out, string Err) Bench(QIterBenchSettings settings) =>
        Capture((output, error) => QIterBenchCommand.Run(settings, output, error));

    /// <summary><c>rlk solve</c>, through <see cref="SolveCommand.Run"/>, output captured.</summary>
    public static (int Code, string Out, string Err) Solve(SolveSettings settings) =>
        Capture((output, error) => SolveCommand.Run(settings, output, error));

    /// <summary>Calls a command's static <c>Run(..., output, error)</c> with fresh writers; returns its exit code and what it wrote.</summary>
    public static (int Code, string Out, string Err) Capture(Func<TextWriter, TextWriter, int> run)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = run(output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>The rows of a command's <c>--json</c> array output, after asserting that it exited 0 (stderr is the failure message).</summary>
    public static List<System.Text.Json.JsonElement> JsonRows((int Code, string Out, string Err) result)
    {
        Assert.True(result.Code == ExitCodes.Ok, $"exit {result.Code}: {result.Err}");
        using var doc = System.Text.Json.JsonDocument.Parse(result.Out);
        return doc.RootElement.EnumerateArray().Select(row => row.Clone()).ToList();
    }

    /// <summary>
    /// The bad-input contract of one command call: exit 2, nothing on stdout, exactly one line on stderr starting
    /// with <paramref name="prefix"/> (e.g. <c>"rlk eval: "</c>), no stack trace; returns that line.
    /// </summary>
    public static string AssertBadInputLine((int Code, string Out, string Err) result, string prefix)
    {
        Assert.True(result.Code == ExitCodes.BadInput, $"exit {result.Code}: {result.Err}");
        Assert.Equal("", result.Out);
        string[] lines = result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith(prefix, lines[0]);
        Assert.DoesNotContain("   at ", result.Err);
        return lines[0];
    }

    /// <summary>The contract of an error: the documented code, exactly one line on stderr holding <paramref name="expected"/>, no stack trace.</summary>
    public static void AssertOneLineError(int expectedCode, (int Code, string Out, string Err) result, string expected)
    {
        string[] lines = result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(result.Code == expectedCode, $"exit {result.Code}, expected {expectedCode}; stderr: {result.Err}");
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}: {result.Err}");
        Assert.DoesNotContain("   at ", result.Err);
        Assert.Contains(expected, result.Err);
    }

    /// <summary>
    /// The bad-input contract of one rlk command line that may write under <paramref name="root"/>: exit 2, exactly one
    /// line on stderr holding <paramref name="expected"/>, no stack trace, and nothing under root changed.
    /// </summary>
    public static void AssertRefusedLeavingUnchanged(string root, string expected, params string[] args)
    {
        var before = Snapshot(root);
        AssertOneLineError(ExitCodes.BadInput, InProcess(args), expected);
        Assert.Equal(before, Snapshot(root));
    }

    /// <summary>Every path under <paramref name="root"/> with its size and write time: equal snapshots mean nothing changed.</summary>
    public static string[] Snapshot(string root) =>
        Directory.Exists(root)
            ? Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
                .Select(p => File.Exists(p) ? $"{p} {new FileInfo(p).Length} {File.GetLastWriteTimeUtc(p).Ticks}" : p)
                .Order(StringComparer.Ordinal).ToArray()
            : [];

    /// <summary>The built rlk.dll beside the test assembly (the test project references the CLI).</summary>
    public static string RlkDll => Path.Combine(AppContext.BaseDirectory, "rlk.dll");

    /// <summary>The dotnet host running these tests (dotnet test sets DOTNET_HOST_PATH), else dotnet on PATH.</summary>
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>Starts <paramref name="file"/> with arguments; stdout and stderr read asynchronously.</summary>
    public static Process Start(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        if (environment is not null) foreach (var (k, v) in environment) info.Environment[k] = v;
        return Process.Start(info)!;
    }

    /// <summary>Waits for <paramref name="process"/> and returns its exit code, stdout and stderr.</summary>
    public static async Task<(int Code, string Out, string Err)> FinishAsync(Process process)
    {
        using (process)
        {
            Task<string> output = process.StandardOutput.ReadToEndAsync(), error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            return (process.ExitCode, await output, await error);
        }
    }
}
