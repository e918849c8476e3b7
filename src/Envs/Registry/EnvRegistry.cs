using System.Diagnostics.CodeAnalysis;
using RlKernels.Envs.Runner;
using RlKernels.Envs.Tabular;

namespace RlKernels.Envs.Registry;

/// <summary>Every env by its Gymnasium-style id.</summary>
public static class EnvRegistry
{
    // Written under the lock; Register swaps in a new dictionary so readers never see one mid-update.
    private static Dictionary<string, EnvEntry> Entries = new(StringComparer.Ordinal);
    private static readonly Lock RegisterLock = new();

    // The built-in envs: one line each; everything else about an env is in its own file.
    static EnvRegistry()
    {
        // Classic control (Gymnasium)
        Register<CartPoleDeclaration, CartPoleParams>();
        Register<AcrobotDeclaration, AcrobotParams>();
        Register<MountainCarDeclaration, MountainCarParams>();
        Register<MountainCarContinuousDeclaration, MountainCarContinuousParams>();
        Register<PendulumDeclaration, PendulumParams>();
        // Toy text (Gymnasium)
        Register<FrozenLakeDeclaration, ToyTextParams>();
        Register<FrozenLake8x8Declaration, ToyTextParams>();
        Register<CliffWalkingDeclaration, ToyTextParams>();
        Register<CliffWalkingSlipperyDeclaration, ToyTextParams>();
        Register<TaxiDeclaration, ToyTextParams>();
        // The lecture's worked examples
        Register<ChainWalkDeclaration, ChainWalkParams>();
        Register<RandomWalk1DDeclaration, RandomWalk1DParams>();
    }

    /// <summary>
    /// Registers the env that <typeparamref name="TDecl"/> declares under its id: from then on <see cref="Make"/>,
    /// <c>rlk</c>, the conformance checker and the tabular solvers know it, on every backend and with every
    /// observation wrapper. How to write one: docs/adding-an-env.md.
    /// </summary>
    /// <exception cref="ArgumentException">The id is already registered.</exception>
    public static void Register<TDecl, TParams>()
        where TDecl : IEnvDeclaration<TParams>
        where TParams : struct
    {
        var entry = new EnvEntry<TDecl, TParams>();
        lock (RegisterLock)
        {
            if (Entries.ContainsKey(entry.Id))
                throw new ArgumentException($"Env id '{entry.Id}' is already registered.", nameof(TDecl));
            Entries = new Dictionary<string, EnvEntry>(Entries, StringComparer.Ordinal) { [entry.Id] = entry };
        }
    }

    /// <summary>Registered ids, sorted.</summary>
    public static IReadOnlyList<string> Ids => Entries.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Registered ids whose entry satisfies <paramref name="predicate"/>, sorted.</summary>
    public static IReadOnlyList<string> IdsWhere(Func<EnvEntry, bool> predicate) =>
        Entries.Values.Where(predicate).Select(e => e.Id).Order(StringComparer.Ordinal).ToList();

    /// <summary>Ids of the envs that declare an explicit tabular model (toy-text, ChainWalk), sorted.</summary>
    public static IReadOnlyList<string> TabularModelIds => IdsWhere(e => e.HasTabularModel);

    /// <summary>Ids of the lane envs (own dynamics struct; these take the observation wrappers), sorted.</summary>
    public static IReadOnlyList<string> LaneEnvIds => IdsWhere(e => e.IsLaneEnv);


    /// <summary>The entry for <paramref name="id"/>; an unknown id is an error that lists the known ones.</summary>
    public static EnvEntry Get(string id) =>
        Entries.TryGetValue(id, out var entry)
            ? entry
            : throw new ArgumentException($"Unknown env id '{id}'. Known ids: {string.Join(", ", Ids)}.", nameof(id));

    /// <summary>The entry for <paramref name="id"/>, or false if no such env is registered.</summary>
    public static bool TryGet(string id, [NotNullWhen(true)] out EnvEntry? entry) => Entries.TryGetValue(id, out entry);

    /// <summary>Builds <paramref name="envCount"/> copies of env <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentException">
    /// Unknown id, bad env arguments; <see cref="ArgumentOutOfRangeException"/>: options out of range (<see cref="VectorEnvOptions.Validate"/>), or more
    /// copies than <see cref="MaxEnvCount"/> (checked before anything is allocated).
    /// </exception>
    public static IVectorEnv Make(string id, int envCount, VectorEnvOptions? options = null, IReadOnlyDictionary<string, string>? envArgs = null)
    {
        EnvEntry entry = Get(id);
        options ??= new VectorEnvOptions();
        options.Validate();
        if (envCount < 1)
            throw new ArgumentOutOfRangeException(nameof(envCount), envCount, $"envCount must be at least 1, got {envCount}.");
        // Small counts always fit; the spec is only parsed for counts that might not.
        if (envCount > SmallEnvCount)
        {
            long max = MaxEnvCount(id, envArgs);
            if (envCount > max)
                throw new ArgumentOutOfRangeException(nameof(envCount), envCount,
                    $"{envCount} copies of {id} need about {MemoryBudget.Format(envCount * EstimatedBytesPerEnv(entry.Spec(ArgsOf(envArgs))))}; at most {max} fit in this machine's usable memory ({MemoryBudget.Format(MemoryBudget.UsableBytes)}).");
        }
        return entry.Make(envCount, options, ArgsOf(envArgs));
    }

    /// <summary>Env counts up to this are never refused for memory (a few MB even for the widest env).</summary>
    private const int SmallEnvCount = 1 << 14;

    private static EnvArgs ArgsOf(IReadOnlyDictionary<string, string>? envArgs) => envArgs is null ? EnvArgs.Empty : new EnvArgs(envArgs);

    /// <summary>
    /// Upper estimate of the bytes one env copy takes on any backend: state and double-buffered observations
    /// in doubles (the widest lane), outputs, flags, and the observation normalizer's running moments.
    /// </summary>
    public static long EstimatedBytesPerEnv(EnvSpec spec) =>
        8L * (spec.StateSize + 4 + 2L * spec.ObsSize) + 4L * (4 + 2L * spec.ObsSize) + 8L * spec.ObsSize + 2;

    /// <summary>
    /// The most copies of env <paramref name="id"/> (with these arguments) one vector env may hold: what fits in
    /// <see cref="MemoryBudget.UsableBytes"/>, and what keeps every buffer within .NET's array length.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown id or bad env arguments.</exception>
    public static int MaxEnvCount(string id, IReadOnlyDictionary<string, string>? envArgs = null)
    {
        EnvSpec spec = Get(id).Spec(ArgsOf(envArgs));
        long byMemory = MemoryBudget.UsableBytes / EstimatedBytesPerEnv(spec);
        long byArrayLength = Array.MaxLength / (2L * Math.Max(spec.ObsSize, spec.StateSize + 4));
        return (int)Math.Clamp(Math.Min(byMemory, byArrayLength), 1, int.MaxValue);
    }
}
