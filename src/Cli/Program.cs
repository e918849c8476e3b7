using System.CommandLine;
using System.Runtime.InteropServices;
using RlKernels.Cli.Commands;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Cli;

/// <summary>Entry point of <c>rlk</c>.</summary>
public static class Program
{
    // Kept alive for the life of the process: disposing it would restore the default action.
    private static PosixSignalRegistration? _fileSizeSignal;

    public static int Main(string[] args)
    {
        IgnoreFileSizeSignal();
        return Run(args, Console.Out, Console.Error);
    }

    /// <summary>
    /// Parses and runs one command line. Every failure ends as one line on <paramref name="error"/> and an exit
    /// code from <see cref="ExitCodes"/>: parse errors are bad input (2); an exception a command did not handle
    /// is a runtime failure (3), its stack trace printed only when RLK_DEBUG=1.
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("rlk: step many RL environment copies in parallel on CPU SIMD and GPUs.");
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(ConformCommand.Create());
        root.Subcommands.Add(SolveCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(Sweep.SweepCommand.Create());
        var lanes = new Option<int?>("--lanes")
        {
            Description = "Lane width of the cpu backend: 1, 4, 8 or 16, at most what this machine accelerates (default: the widest; also RLK_LANES).",
            Recursive = true,
        };
        root.Options.Add(lanes);

        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // System.CommandLine exits with 1 on parse errors; rlk uses 2 for every kind of bad input.
            error.WriteLine($"rlk: {string.Join(" ", parse.Errors.Select(e => e.Message))} Run 'rlk --help' for usage.");
            return ExitCodes.BadInput;
        }
        IDisposable? laneScope;
        try
        {
            // RLK_LANES is checked before any command runs, so a bad value fails the same way everywhere.
            _ = LaneSelection.Current;
            laneScope = parse.GetValue(lanes) is int width ? LaneSelection.Use(width) : null;
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"rlk: {OneLine(e.Message)}");
            return ExitCodes.BadInput;
        }
        using IDisposable? scope = laneScope;
        try
        {
            // The default handler would print the stack trace and exit 1; rlk's handler below says one line.
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(error, e, $"rlk: {OneLine(e.Message)}");
        }
        catch (OutOfMemoryException e)
        {
            return Fail(error, e, "rlk: out of memory; use fewer envs, a smaller batch or a smaller model.");
        }
        catch (Exception e) when (CliErrors.DeviceError(e) is { } device)
        {
            return Fail(error, e, $"rlk: device error: {device.GetType().Name}: {OneLine(device.Message)}");
        }
        catch (Exception e)
        {
            return Fail(error, e, $"rlk: internal error: {e.GetType().Name}: {OneLine(e.Message)} (set RLK_DEBUG=1 for the stack trace)");
        }
    }

    private static int Fail(TextWriter error, Exception e, string line)
    {
        error.WriteLine(line);
        if (Environment.GetEnvironmentVariable("RLK_DEBUG") == "1") error.WriteLine(e.ToString());
        return ExitCodes.RuntimeFailure;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    /// <summary>
    /// Under a file-size limit (<c>ulimit -f</c>) the kernel sends SIGXFSZ to a process that writes past it, and
    /// its default action kills the process before any cleanup. Handled, the write fails with EFBIG instead: an
    /// IOException that the atomic writes turn into "could not write FILE", a deleted temporary and exit 3.
    /// </summary>
    private static void IgnoreFileSizeSignal()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        const int SIGXFSZ = 25; // the same number on Linux (x64, arm64) and macOS
        try { _fileSizeSignal = PosixSignalRegistration.Create((PosixSignal)SIGXFSZ, context => context.Cancel = true); }
        catch (Exception e) when (e is PlatformNotSupportedException or IOException or ArgumentOutOfRangeException) { }
    }
}
