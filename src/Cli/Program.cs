using System.CommandLine;
using RlKernels.Cli.Commands;

namespace RlKernels.Cli;

/// <summary>Entry point of <c>rlk</c>.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("rlk: step many RL environment copies in parallel on CPU SIMD and GPUs.");
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(ConformCommand.Create());
        root.Subcommands.Add(SolveCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(CheckCommand.Create());

        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // System.CommandLine exits with 1 on parse errors; rlk uses 2 for every kind of bad input.
            foreach (var error in parse.Errors)
                Console.Error.WriteLine($"rlk: {error.Message}");
            Console.Error.WriteLine("Run 'rlk --help' for usage.");
            return ExitCodes.BadInput;
        }
        return parse.Invoke();
    }
}
