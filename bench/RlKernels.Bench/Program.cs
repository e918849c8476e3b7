using BenchmarkDotNet.Running;

namespace RlKernels.Bench;

/// <summary>
/// Micro-benchmarks, one class per unit. Run all with
/// <c>dotnet run -c Release --project bench/RlKernels.Bench -- --filter '*'</c>, or pick a class with
/// <c>--filter '*EnvStep*'</c>.
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
