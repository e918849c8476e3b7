using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using RlKernels.Envs.Conformance;
using Spectre.Console;

namespace RlKernels.Cli.Commands;

/// <summary>
/// <c>rlk conform [--reference DIR] [--json]</c>: checks our envs against Gymnasium reference files (every
/// <c>*.csv</c> in a folder): transition files at reference and fast precision, P-table files (toy-text
/// models, with a JSON sidecar) entry for entry and exactly. Without <c>--reference</c> it checks both
/// folders of the data the repository carries (<see cref="ReferenceData"/>). Exit code 0 when nothing
/// failed (skipped envs allowed), 1 on any mismatch, 2 for an unusable <c>--reference</c> (one line on
/// stderr), 3 when the data cannot be read (missing beside rlk, no permission).
/// </summary>
public static class ConformCommand
{
    /// <summary>The command, ready to add to the root command.</summary>
    public static Command Create()
    {
        var reference = new Option<string?>("--reference")
        {
            Description = "Directory of Gymnasium reference CSV files. Default: both folders of the reference data rlk carries " +
                          "(data/reference/gymnasium and data/reference/gymnasium-toytext in the repository).",
        };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of a table." };
        var command = new Command("conform", "Check the envs against Gymnasium reference transitions (reference and fast precision) and toy-text P tables (exact).")
        {
            reference,
            json,
        };
        command.SetAction(parseResult =>
            Run(parseResult.GetValue(reference), parseResult.GetValue(json), Console.Out, Console.Error));
        return command;
    }

    /// <summary>Runs the check and prints the report; returns the exit code (see the class summary).</summary>
    /// <param name="reference">Directory of reference CSV files; null = the data rlk carries (both folders).</param>
    /// <param name="json">JSON instead of a table.</param>
    /// <param name="output">Where the report goes.</param>
    /// <param name="error">Where the one-line error goes.</param>
    public static int Run(string? reference, bool json, TextWriter output, TextWriter error)
    {
        IReadOnlyList<string> directories;
        if (reference is null)
        {
            try
            {
                directories = ReferenceData.DefaultDirectories();
            }
            catch (DirectoryNotFoundException e)
            {
                error.WriteLine($"rlk conform: {e.Message}");
                return ExitCodes.RuntimeFailure;
            }
        }
        else
        {
            if (CheckReferenceOption(reference) is { } problem)
            {
                error.WriteLine($"rlk conform: {problem}");
                return ExitCodes.BadInput;
            }
            directories = [reference];
        }

        var reports = new List<ConformanceReport>();
        try
        {
            foreach (string directory in directories) reports.Add(ConformanceChecker.CheckDirectory(directory));
        }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException or IOException or UnauthorizedAccessException)
        {
            // The folder was checked above; what fails now is reading it (permissions, a vanished file).
            error.WriteLine($"rlk conform: {e.Message}");
            return ExitCodes.RuntimeFailure;
        }

