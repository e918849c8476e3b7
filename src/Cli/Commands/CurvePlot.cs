using RlKernels.Algorithms.Deep;
using RlKernels.Kernels.IO;

namespace RlKernels.Cli.Commands;

/// <summary>The learning curve as a PNG (ScottPlot, drawn by SkiaSharp's bundled native library).</summary>
internal static class CurvePlot
{
    /// <summary>Writes the plot; returns null on success, else why it could not be drawn (the CSV is still written).</summary>
    /// <exception cref="IOException">The drawn PNG could not be written (disk full, file-size limit); the message names the file.</exception>
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
            // Rendered to memory, then written atomically: a failed write leaves no partial PNG under the final name.
            byte[] png;
            using (var image = plot.GetImage(800, 500)) png = image.GetImageBytes(ScottPlot.ImageFormat.Png, 100);
            AtomicFile.Write(path, stream => stream.Write(png));
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            // The native drawing library is missing or failed: the run goes on without a plot.
            return e.Message;
        }
    }
}
