using System.Globalization;
using RlKernels.Kernels.IO;

namespace RlKernels.Cli.Sweep;

/// <summary>
/// The plots of <c>rlk sweep report</c>: score (IQM with its interval) against each swept parameter, and the
/// mean learning curves of the top configurations across their seeds.
/// </summary>
internal static class SweepPlots
{
    /// <summary>Writes score-vs-PARAM.png per parameter and top-curves.png; returns the files written (none when drawing fails).</summary>
    public static List<string> Write(string dir, IReadOnlyList<SweepRow> rows, IReadOnlyList<SweepResults.ConfigSummary> summary, int top = 5)
    {
        var written = new List<string>();
        try
        {
            var names = summary.SelectMany(s => ParseParams(s.Params).Keys).Distinct().ToArray();
            foreach (string name in names)
            {
                var pts = summary.Where(s => double.IsFinite(s.Iqm) && ParseParams(s.Params).ContainsKey(name))
                    .Select(s => (X: ParseParams(s.Params)[name], s.Iqm, s.CiLow, s.CiHigh)).OrderBy(p => p.X).ToArray();
                if (pts.Length == 0) continue;
                // Log axis for a parameter spanning two decades or more (log-uniform draws, lr grids).
                bool log = pts.All(p => p.X > 0) && pts.Max(p => p.X) / pts.Min(p => p.X) >= 100;
                double[] xs = pts.Select(p => log ? Math.Log10(p.X) : p.X).ToArray();
                var plot = new ScottPlot.Plot();
                var sc = plot.Add.Scatter(xs, pts.Select(p => p.Iqm).ToArray());
                sc.LineWidth = 0;
                sc.LegendText = "IQM";
                foreach (var (label, ys) in new[] { ("95% CI low", pts.Select(p => p.CiLow).ToArray()), ("95% CI high", pts.Select(p => p.CiHigh).ToArray()) })
                {
                    var ci = plot.Add.Scatter(xs, ys);
                    ci.LineWidth = 0;
                    ci.MarkerSize = 3;
                    ci.LegendText = label;
                }
                plot.ShowLegend();
                plot.XLabel(log ? $"log10 {name}" : name);
                plot.YLabel("final return IQM (95% CI)");
                written.Add(Save(plot, Path.Combine(dir, $"score-vs-{name}.png")));
            }
            var curvePlot = new ScottPlot.Plot();
            foreach (var s in summary.Take(top))
            {
                var curves = rows.Where(r => r.Config == s.Config).Select(r => Path.Combine(dir, "runs", r.Id, "curve.csv")).Where(File.Exists).Select(ReadCurve).ToArray();
                if (curves.Length == 0) continue;
                var mean = curves.SelectMany(c => c).GroupBy(p => p.Step).Where(g => g.Count() == curves.Length).OrderBy(g => g.Key)
                    .Select(g => (Step: (double)g.Key, Mean: g.Average(p => p.Value))).ToArray();
                if (mean.Length == 0) continue;
                var line = curvePlot.Add.Scatter(mean.Select(p => p.Step).ToArray(), mean.Select(p => p.Mean).ToArray());
                line.MarkerSize = 0;
                line.LegendText = $"#{s.Rank} c{s.Config} {s.Params}";
            }
            curvePlot.XLabel("env steps");
            curvePlot.YLabel("mean return across seeds");
            curvePlot.ShowLegend();
            written.Add(Save(curvePlot, Path.Combine(dir, "top-curves.png")));
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            // No native drawing library: the tables are still written.
        }
        return written;
    }

    private static string Save(ScottPlot.Plot plot, string path)
    {
        byte[] png;
        using (var image = plot.GetImage(800, 500)) png = image.GetImageBytes(ScottPlot.ImageFormat.Png, 100);
        AtomicFile.Write(path, stream => stream.Write(png));
        return path;
    }

    private static Dictionary<string, double> ParseParams(string text) =>
        text.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('='))
            .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));

    /// <summary>Member 0's (env step, recent mean return) rows of a curve.csv.</summary>
    private static List<(long Step, double Value)> ReadCurve(string path) =>
        File.ReadLines(path).Skip(1).Select(l => l.Split(',')).Where(f => f[1] == "0" && f[2].Length > 0)
            .Select(f => (long.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[2], CultureInfo.InvariantCulture))).ToList();
}
