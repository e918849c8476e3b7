using System.Security.Cryptography;
using System.Text;
using RlKernels.Algorithms.Deep;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace RlKernels.Cli.Sweep;

/// <summary>
/// A sweep spec (TOML): the fixed run settings at top level and the search space in <c>[search]</c>. Every
/// mistake is an <see cref="ArgumentException"/> naming the key and its line, so the CLI says one line and exits 2.
/// </summary>
public sealed record SweepSpec
{
    /// <summary>The algorithm of a spec without an <c>algo</c> key (as <c>rlk train</c>'s).</summary>
    public const string DefaultAlgo = "ppo";
    /// <summary>Top-level keys a spec may hold.</summary>
    public static readonly IReadOnlyList<string> TopKeys = ["env", "algo", "env_args", "steps", "envs", "seeds", "eval_episodes", "backend", "samples", "sampler_seed", "search"];
    /// <summary>Parameters the search space may vary (those <c>rlk train</c> takes per run): the per-member ones (<see cref="MemberParam.All"/>), envs and steps.</summary>
    public static readonly IReadOnlyList<string> SearchKeys = [.. MemberParam.All.Select(p => p.Key), "envs", "steps"];
    private static readonly string[] DistKeys = ["dist", "low", "high", "values"];

    /// <summary>Env id.</summary>
    public required string Env { get; init; }
    /// <summary>Deep algorithm name.</summary>
    public string Algo { get; init; } = DefaultAlgo;
    /// <summary>Env options KEY=VALUE.</summary>
    public IReadOnlyList<string> EnvArgs { get; init; } = [];
    /// <summary>Env-step budget per run; null = the algorithm's default.</summary>
    public long? Steps { get; init; }
    /// <summary>Env copies per run; null = the algorithm's default.</summary>
    public int? Envs { get; init; }
    /// <summary>Training seeds of every configuration.</summary>
    public IReadOnlyList<ulong> Seeds { get; init; } = [1];
    /// <summary>Episodes of each run's final evaluation.</summary>
    public int EvalEpisodes { get; init; } = 20;
    /// <summary>Env backend.</summary>
    public string Backend { get; init; } = "cpu";
    /// <summary>Draws of the distributions.</summary>
    public int Samples { get; init; } = 1;
    /// <summary>Seed of the sampler that draws the distributions.</summary>
    public ulong SamplerSeed { get; init; }
    /// <summary>The search space in file order.</summary>
    public IReadOnlyList<SweepParam> Search { get; init; } = [];
    /// <summary>SHA-256 of the spec text: a results folder belongs to exactly one spec.</summary>
    public required string Hash { get; init; }

