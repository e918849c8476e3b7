using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace RlKernels.Bench;

/// <summary>
/// Items per second computed from a benchmark's mean time and the exact number of items one invoke
/// does. <see cref="BenchmarkDotNet.Attributes.BenchmarkAttribute.OperationsPerInvoke"/> must be a
/// constant, while the item count per invoke depends on a [Params] size, so the per-operation
/// columns are off by the rounding of <c>itemsPerInvoke</c>; this column is exact.
/// </summary>
public sealed class PerItemRateColumn(string columnName, string sizeParameter, Func<int, long> itemsPerInvoke, int operationsPerInvoke) : IColumn
{
    /// <summary>
    /// Passes over <paramref name="size"/> items that make about <paramref name="itemsPerInvoke"/> items (at least one):
    /// the repeat count of a benchmark whose invoke does a fixed amount of work whatever its [Params] size.
    /// </summary>
    public static int Passes(int size, int itemsPerInvoke) => Math.Max(1, (int)Math.Round((double)itemsPerInvoke / size));

    /// <summary>The exact rate column of such a benchmark: one invoke is <see cref="Passes"/> passes over the size's items.</summary>
    public static PerItemRateColumn ForPasses(string columnName, string sizeParameter, int itemsPerInvoke) =>
        new(columnName, sizeParameter, size => (long)size * Passes(size, itemsPerInvoke), itemsPerInvoke);

    public string Id => nameof(PerItemRateColumn) + columnName;
    public string ColumnName => columnName;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => $"{columnName}: items per second from the mean and the exact items per invoke";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is not { } stats || benchmarkCase.Parameters[sizeParameter] is not int size)
            return "-";
        // Mean is nanoseconds per operation; one invoke is operationsPerInvoke operations.
        double secondsPerInvoke = stats.Mean * operationsPerInvoke * 1e-9;
        double rate = itemsPerInvoke(size) / secondsPerInvoke;
        return rate >= 1e9 ? $"{rate / 1e9:0.00} G" : rate >= 1e6 ? $"{rate / 1e6:0.0} M" : $"{rate / 1e3:0.0} k";
    }
}
