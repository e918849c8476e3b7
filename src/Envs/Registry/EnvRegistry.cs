using System.Diagnostics.CodeAnalysis;
using RlKernels.Envs.Conformance;
using RlKernels.Envs.Runner;
using RlKernels.Envs.Tabular;
using RlKernels.Envs.Wrappers;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Registry;

/// <summary>One registered env id.</summary>
public abstract class EnvEntry
{
    public abstract string Id { get; }
    public abstract EnvSpec Spec(EnvArgs args);
    public abstract IVectorEnv Make(int envCount, VectorEnvOptions options, EnvArgs args);
    /// <summary>Single transitions on <paramref name="lane"/>, for the conformance checker.</summary>
    public abstract IConformanceStepper CreateStepper(StepperLane lane, EnvArgs args);

    /// <summary>
    /// The env's explicit tabular model (Gymnasium's P: per (s, a) the outcome list in order, and the
    /// initial distribution) for <paramref name="args"/>; false for envs without one (classic control).
    /// </summary>
    /// <exception cref="ArgumentException">An argument the env does not take, or a bad value.</exception>
    public abstract bool TryGetTabularModel(EnvArgs args, [NotNullWhen(true)] out TabularMdp? model);
    /// <summary>The closed (env, params) types of the GPU kernels for these arguments, or null where the env has no lane-env kernels.</summary>
    internal virtual (Type Env, Type Params)? GpuKernelTypes(EnvArgs args) => null;
}

internal sealed class EnvEntry<TFamily, TBinding, TParams> : EnvEntry
    where TFamily : IEnvFamily<TParams>
    where TBinding : IEnvBinding<TParams>
    where TParams : struct
{
    public override string Id => TFamily.Id;

    public override EnvSpec Spec(EnvArgs args) => TBinding.Spec(ParseChecked(args));

    private static TParams ParseChecked(EnvArgs args) => ParseWithNormalization(args).Params;

    private static (TParams Params, ObservationNormalization? Normalize) ParseWithNormalization(EnvArgs args)
    {
        TParams p = TFamily.Parse(args);
        var normalize = ObservationNormalization.Parse(args);
        args.ThrowIfUnread(TFamily.Id);
        return (p, normalize);
    }

    public override bool TryGetTabularModel(EnvArgs args, [NotNullWhen(true)] out TabularMdp? model) =>
        TBinding.TryGetModel(ParseChecked(args), out model);

    public override IConformanceStepper CreateStepper(StepperLane lane, EnvArgs args)
    {
        TParams p = ParseChecked(args);
        return lane switch
        {
            StepperLane.D1 => TBinding.CreateStepper<D1>(p),
            StepperLane.F1 => TBinding.CreateStepper<F1>(p),
            StepperLane.F8 => TBinding.CreateStepper<F8>(p),
            StepperLane.F16 => TBinding.CreateStepper<F16>(p),
            _ => throw new ArgumentOutOfRangeException(nameof(lane), lane, "Unknown lane."),
        };
    }

    public override IVectorEnv Make(int envCount, VectorEnvOptions options, EnvArgs args)
    {
        if (envCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(envCount), envCount, "envCount must be at least 1.");
        var (p, normalize) = ParseWithNormalization(args);
        IVectorEnv env = options.Backend switch
        {
            Backend.Cpu => LaneSelection.BestWidth switch
            {
                16 => TBinding.CreateCpu<F16>(p, envCount, options, Backend.Cpu),
                8 => TBinding.CreateCpu<F8>(p, envCount, options, Backend.Cpu),
                _ => TBinding.CreateCpu<F1>(p, envCount, options, Backend.Cpu),
            },
            Backend.CpuScalar => TBinding.CreateCpu<F1>(p, envCount, options, Backend.CpuScalar),
            Backend.CpuDouble => TBinding.CreateCpu<D1>(p, envCount, options, Backend.CpuDouble),
            Backend.Gpu or Backend.GpuCpuAccelerator => TBinding.CreateGpu(p, envCount, options),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Backend, "Unknown backend."),
        };
        return NormalizedVectorEnv.WrapIfRequested(env, normalize ?? options.NormalizeObservations);
    }
}

/// <summary>Every env by its Gymnasium-style id.</summary>
public static class EnvRegistry
{
    // Written under the lock; Register swaps in a new dictionary so readers never see one mid-update.
    private static Dictionary<string, EnvEntry> Entries = new(StringComparer.Ordinal);
    private static readonly Lock RegisterLock = new();

    static EnvRegistry()
    {
        Register<CartPoleFamily, CartPoleParams>();
        Register<ChainWalkFamily, ChainWalkParams>();
        Register<RandomWalk1DFamily, RandomWalk1DParams>();
        Register<PendulumFamily, PendulumParams>();
        Register<MountainCarFamily, MountainCarParams>();
        Register<MountainCarContinuousFamily, MountainCarContinuousParams>();
        Register<AcrobotFamily, AcrobotParams>();
        Add<FrozenLakeFamily, ToyTextBinding, ToyTextParams>();
        Add<FrozenLake8x8Family, ToyTextBinding, ToyTextParams>();
        Add<CliffWalkingFamily, ToyTextBinding, ToyTextParams>();
        Add<CliffWalkingSlipperyFamily, ToyTextBinding, ToyTextParams>();
        Add<TaxiFamily, ToyTextBinding, ToyTextParams>();
    }

    /// <summary>
    /// Registers a lane env under <c>TFamily.Id</c>: from then on <see cref="Make"/>, <c>rlk</c> and the
    /// conformance checker know it, on every backend and with every observation wrapper. How to write one:
    /// docs/adding-an-env.md.
    /// </summary>
    /// <exception cref="ArgumentException">The id is already registered.</exception>
    public static void Register<TFamily, TParams>()
        where TFamily : IEnvFamily<TParams>, ILaneEnvBinding<TParams>
        where TParams : struct =>
        AddEntry(new LaneEnvEntry<TFamily, TParams>());

    /// <summary>Registers an env built by its own runner (the toy-text ids share one binding).</summary>
    private static void Add<TFamily, TBinding, TParams>()
        where TFamily : IEnvFamily<TParams>
        where TBinding : IEnvBinding<TParams>
        where TParams : struct =>
        AddEntry(new EnvEntry<TFamily, TBinding, TParams>());

    private static void AddEntry(EnvEntry entry)
    {
        lock (RegisterLock)
        {
            if (Entries.ContainsKey(entry.Id))
                throw new ArgumentException($"Env id '{entry.Id}' is already registered.", nameof(entry));
            Entries = new Dictionary<string, EnvEntry>(Entries, StringComparer.Ordinal) { [entry.Id] = entry };
        }
    }

    /// <summary>Registered ids, sorted.</summary>
    public static IReadOnlyList<string> Ids => Entries.Keys.Order(StringComparer.Ordinal).ToList();

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