    /// <summary>Reads and checks a spec file.</summary>
    public static SweepSpec Load(string path)
    {
        if (!File.Exists(path)) throw new ArgumentException($"sweep spec '{path}' does not exist.");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses and checks spec text; <paramref name="name"/> names it in messages.</summary>
    public static SweepSpec Parse(string text, string name)
    {
        DocumentSyntax doc = SyntaxParser.Parse(text, name);
        if (doc.HasErrors)
            throw new ArgumentException($"{name}: not valid TOML: {doc.Diagnostics.First().ToString().ReplaceLineEndings(" ")}");
        string? env = null, algo = null, backend = null;
        var envArgs = new List<string>();
        long? steps = null; int? envs = null; int evalEpisodes = 20, samples = 1; ulong samplerSeed = 0;
        IReadOnlyList<ulong> seeds = [1];
        var search = new List<SweepParam>();
        foreach (KeyValueSyntax kv in doc.KeyValues)
        {
            string key = KeyName(kv.Key!);
            ValueSyntax v = kv.Value!;
            switch (key)
            {
                case "env": env = Str(name, kv, v); break;
                case "algo": algo = Str(name, kv, v); break;
                case "backend": backend = Str(name, kv, v); break;
                case "env_args": envArgs.AddRange(Array(name, kv, v).Select(i => Str(name, kv, i))); break;
                case "steps": steps = (long)Positive(name, kv, v); break;
                case "envs": envs = (int)Positive(name, kv, v, int.MaxValue); break;
                case "eval_episodes": evalEpisodes = (int)Positive(name, kv, v, int.MaxValue); break;
                case "samples": samples = (int)Positive(name, kv, v, SweepPlan.MaxRuns); break;
                case "sampler_seed": samplerSeed = (ulong)Integer(name, kv, v, 0, long.MaxValue); break;
                case "seeds":
                    seeds = v is ArraySyntax
                        ? Array(name, kv, v).Select(i => (ulong)Integer(name, kv, i, 0, long.MaxValue)).ToArray()
                        : Enumerable.Range(1, (int)Positive(name, kv, v, SweepPlan.MaxRuns)).Select(i => (ulong)i).ToArray();
                    if (seeds.Count == 0) throw Bad(name, kv, "seeds is an empty list");
                    if (seeds.Distinct().Count() != seeds.Count) throw Bad(name, kv, "seeds lists a seed twice");
                    break;
                default: throw Unknown(name, kv, key, TopKeys);
            }
        }
        foreach (TableSyntaxBase table in doc.Tables)
        {
            string tname = KeyName(table.Name!);
            if (tname != "search")
                throw new ArgumentException($"{name}:{table.Span.Start.Line + 1}: unknown table [{tname}]; valid keys: {string.Join(", ", TopKeys)}.");
            foreach (KeyValueSyntax kv in table.Items.OfType<KeyValueSyntax>())
                search.Add(CheckMemberParam(name, kv, ParseParam(name, kv), algo));
        }
        if (env is null) throw new ArgumentException($"{name}: the key 'env' is missing.");
        foreach (var dup in search.GroupBy(p => p.Name).Where(g => g.Count() > 1))
            throw new ArgumentException($"{name}: [search] sets '{dup.Key}' twice.");
        return new SweepSpec
        {
            Env = env, Algo = algo ?? DefaultAlgo, Backend = backend ?? "cpu", EnvArgs = envArgs, Steps = steps, Envs = envs,
            Seeds = seeds, EvalEpisodes = evalEpisodes, Samples = samples, SamplerSeed = samplerSeed, Search = search,
            Hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))),
        };
    }

    private static SweepParam ParseParam(string name, KeyValueSyntax kv)
    {
        string key = KeyName(kv.Key!);
        if (!SearchKeys.Contains(key)) throw Unknown(name, kv, key, SearchKeys);
        ValueSyntax v = kv.Value!;
        switch (v)
        {
            case ArraySyntax:
                double[] values = Array(name, kv, v).Select(i => Number(name, kv, i)).ToArray();
                if (values.Length == 0) throw Bad(name, kv, $"{key} is an empty list");
                return new SweepParam(key, SweepParamKind.Grid, values);
            case InlineTableSyntax t:
                string? dist = null; double? low = null, high = null; double[]? choices = null;
                foreach (KeyValueSyntax d in t.Items.Select(i => i.KeyValue!))
                {
                    string dk = KeyName(d.Key!);
                    switch (dk)
                    {
                        case "dist": dist = Str(name, d, d.Value!); break;
                        case "low": low = Number(name, d, d.Value!); break;
                        case "high": high = Number(name, d, d.Value!); break;
                        case "values": choices = Array(name, d, d.Value!).Select(i => Number(name, d, i)).ToArray(); break;
                        default: throw Unknown(name, d, $"{key}.{dk}", DistKeys);
                    }
                }
                var kind = dist switch
                {
                    "uniform" => SweepParamKind.Uniform,
                    "log-uniform" => SweepParamKind.LogUniform,
                    "int" => SweepParamKind.Int,
                    "choice" => SweepParamKind.Choice,
                    _ => throw Bad(name, kv, $"{key}.dist must be one of uniform, log-uniform, int, choice (got '{dist}')"),
                };
                if (kind == SweepParamKind.Choice)
                {
                    if (choices is null || choices.Length == 0) throw Bad(name, kv, $"{key}: choice needs a non-empty 'values' list");
                    return new SweepParam(key, kind, choices);
                }
                if (low is null || high is null) throw Bad(name, kv, $"{key}: {dist} needs 'low' and 'high'");
                if (!double.IsFinite(low.Value) || !double.IsFinite(high.Value)) throw Bad(name, kv, $"{key}: low and high must be finite");
                if (low > high) throw Bad(name, kv, $"{key}: low {low} > high {high}");
                if (kind == SweepParamKind.LogUniform && low <= 0) throw Bad(name, kv, $"{key}: log-uniform needs low > 0 (got {low})");
                return new SweepParam(key, kind, [], low.Value, high.Value);
            default:
                return new SweepParam(key, SweepParamKind.Fixed, [Number(name, kv, v)]);
        }
    }

    /// <summary>
    /// A per-member hyperparameter (<see cref="MemberParam"/>) must be one the algorithm has (when the algorithm is
    /// known; an unknown one is reported with the list of known ones), and in its range: every listed value, and a
    /// distribution's whole range (each is an interval, so its ends decide), as the float the algorithm gets; a
    /// whole-number parameter is not drawn from a continuous distribution.
    /// </summary>
    private static SweepParam CheckMemberParam(string name, KeyValueSyntax kv, SweepParam p, string? algo)
    {
        if (MemberParam.All.FirstOrDefault(m => m.Key == p.Name) is not { } param) return p;
        algo ??= DefaultAlgo;
        if (DeepAlgorithms.IsKnown(algo) && !DeepAlgorithms.Get(algo).MemberParams.Contains(param))
            throw Bad(name, kv, $"'{p.Name}' ({param.Description}) does not apply to {algo}; it is used by {string.Join(", ", DeepAlgorithms.NamesWith(param))}");
        if (param.Whole && p.Kind is SweepParamKind.Uniform or SweepParamKind.LogUniform)
            throw Bad(name, kv, $"{p.Name} takes whole numbers: give a list, or dist = \"int\" or \"choice\"");
        bool range = p.IsSampled && p.Kind != SweepParamKind.Choice;
        IReadOnlyList<double> values = range ? [p.Low, p.High] : p.Values;
        if (!values.All(v => param.Valid((float)v)))
            throw Bad(name, kv, $"{p.Name} must be {param.Range} (got values from {values.Min()} to {values.Max()})");
        return p;
    }

    private static string KeyName(SyntaxNode key) => key.ToString()!.Trim().Trim('"', '\'');

    private static ArgumentException Bad(string name, SyntaxNode at, string what) =>
        new($"{name}:{at.Span.Start.Line + 1}: {what}.");

    private static ArgumentException Unknown(string name, SyntaxNode at, string key, IReadOnlyList<string> valid) =>
        Bad(name, at, $"unknown key '{key}'; valid keys: {string.Join(", ", valid)}");

    private static string Str(string name, KeyValueSyntax kv, ValueSyntax v) =>
        v is StringValueSyntax s ? s.Value! : throw Bad(name, kv, $"'{KeyName(kv.Key!)}' must be a string");

    private static IEnumerable<ValueSyntax> Array(string name, KeyValueSyntax kv, ValueSyntax v) =>
        v is ArraySyntax a ? a.Items.Select(i => i.Value!) : throw Bad(name, kv, $"'{KeyName(kv.Key!)}' must be a list");

    private static double Number(string name, KeyValueSyntax kv, ValueSyntax v) => v switch
    {
        IntegerValueSyntax i => i.Value,
        FloatValueSyntax f => f.Value,
        _ => throw Bad(name, kv, $"'{KeyName(kv.Key!)}' must be a number"),
    };

    private static long Integer(string name, KeyValueSyntax kv, ValueSyntax v, long min, long max) =>
        v is IntegerValueSyntax i && i.Value >= min && i.Value <= max ? i.Value
            : throw Bad(name, kv, $"'{KeyName(kv.Key!)}' must be an integer in [{min}, {max}]");

    private static long Positive(string name, KeyValueSyntax kv, ValueSyntax v, long max = long.MaxValue) => Integer(name, kv, v, 1, max);
}
