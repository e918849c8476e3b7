using RlKernels.Envs.Runner;

namespace RlKernels.Cli;

/// <summary>Backend names on the command line, and their <see cref="Backend"/> values.</summary>
public static class BackendNames
{
    /// <summary>Every name, in the order help and errors list them.</summary>
    public static IReadOnlyList<(string Name, Backend Backend)> All { get; } =
    [
        ("cpu", Backend.Cpu),
        ("cpu-scalar", Backend.CpuScalar),
        ("cpu-double", Backend.CpuDouble),
        ("gpu", Backend.Gpu),
        ("gpu-cpu", Backend.GpuCpuAccelerator),
    ];

    /// <summary>"cpu, cpu-scalar, …" for help texts and error messages.</summary>
    public static string List => string.Join(", ", All.Select(entry => entry.Name));

    /// <summary>The backend called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known names.</exception>
    public static Backend Parse(string name)
    {
        foreach (var (known, backend) in All)
            if (string.Equals(known, name.Trim(), StringComparison.OrdinalIgnoreCase))
                return backend;
        throw new ArgumentException($"Unknown backend '{name}'. Known backends: {List}.");
    }

    /// <summary>The command-line name of <paramref name="backend"/>.</summary>
    public static string Name(Backend backend)
    {
        foreach (var (known, value) in All)
            if (value == backend)
                return known;
        throw new ArgumentOutOfRangeException(nameof(backend), backend, "Backend has no command-line name.");
    }
}
