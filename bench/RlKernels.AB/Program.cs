using RlKernels.AB;

return BuildComparison.Run(args, Console.Out, Console.Error);
