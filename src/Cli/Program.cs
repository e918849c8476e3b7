using System.CommandLine;
using RlKernels.Cli.Commands;

// TEMPORARY (conform branch): minimal root so `rlk conform` can be run; the Program.cs owner registers the command.
var root = new RootCommand("rlk") { ConformCommand.Create() };
return root.Parse(args).Invoke();
