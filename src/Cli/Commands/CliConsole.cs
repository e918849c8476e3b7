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
}
