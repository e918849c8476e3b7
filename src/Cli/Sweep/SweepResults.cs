using System.Globalization;
using System.Text;
using System.Text.Json;
using RlKernels.Kernels.IO;

namespace RlKernels.Cli.Sweep;

/// <summary>One row of runs.csv.</summary>
public sealed record SweepRow(string Id, int Config, ulong Seed, int Batch, string Params, double? FinalMean, double? FinalStd, double? Auc, long? StepsToSolve, double? SecondsToSolve, string Status)
{
    /// <summary>Header of runs.csv.</summary>
    public const string Header = "id,config,seed,batch,params,final_mean,final_std,auc,steps_to_solve,seconds_to_solve,status";

    /// <summary>The CSV line (no newline); status is quoted since it may hold commas.</summary>
    public string ToCsv() => string.Join(",", Id, Config.ToString(CultureInfo.InvariantCulture), Seed.ToString(CultureInfo.InvariantCulture),
        Batch.ToString(CultureInfo.InvariantCulture), Params, F(FinalMean), F(FinalStd), F(Auc), StepsToSolve?.ToString(CultureInfo.InvariantCulture) ?? "",
        F(SecondsToSolve), "\"" + Status.Replace("\"", "'") + "\"");

    private static string F(double? v) => v?.ToString("R", CultureInfo.InvariantCulture) ?? "";

    /// <summary>Parses a line written by <see cref="ToCsv"/>.</summary>
    public static SweepRow Parse(string line)
    {
        int q = line.IndexOf(",\"", StringComparison.Ordinal);
        string[] f = line[..q].Split(',');
        string status = line[(q + 2)..].TrimEnd('"');
        static double? D(string s) => s.Length == 0 ? null : double.Parse(s, CultureInfo.InvariantCulture);
        return new SweepRow(f[0], int.Parse(f[1], CultureInfo.InvariantCulture), ulong.Parse(f[2], CultureInfo.InvariantCulture),
            int.Parse(f[3], CultureInfo.InvariantCulture), f[4], D(f[5]), D(f[6]), D(f[7]), f[8].Length == 0 ? null : long.Parse(f[8], CultureInfo.InvariantCulture), D(f[9]), status);
    }
}

/// <summary>
/// The files of a sweep folder: spec.sha256 (which spec owns it), runs.csv (rewritten whole and renamed after
/// every finished run, so a kill leaves either the old or the new file), summary.csv and summary.json.
/// </summary>
public static class SweepResults
{
    /// <summary>Name of the file holding the owning spec's hash.</summary>
    public const string HashFile = "spec.sha256";

    /// <summary>The rows of DIR/runs.csv (none when absent).</summary>
    public static List<SweepRow> ReadRows(string dir)
    {
        string path = Path.Combine(dir, "runs.csv");
        if (!File.Exists(path)) return [];
        return File.ReadAllLines(path).Skip(1).Where(l => l.Length > 0).Select(SweepRow.Parse).ToList();
    }

    /// <summary>Writes DIR/runs.csv atomically, rows ordered by config then seed.</summary>
    public static void WriteRows(string dir, IEnumerable<SweepRow> rows)
    {
        var sb = new StringBuilder(SweepRow.Header).Append('\n');
        foreach (var r in rows.OrderBy(r => r.Config).ThenBy(r => r.Seed)) sb.Append(r.ToCsv()).Append('\n');
        AtomicFile.WriteAllText(Path.Combine(dir, "runs.csv"), sb.ToString());
    }

    /// <summary>The hash of the spec owning DIR, or null for a fresh folder.</summary>
    public static string? ReadHash(string dir)
    {
        string path = Path.Combine(dir, HashFile);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }

    /// <summary>One summary line per configuration.</summary>
    public sealed record ConfigSummary(int Rank, int Config, string Params, int Seeds, int Ok, double Iqm, double CiLow, double CiHigh, double Mean, double Median);

    /// <summary>
    /// IQM of the final evaluation means across seeds with its 95% bootstrap interval, mean and median per
    /// configuration, ranked by IQM (best first). Runs without a finite score count as failed, not as zero.
    /// </summary>
    public static List<ConfigSummary> Summarize(IReadOnlyList<SweepRow> rows)
    {
        var list = rows.GroupBy(r => r.Config).Select(g =>
        {
            double[] scores = g.Where(r => r.FinalMean is { } v && double.IsFinite(v)).Select(r => r.FinalMean!.Value).ToArray();
            var (lo, hi) = scores.Length > 0 ? SweepStats.BootstrapIqmCi([scores], seed: g.Key) : (double.NaN, double.NaN);
            return new ConfigSummary(0, g.Key, g.First().Params, g.Count(), scores.Length, SweepStats.Iqm(scores), lo, hi,
                scores.Length > 0 ? scores.Average() : double.NaN, SweepStats.Median(scores));
        }).OrderByDescending(s => double.IsNaN(s.Iqm) ? double.NegativeInfinity : s.Iqm).ThenBy(s => s.Config).ToList();
        return list.Select((s, i) => s with { Rank = i + 1 }).ToList();
    }

    /// <summary>Writes summary.csv and summary.json atomically.</summary>
    public static void WriteSummary(string dir, IReadOnlyList<ConfigSummary> summary)
    {
        static string F(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";
        var sb = new StringBuilder("rank,config,params,seeds,ok,iqm,ci_low,ci_high,mean,median\n");
        foreach (var s in summary)
            sb.Append(CultureInfo.InvariantCulture, $"{s.Rank},{s.Config},{s.Params},{s.Seeds},{s.Ok},{F(s.Iqm)},{F(s.CiLow)},{F(s.CiHigh)},{F(s.Mean)},{F(s.Median)}\n");
        AtomicFile.WriteAllText(Path.Combine(dir, "summary.csv"), sb.ToString());
        static double? N(double v) => double.IsFinite(v) ? v : null;
        var json = summary.Select(s => new Dictionary<string, object?>
        {
            ["rank"] = s.Rank, ["config"] = s.Config, ["params"] = s.Params, ["seeds"] = s.Seeds, ["ok"] = s.Ok,
            ["iqm"] = N(s.Iqm), ["ci_low"] = N(s.CiLow), ["ci_high"] = N(s.CiHigh), ["mean"] = N(s.Mean), ["median"] = N(s.Median),
        });
        AtomicFile.WriteAllText(Path.Combine(dir, "summary.json"), JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
