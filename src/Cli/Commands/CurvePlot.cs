using RlKernels.Algorithms.Deep;

namespace RlKernels.Cli.Commands;

/// <summary>The learning curve as a PNG (ScottPlot, drawn by SkiaSharp's bundled native library).</summary>
internal static class CurvePlot
{
    /// <summary>Writes the plot; returns null on success, else why it could not be drawn (the CSV is still written).</summary>
    public static string? TryWrite(string path, IReadOnlyList<CurvePoint> curve, string title)
    {
        try
        {
            var plot = new ScottPlot.Plot();
            foreach (var member in curve.GroupBy(c => c.Member))
            {
                var points = member.Where(c => !double.IsNaN(c.RecentMeanReturn)).ToArray();
                if (points.Length == 0) continue;
                var line = plot.Add.Scatter(points.Select(c => (double)c.EnvSteps).ToArray(), points.Select(c => c.RecentMeanReturn).ToArray());
                line.MarkerSize = 0;
                line.LegendText = $"member {member.Key}";
            }
            plot.Title(title);
            plot.XLabel("env steps");
            plot.YLabel("mean return (last 100 episodes)");
            plot.SavePng(path, 800, 500);
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or IOException or InvalidOperationException)
        {
            return e.Message;
        }
    }
}
