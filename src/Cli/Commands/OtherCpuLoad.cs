using System.Diagnostics;
using System.Globalization;

namespace RlKernels.Cli.Commands;

/// <summary>
/// How many cores other processes kept busy while a benchmark ran: the machine's busy time from <c>/proc/stat</c>
/// less this process's own CPU time, over the wall time. A benchmark shares the cores with whatever else runs, and one
/// busy process halves a 2-core machine's figures without any sign in them (for example <c>dotnet run</c>, whose own
/// process keeps a core busy for about ten seconds after it starts the program). Linux only; elsewhere
/// <see cref="Start"/> returns null.
/// </summary>
public sealed class OtherCpuLoad
{
    /// <summary>Average other-process load (cores) above which <c>rlk bench</c> warns.</summary>
    public const double WarnCores = 0.25;

    private const string StatPath = "/proc/stat";
    private readonly CpuTimes _start;
    private readonly TimeSpan _selfStart;

    private OtherCpuLoad(CpuTimes start, TimeSpan selfStart)
    {
        _start = start;
        _selfStart = selfStart;
    }

    /// <summary>Starts watching; null where <c>/proc/stat</c> cannot be read or parsed.</summary>
    public static OtherCpuLoad? Start()
    {
        CpuTimes? times = Read();
        return times is null ? null : new OtherCpuLoad(times.Value, Process.GetCurrentProcess().TotalProcessorTime);
    }

    /// <summary>Average cores other processes kept busy since <see cref="Start"/>; null if <c>/proc/stat</c> could not be read again.</summary>
    public double? Cores()
    {
        CpuTimes? now = Read();
        if (now is null) return null;
        TimeSpan self = Process.GetCurrentProcess().TotalProcessorTime - _selfStart;
        return OtherCores(_start, now.Value, self.TotalSeconds);
    }

    /// <summary>Writes <see cref="Warning"/> for the load since <see cref="Start"/>, if any, to <paramref name="error"/>.</summary>
    /// <param name="command">The command that measured, to start the line.</param>
    /// <param name="error">Standard error (standard output may hold JSON).</param>
    public void WarnIfShared(string command, TextWriter error)
    {
        if (Warning(command, Cores()) is string line) error.WriteLine(line);
    }

    /// <summary>
    /// The warning line when other processes kept at least <see cref="WarnCores"/> of a core busy on average
    /// (<paramref name="otherCores"/>): the rates then measure the sharing too. Null below that, or with no figure.
    /// </summary>
    public static string? Warning(string command, double? otherCores) =>
        otherCores is double cores && cores >= WarnCores
            ? string.Create(CultureInfo.InvariantCulture,
                $"{command}: warning: other processes kept {cores:F1} of {Environment.ProcessorCount} cores busy while this ran, so the rates are low by up to that share (run the built rlk rather than `dotnet run`, whose own process stays busy for seconds after it starts rlk).")
            : null;

    /// <summary>
    /// Cores busy outside this process between two snapshots: the busy share of all cores' time × the cores, less this
    /// process's CPU seconds over the wall seconds between the snapshots. Never below 0 (the clocks are read apart).
    /// Null when no time passed.
    /// </summary>
    /// <param name="start">The first snapshot.</param>
    /// <param name="end">The second snapshot.</param>
    /// <param name="selfCpuSeconds">This process's CPU time between them.</param>
    public static double? OtherCores(CpuTimes start, CpuTimes end, double selfCpuSeconds)
    {
        long total = end.Total - start.Total, busy = end.Busy - start.Busy;
        double wallSeconds = (end.Stamp - start.Stamp).TotalSeconds;
        if (total <= 0 || wallSeconds <= 0 || end.Cores < 1) return null;
        double busyCores = (double)busy / total * end.Cores;
        return Math.Max(0, busyCores - selfCpuSeconds / wallSeconds);
    }

    /// <summary>Parses <c>/proc/stat</c>: its aggregate first line (user nice system idle iowait irq softirq steal …) and its
    /// per-core <c>cpuN</c> lines, counted; null if the first line is not the aggregate one.</summary>
    /// <param name="lines">The file's lines.</param>
    /// <param name="stamp">When it was read.</param>
    public static CpuTimes? Parse(IReadOnlyList<string> lines, DateTime stamp)
    {
        if (lines.Count == 0 || !lines[0].StartsWith("cpu ", StringComparison.Ordinal)) return null;
        string[] parts = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 5) return null;
        var v = new long[Math.Min(parts.Length - 1, 8)];
        for (int i = 0; i < v.Length; i++)
            if (!long.TryParse(parts[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out v[i])) return null;
        long idle = v[3] + (v.Length > 4 ? v[4] : 0);       // idle + iowait
        long steal = v.Length > 7 ? v[7] : 0;                 // another guest ran: neither busy nor idle here
        long total = v.Sum() - steal;
        int cores = lines.Count(l => l.Length > 3 && l.StartsWith("cpu", StringComparison.Ordinal) && char.IsAsciiDigit(l[3]));
        return new CpuTimes(total - idle, total, cores, stamp);
    }

    private static CpuTimes? Read()
    {
        try
        {
            return Parse(File.ReadAllLines(StatPath), DateTime.UtcNow);
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}

/// <summary>One reading of <c>/proc/stat</c>: busy and total ticks of all cores together (steal left out), the cores, and when.</summary>
/// <param name="Busy">Ticks not idle (user, nice, system, irq, softirq).</param>
/// <param name="Total">Busy plus idle and I/O wait ticks.</param>
/// <param name="Cores">The <c>cpuN</c> lines.</param>
/// <param name="Stamp">When the file was read (UTC).</param>
public readonly record struct CpuTimes(long Busy, long Total, int Cores, DateTime Stamp);
