using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;

namespace RlKernels.AB;

/// <summary>
/// Compares two builds of the engine inside one process: each build's <c>RlKernels.Envs</c> and
/// <c>RlKernels.Kernels</c> are loaded into an <see cref="AssemblyLoadContext"/> of their own, the same workload is made in
/// each (an env's <c>StepRandom(64)</c>, or as many steps per call as <c>--steps</c> says, or with <c>--mlp</c> the MLP training step of <c>rlk bench mlp</c>), and short
/// windows of it alternate between them, the order reversed every round. On a machine whose
/// speed drifts over seconds (a shared VM), the per-round ratio cancels the drift that separate processes measure as
/// well. A process can still favour one side as a whole (each lays out its arrays anew), so compare in both orders.
/// </summary>
public static class BuildComparison
{
    private const string Usage =
        "usage: rlk-ab DIR_A DIR_B (ENV | --mlp PxB) [--envs N] [--threads T] [--seconds S] [--rounds R] [--steps K] [--env-arg KEY=VALUE ...]\n" +
        "  DIR_A, DIR_B: folders holding a build's RlKernels.Envs.dll and RlKernels.Kernels.dll (e.g. src/Envs/bin/Release/net10.0).\n" +
        "  --steps K: env steps per StepRandom call (default 64; 1 observes every step, as a training loop does).\n" +
        "  --mlp PxB: instead of an env, the 4-64-64-2 training step (forward, backward, Adam) of P members x B rows.";

