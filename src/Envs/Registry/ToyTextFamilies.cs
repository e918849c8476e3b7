using System.Diagnostics.CodeAnalysis;
using RlKernels.Envs.Conformance;
using RlKernels.Envs.Runner;
using RlKernels.Envs.Tabular;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Registry;

/// <summary>A toy-text env's parsed options: its model and spec (the runners build the dense table from them).</summary>
public readonly struct ToyTextParams
{
    public readonly TabularMdp Model;
    public readonly EnvSpec Spec;

    public ToyTextParams(TabularMdp model, string id, int maxEpisodeSteps, string source)
    {
        Model = model;
        Spec = TabularTable.MakeSpec(id, model, maxEpisodeSteps, source);
    }
}

/// <summary>Every toy-text id runs the same batched tabular env over its own model.</summary>
internal sealed class ToyTextBinding : IEnvBinding<ToyTextParams>
{
    public static EnvSpec Spec(in ToyTextParams p) => p.Spec;
    public static IVectorEnv CreateCpu<T>(ToyTextParams p, int envCount, VectorEnvOptions options, Backend backend) where T : struct, ILane<T> =>
        TabularVectorEnv.CreateCpu<T>(p.Model, p.Spec, envCount, options, backend);
    public static IVectorEnv CreateGpu(ToyTextParams p, int envCount, VectorEnvOptions options) =>
        TabularVectorEnv.CreateGpu(p.Model, p.Spec, envCount, options);
    public static bool TryGetModel(in ToyTextParams p, [NotNullWhen(true)] out TabularMdp? model)
    {
        model = p.Model;
        return true;
    }
    /// <summary>Toy-text models are checked against Gymnasium's P tables, not against transition files.</summary>
    public static IConformanceStepper CreateStepper<T>(ToyTextParams p) where T : struct, ILane<T> =>
        throw new NotSupportedException($"{p.Spec.Id} is checked against Gymnasium's P table (TabularMdp), not against transition CSVs.");
}

internal sealed class FrozenLakeFamily : IEnvFamily<ToyTextParams>
{
    public static string Id => "FrozenLake-v1";
    public static ToyTextParams Parse(EnvArgs args) =>
        new(FrozenLake.BuildModelFromArgs(args, "4x4"), Id, FrozenLake.MaxEpisodeSteps, "gymnasium/envs/toy_text/frozen_lake.py");
}

internal sealed class FrozenLake8x8Family : IEnvFamily<ToyTextParams>
{
    public static string Id => "FrozenLake8x8-v1";
    public static ToyTextParams Parse(EnvArgs args) =>
        new(FrozenLake.BuildModelFromArgs(args, "8x8"), Id, FrozenLake.MaxEpisodeSteps8x8, "gymnasium/envs/toy_text/frozen_lake.py");
}

internal sealed class CliffWalkingFamily : IEnvFamily<ToyTextParams>
{
    public static string Id => "CliffWalking-v1";
    public static ToyTextParams Parse(EnvArgs args) =>
        new(CliffWalking.BuildModel(args.GetBool("is_slippery", false)), Id, 0, "gymnasium/envs/toy_text/cliffwalking.py");
}

internal sealed class CliffWalkingSlipperyFamily : IEnvFamily<ToyTextParams>
{
    public static string Id => "CliffWalkingSlippery-v1";
    public static ToyTextParams Parse(EnvArgs args) =>
        new(CliffWalking.BuildModel(args.GetBool("is_slippery", true)), Id, 0, "gymnasium/envs/toy_text/cliffwalking.py");
}

internal sealed class TaxiFamily : IEnvFamily<ToyTextParams>
{
    public static string Id => "Taxi-v4";
    public static ToyTextParams Parse(EnvArgs args) =>
        new(Taxi.BuildModel(args.GetBool("is_rainy", false)), Id, Taxi.MaxEpisodeSteps, "gymnasium/envs/toy_text/taxi.py");
}
