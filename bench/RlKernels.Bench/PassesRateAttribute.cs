using BenchmarkDotNet.Configs;

namespace RlKernels.Bench;

/// <summary>
/// The config of a benchmark whose invoke does about <paramref name="itemsPerInvoke"/> items in whole passes over its
/// [Params] <paramref name="sizeParameter"/> items: adds the exact <see cref="PerItemRateColumn"/> named
/// <paramref name="columnName"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class PassesRateAttribute(string columnName, string sizeParameter, int itemsPerInvoke) : Attribute, IConfigSource
{
    public IConfig Config { get; } = ManualConfig.CreateEmpty().AddColumn(PerItemRateColumn.ForPasses(columnName, sizeParameter, itemsPerInvoke));
}