    /// <summary>Runs the comparison and prints one line; returns 0, or 2 after one line on <paramref name="error"/> for bad input.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        Options o;
        try
        {
            o = Options.Parse(args);
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"rlk-ab: {e.Message}");
            error.WriteLine(Usage);
            return 2;
        }
        IWorkload a, b;
        try
        {
            a = Load(o.DirA, o);
            b = Load(o.DirB, o);
        }
        catch (Exception e) when (e is TargetInvocationException { InnerException: ArgumentException } or FileNotFoundException or ArgumentException)
        {
            error.WriteLine($"rlk-ab: {(e is TargetInvocationException t ? t.InnerException!.Message : e.Message)}");
            return 2;
        }
        // Warm-up: the JIT and the calls' first allocations, both builds.
        a.Rate(Math.Max(o.Seconds, 0.5));
        b.Rate(Math.Max(o.Seconds, 0.5));
        var ratesA = new List<double>();
        var ratesB = new List<double>();
        var ratios = new List<double>();
        for (int r = 0; r < o.Rounds; r++)
        {
            double ra, rb;
            if (r % 2 == 0) { ra = a.Rate(o.Seconds); rb = b.Rate(o.Seconds); }
            else { rb = b.Rate(o.Seconds); ra = a.Rate(o.Seconds); }
            ratesA.Add(ra);
            ratesB.Add(rb);
            ratios.Add(rb / ra);
        }
        ratios.Sort();
        string what = o.Mlp is var (p, batch) ? $"mlp {p}x{batch}" : $"{o.Env} envs={o.Envs}{(o.StepsPerCall != 64 ? $" steps={o.StepsPerCall}" : "")}";
        string unit = o.Mlp != null ? "M samples/s" : "M steps/s";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what} threads={o.Threads} vector={VectorBits}: A {Median(ratesA) / 1e6:F2} {unit}, B {Median(ratesB) / 1e6:F2} {unit} (medians); " +
            $"B/A per round: median {Median(ratios):F3}, quartiles {ratios[ratios.Count / 4]:F3}–{ratios[3 * ratios.Count / 4]:F3}, {o.Rounds} rounds"));
        a.Dispose();
        b.Dispose();
        return 0;
    }

    /// <summary>The widest vector the runtime accelerates here, in bits: the line says which lane path both builds ran (a
    /// switch such as DOTNET_EnableAVX512=0 narrows it; .NET 10 ignores DOTNET_EnableAVX512F).</summary>
    private static int VectorBits =>
        System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? 512 : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? 256 : 128;

    private static IWorkload Load(string dir, Options o)
    {
        var context = new DirectoryLoadContext(dir);
        return o.Mlp is var (p, batch) ? MlpWorkload.Load(context, dir, p, batch, o.Threads) : EnvWorkload.Load(context, dir, o);
    }

    // Its own median rather than RlKernels.Kernels' Medians.Of: this tool references no build of the engine (it loads two).
    private static double Median(List<double> values)
    {
        var s = values.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    /// <summary>The command line, checked.</summary>
    /// <param name="Mlp">With --mlp: (P, B) of the MLP step, else null (an env, <paramref name="Env"/>).</param>
    internal sealed record Options(string DirA, string DirB, string Env, int Envs, int Threads, double Seconds, int Rounds,
        IReadOnlyDictionary<string, string> EnvArgs, (int Population, int Batch)? Mlp, int StepsPerCall = 64)
    {
        public static Options Parse(string[] args)
        {
            var positional = new List<string>();
            int envs = 65536, threads = 0, rounds = 16, steps = 64;
            double seconds = 0.3;
            var envArgs = new Dictionary<string, string>();
            (int, int)? mlp = null;
            for (int i = 0; i < args.Length; i++)
            {
                string arg = args[i];
                if (!arg.StartsWith("--", StringComparison.Ordinal)) { positional.Add(arg); continue; }
                if (i + 1 >= args.Length) throw new ArgumentException($"{arg} needs a value.");
                string value = args[++i];
                switch (arg)
                {
                    case "--envs": envs = Int(arg, value, 1, 1 << 26); break;
                    case "--threads": threads = Int(arg, value, 0, 1024); break;
                    case "--rounds": rounds = Int(arg, value, 2, 10000); break;
                    case "--steps": steps = Int(arg, value, 1, 1 << 20); break;
                    case "--seconds":
                        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) || !(seconds is > 0 and <= 60))
                            throw new ArgumentException($"--seconds must be a number in (0, 60], got '{value}'.");
                        break;
                    case "--mlp":
                        string[] shape = value.Split('x');
                        if (shape.Length != 2) throw new ArgumentException($"--mlp must be PxB, e.g. 1x4096, got '{value}'.");
                        mlp = (Int("--mlp's P", shape[0], 1, 4096), Int("--mlp's B", shape[1], 1, 1 << 20));
                        if ((long)mlp.Value.Item1 * mlp.Value.Item2 > 1 << 22)
                            throw new ArgumentException($"--mlp P x B must be at most {1 << 22} samples, got {value}.");
                        break;
                    case "--env-arg":
                        int eq = value.IndexOf('=');
                        if (eq <= 0) throw new ArgumentException($"--env-arg must be KEY=VALUE, got '{value}'.");
                        envArgs[value[..eq]] = value[(eq + 1)..];
                        break;
                    default: throw new ArgumentException($"unknown option {arg}.");
                }
            }
            int want = mlp == null ? 3 : 2;
            if (positional.Count != want)
                throw new ArgumentException(mlp == null ? $"expected DIR_A DIR_B ENV, got {positional.Count} arguments."
                    : $"expected DIR_A DIR_B with --mlp, got {positional.Count} arguments.");
            foreach (string dir in positional.Take(2))
                foreach (string dll in new[] { "RlKernels.Envs.dll", "RlKernels.Kernels.dll" })
                    if (!File.Exists(Path.Combine(dir, dll))) throw new ArgumentException($"{Path.Combine(dir, dll)} does not exist.");
            return new Options(Path.GetFullPath(positional[0]), Path.GetFullPath(positional[1]), mlp == null ? positional[2] : "",
                envs, threads, seconds, rounds, envArgs, mlp, steps);
        }

        private static int Int(string name, string value, int min, int max) =>
            int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max
                ? v
                : throw new ArgumentException($"{name} must be an integer in [{min}, {max}], got '{value}'.");
    }

    /// <summary>One build's env, reached by reflection (its types live in its own load context).</summary>
    private sealed class EnvWorkload : IWorkload
    {
        private readonly object _env;
        private readonly MethodInfo _stepRandom;
        private readonly int _envs, _steps;

        private EnvWorkload(object env, MethodInfo stepRandom, int envs, int steps)
        {
            _env = env;
            _stepRandom = stepRandom;
            _envs = envs;
            _steps = steps;
        }

        public static EnvWorkload Load(AssemblyLoadContext context, string dir, Options o)
        {
            Assembly envs = context.LoadFromAssemblyPath(Path.Combine(dir, "RlKernels.Envs.dll"));
            Type registry = envs.GetType("RlKernels.Envs.Registry.EnvRegistry", throwOnError: true)!;
            Type optionsType = envs.GetType("RlKernels.Envs.Runner.VectorEnvOptions", throwOnError: true)!;
            object options = Activator.CreateInstance(optionsType)!;
            optionsType.GetProperty("Seed")!.SetValue(options, 1UL);
            optionsType.GetProperty("Threads")!.SetValue(options, o.Threads);
            MethodInfo make = registry.GetMethods().Single(m => m.Name == "Make" && m.GetParameters().Length == 4
                && m.GetParameters()[0].ParameterType == typeof(string));
            object env = make.Invoke(null, [o.Env, o.Envs, options, o.EnvArgs])!;
            Type vectorEnv = env.GetType().GetInterfaces().Single(i => i.Name == "IVectorEnv");
            vectorEnv.GetMethods().Single(m => m.Name == "Reset" && m.GetParameters() is [{ ParameterType: var p }] && p == typeof(ulong))
                .Invoke(env, [1UL]);
            return new EnvWorkload(env, vectorEnv.GetMethod("StepRandom")!, o.Envs, o.StepsPerCall);
        }

        /// <summary>Env-steps per second of StepRandom(steps per call) calls for <paramref name="seconds"/>.</summary>
        public double Rate(double seconds)
        {
            long calls = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                _stepRandom.Invoke(_env, [_steps]);
                calls++;
            }
            return (double)_envs * _steps * calls / clock.Elapsed.TotalSeconds;
        }

        public void Dispose() => (_env as IDisposable)?.Dispose();
    }

    /// <summary>Resolves the assemblies in a build's directory (its own and its dependencies, such as ILGPU) from there; the
    /// framework from the default context.</summary>
    private sealed class DirectoryLoadContext(string dir) : AssemblyLoadContext(isCollectible: false)
    {
        protected override Assembly? Load(AssemblyName name)
        {
            string path = Path.Combine(dir, name.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}

/// <summary>What one build runs in the comparison's windows.</summary>
internal interface IWorkload : IDisposable
{
    /// <summary>Work per second (env-steps or training samples) over a window of <paramref name="seconds"/>.</summary>
    double Rate(double seconds);
}
