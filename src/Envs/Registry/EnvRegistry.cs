using RlKernels.Envs.Runner;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Registry;

/// <summary>One registered env id.</summary>
public abstract class EnvEntry
{
    public abstract string Id { get; }
    public abstract EnvSpec Spec(EnvArgs args);
    public abstract IVectorEnv Make(int envCount, VectorEnvOptions options, EnvArgs args);
}

internal sealed class EnvEntry<TFamily, TParams> : EnvEntry
    where TFamily : IEnvFamily<TParams>
    where TParams : struct
{
    public override string Id => TFamily.Id;

    public override EnvSpec Spec(EnvArgs args) => TFamily.Spec(ParseChecked(args));

    private static TParams ParseChecked(EnvArgs args)
    {
        TParams p = TFamily.Parse(args);
        args.ThrowIfUnread(TFamily.Id);
        return p;
    }

    public override IVectorEnv Make(int envCount, VectorEnvOptions options, EnvArgs args)
    {
        if (envCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(envCount), envCount, "envCount must be at least 1.");
        TParams p = ParseChecked(args);
        return options.Backend switch
        {
            Backend.Cpu => LaneSelection.BestWidth switch
            {
                16 => TFamily.CreateCpu<F16>(p, envCount, options, Backend.Cpu),
                8 => TFamily.CreateCpu<F8>(p, envCount, options, Backend.Cpu),
                _ => TFamily.CreateCpu<F1>(p, envCount, options, Backend.Cpu),
            },
            Backend.CpuScalar => TFamily.CreateCpu<F1>(p, envCount, options, Backend.CpuScalar),
            Backend.CpuDouble => TFamily.CreateCpu<D1>(p, envCount, options, Backend.CpuDouble),
            Backend.Gpu or Backend.GpuCpuAccelerator => TFamily.CreateGpu(p, envCount, options),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Backend, "Unknown backend."),
        };
    }
}

/// <summary>Every env by its Gymnasium-style id.</summary>
public static class EnvRegistry
{
    private static readonly Dictionary<string, EnvEntry> Entries = new(StringComparer.Ordinal);

    static EnvRegistry()
    {
        Add<CartPoleFamily, CartPoleParams>();
        Add<ChainWalkFamily, ChainWalkParams>();
        Add<RandomWalk1DFamily, RandomWalk1DParams>();
        Add<FrozenLakeFamily, ToyTextParams>();
        Add<FrozenLake8x8Family, ToyTextParams>();
        Add<CliffWalkingFamily, ToyTextParams>();
        Add<CliffWalkingSlipperyFamily, ToyTextParams>();
        Add<TaxiFamily, ToyTextParams>();
    }

    private static void Add<TFamily, TParams>() where TFamily : IEnvFamily<TParams> where TParams : struct
    {
        var entry = new EnvEntry<TFamily, TParams>();
        Entries.Add(entry.Id, entry);
    }

    /// <summary>Registered ids, sorted.</summary>
    public static IReadOnlyList<string> Ids => Entries.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>The entry for <paramref name="id"/>; an unknown id is an error that lists the known ones.</summary>
    public static EnvEntry Get(string id) =>
        Entries.TryGetValue(id, out var entry)
            ? entry
            : throw new ArgumentException($"Unknown env id '{id}'. Known ids: {string.Join(", ", Ids)}.", nameof(id));

    /// <summary>Builds <paramref name="envCount"/> copies of env <paramref name="id"/>.</summary>
    public static IVectorEnv Make(string id, int envCount, VectorEnvOptions? options = null, IReadOnlyDictionary<string, string>? envArgs = null) =>
        Get(id).Make(envCount, options ?? new VectorEnvOptions(), envArgs is null ? EnvArgs.Empty : new EnvArgs(envArgs));
}
