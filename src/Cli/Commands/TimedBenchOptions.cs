using System.CommandLine;

namespace RlKernels.Cli.Commands;

/// <summary>
/// The options of <see cref="TimedBenchSettings"/> (<c>--backend</c>, <c>--seconds</c>, <c>--repeats</c>,
/// <c>--json</c>): a fresh set per subcommand, which lists them among its own options.
/// </summary>
internal sealed class TimedBenchOptions
{
    public Option<string[]> Backend { get; } = new("--backend") { Description = "cpu, cpu-scalar or gpu (repeatable). Default: cpu, cpu-scalar, and gpu when a CUDA GPU is present.", HelpName = "NAME" };
    public Option<double> Seconds { get; } = new("--seconds") { Description = "Seconds per timed repeat.", DefaultValueFactory = _ => 0.5 };
    public Option<int> Repeats { get; } = new("--repeats") { Description = "Timed repeats; the median is reported.", DefaultValueFactory = _ => 5 };
    public Option<bool> Json { get; } = new("--json") { Description = "Print one JSON array instead of a table." };

    /// <summary><paramref name="settings"/> with the shared values parsed from the command line.</summary>
    public T Read<T>(ParseResult parse, T settings) where T : TimedBenchSettings => (T)(settings with
    {
        Backends = parse.GetValue(Backend) ?? [],
        Seconds = parse.GetValue(Seconds),
        Repeats = parse.GetValue(Repeats),
        Json = parse.GetValue(Json),
        Progress = ShowsProgress(parse),
    });

    /// <summary>Progress lines only when the command writes its errors to the real, unredirected stderr.</summary>
    public static bool ShowsProgress(ParseResult parse) =>
        ReferenceEquals(parse.InvocationConfiguration.Error, Console.Error) && !Console.IsErrorRedirected;
}