        if (json) WriteJson(reports, output);
        else WriteTables(reports, output);
        return reports.All(r => r.Passed) ? ExitCodes.Ok : ExitCodes.Mismatch;
    }

    /// <summary>What is wrong with a <c>--reference</c> value, or null when it is a folder holding *.csv files.</summary>
    private static string? CheckReferenceOption(string reference)
    {
        if (string.IsNullOrWhiteSpace(reference))
            return "--reference is empty; give a directory of reference CSV files, or leave the flag out to check the data rlk carries.";
        if (File.Exists(reference))
            return $"--reference '{reference}' is a file; give the directory that holds the reference CSV files.";
        if (!Directory.Exists(reference))
            return $"--reference '{reference}' does not exist.";
        try
        {
            if (!Directory.EnumerateFiles(reference, "*.csv", SearchOption.TopDirectoryOnly).Any())
                return $"--reference '{reference}' holds no *.csv files.";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"--reference '{reference}' cannot be read: {e.Message}";
        }
        return null;
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // MaxStateError is NaN for files without next_state columns.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    private static void WriteJson(IReadOnlyList<ConformanceReport> reports, TextWriter output)
    {
        var document = new
        {
            Directories = reports.Select(r => r.Directory).ToArray(),
            Passed = reports.All(r => r.Passed),
            Passes = reports.Sum(r => r.PassCount),
            Failures = reports.Sum(r => r.FailCount),
            Skipped = reports.Sum(r => r.SkipCount),
            Results = reports.SelectMany(r => r.Results).ToArray(),
            TabularResults = reports.SelectMany(r => r.TabularResults).ToArray(),
        };
        output.WriteLine(JsonSerializer.Serialize(document, JsonOptions));
    }

    private static void WriteTables(IReadOnlyList<ConformanceReport> reports, TextWriter output)
    {
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!terminal) console.Profile.Width = 160; // keep rows on one line in files and tests

        foreach (ConformanceReport report in reports)
        {
            if (report.Results.Count > 0 || report.TabularResults.Count == 0) WriteTransitionTable(report, console);
            if (report.TabularResults.Count > 0) WriteTabularTable(report, console);
        }
        int passes = reports.Sum(r => r.PassCount), failures = reports.Sum(r => r.FailCount), skipped = reports.Sum(r => r.SkipCount);
        console.MarkupLine(reports.All(r => r.Passed)
            ? $"[green]PASSED[/]: {passes} passed, {skipped} skipped, 0 failed."
            : $"[red]FAILED[/]: {failures} failed, {passes} passed, {skipped} skipped.");
    }

    private static string StatusMarkup(ConformanceStatus status) => status switch
    {
        ConformanceStatus.Pass => "[green]PASS[/]",
        ConformanceStatus.Skipped => "[yellow]SKIPPED[/]",
        ConformanceStatus.Error => "[red]ERROR[/]",
        _ => "[red]FAIL[/]",
    };

    /// <summary>P-table files: one row per file, then each file's message and listed mismatches.</summary>
    private static void WriteTabularTable(ConformanceReport report, IAnsiConsole console)
    {
        var table = new Table().Title($"Gymnasium P tables (exact): {Markup.Escape(report.Directory)}");
        table.AddColumn("File");
        table.AddColumn("Env");
        table.AddColumn("make_kwargs");
        foreach (string name in new[] { "S×A", "Entries", "Mismatches" })
            table.AddColumn(new TableColumn(name).RightAligned());
        table.AddColumn("Initial");
        table.AddColumn("Result");
        foreach (TabularConformanceResult r in report.TabularResults)
        {
            bool ran = r.Status is ConformanceStatus.Pass or ConformanceStatus.Fail;
            table.AddRow(
                Markup.Escape(r.File),
                Markup.Escape(r.EnvId),
                r.EnvArgs.Length == 0 ? "-" : Markup.Escape(r.EnvArgs),
                ran ? $"{r.States}×{r.Actions}" : "-",
                ran ? r.Entries.ToString(CultureInfo.InvariantCulture) : "-",
                ran ? r.MismatchCount.ToString(CultureInfo.InvariantCulture) : "-",
                !ran ? "-" : r.InitialDistributionCompared ? "compared" : "not given",
                StatusMarkup(r.Status));
        }
        console.Write(table);
        foreach (TabularConformanceResult r in report.TabularResults.Where(r => r.Message is not null))
        {
            // The message repeats the first mismatch; with a list below, say only how many there are.
            string message = r.Mismatches.Count == 0
                ? r.Message!
                : $"{r.MismatchCount} mismatch(es) in {r.Entries} entries compared; the first {r.Mismatches.Count} (ours vs theirs):";
            console.MarkupLine($"{Markup.Escape(r.File)}: {r.Status.ToString().ToUpperInvariant()}: {Markup.Escape(message)}");
            foreach (TabularMismatch m in r.Mismatches)
                console.MarkupLine($"  {Markup.Escape(m.ToString())}");
        }
    }

    private static void WriteTransitionTable(ConformanceReport report, IAnsiConsole console)
    {
        var table = new Table().Title($"Gymnasium conformance: {Markup.Escape(report.Directory)}");
        table.AddColumn("File");
        table.AddColumn("Precision");
        table.AddColumn("Lane");
        foreach (string name in new[] { "Rows", "max |Δobs|", "max ulps", "max |Δreward|", "max |Δstate|", "term (excused)", "trunc" })
            table.AddColumn(new TableColumn(name).RightAligned());
        table.AddColumn("Result");

        foreach (ConformanceResult r in report.Results)
        {
            bool ran = r.Lane is not null;
            table.AddRow(
                Markup.Escape(r.File),
                r.Precision.ToString().ToLowerInvariant(),
                r.Lane?.ToString() ?? "-",
                ran ? r.Rows.ToString(CultureInfo.InvariantCulture) : "-",
                ran ? Number(r.MaxObsError) : "-",
                ran ? r.MaxObsUlps.ToString(CultureInfo.InvariantCulture) : "-",
                ran ? Number(r.MaxRewardError) : "-",
                ran ? Number(r.MaxStateError) : "-",
                ran ? $"{r.TerminatedMismatches} ({r.TerminatedExcused})" : "-",
                ran ? r.TruncatedMismatches.ToString(CultureInfo.InvariantCulture) : "-",
                StatusMarkup(r.Status));
        }
        console.Write(table);

        // One note per distinct message: a skipped file's reason appears once, not once per precision.
        foreach (var note in report.Results.Where(r => r.Message is not null)
                     .DistinctBy(r => (r.File, r.Status, r.Lane is null ? "" : $"{r.Precision} {r.Lane}", r.Message)))
        {
            string which = note.Lane is null ? "" : $" {note.Precision.ToString().ToLowerInvariant()} {note.Lane}";
            console.MarkupLine($"{Markup.Escape(note.File)}{which}: {note.Status.ToString().ToUpperInvariant()}: {Markup.Escape(note.Message!)}");
        }
    }

    private static string Number(double value) =>
        double.IsNaN(value) ? "-" : value == 0 ? "0" : value.ToString("0.##e+00", CultureInfo.InvariantCulture);
}
