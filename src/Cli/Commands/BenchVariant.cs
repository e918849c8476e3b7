using RlKernels.Envs.Registry;

namespace RlKernels.Cli.Commands;

/// <summary>
/// One <c>rlk bench --variant</c>: env options laid over the <c>--env-arg</c> ones (a wrapper such as frame_stack=4),
/// timed beside the plain env in the same rounds.
/// </summary>
/// <param name="Name">The variant as given, e.g. "frame_stack=4" (the rows' <c>variant</c> field).</param>
/// <param name="Args">The env options it runs with: the --env-arg ones, then its own (its own win on the same key).</param>
internal sealed record BenchVariant(string Name, IReadOnlyDictionary<string, string> Args)
{
    /// <summary>Parses "KEY=VALUE[,KEY=VALUE…]" over <paramref name="envArgs"/>.</summary>
    /// <exception cref="ArgumentException">An empty variant, or a part not of the form KEY=VALUE.</exception>
    public static BenchVariant Parse(string text, IReadOnlyDictionary<string, string> envArgs)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (string.IsNullOrWhiteSpace(text) || parts.Any(p => p.Length == 0))
            throw new ArgumentException($"--variant '{text}' must be KEY=VALUE[,KEY=VALUE…] with no empty part.");
        IReadOnlyDictionary<string, string> own;
        try
        {
            own = EnvArgs.Parse(parts).Values;
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--variant '{text}': {e.Message}", e);
        }
        var args = new Dictionary<string, string>(envArgs, StringComparer.Ordinal);
        foreach (var (key, value) in own) args[key] = value;
        return new BenchVariant(text.Trim(), args);
    }

    /// <summary>The most envs of <paramref name="id"/> with this variant's options that fit in memory.</summary>
    /// <exception cref="ArgumentException">An option the env refuses, named with this variant.</exception>
    public int MaxEnvCount(string id)
    {
        try
        {
            return EnvRegistry.MaxEnvCount(id, Args);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--variant '{Name}': {e.Message}", e);
        }
    }
}
