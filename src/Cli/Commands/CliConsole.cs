using Spectre.Console;

namespace RlKernels.Cli.Commands;

/// <summary>A Spectre.Console console that writes to a given <see cref="TextWriter"/>.</summary>
internal static class CliConsole
{
    public static IAnsiConsole For(TextWriter output)
    {
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        // Spectre assumes 80 columns when it cannot ask a terminal; wide tables would wrap in files and pipes.
        if (!terminal) console.Profile.Width = 160;
        return console;
    }

    /// <summary>A rounded table of the bench commands: the <paramref name="labels"/> columns left-aligned, then the
    /// <paramref name="figures"/> columns right-aligned.</summary>
    public static Table FigureTable(string[] labels, params string[] figures)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (string label in labels) table.AddColumn(label);
        foreach (string figure in figures) table.AddColumn(new TableColumn(figure).RightAligned());
        return table;
    }
}
