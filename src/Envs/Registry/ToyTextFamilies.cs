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

    internal IVectorEnv CreateCpu<T>(int envCount, VectorEnvOptions options, Backend backend) where T : struct, ILane<T> =>
        TabularVectorEnv.CreateCpu<T>(Model, Spec, envCount, options, backend);

    internal IVectorEnv CreateGpu(int envCount, VectorEnvOptions options) =>
        TabularVectorEnv.Create(Model, Spec, envCount, options);
}

internal sealed class FrozenLakeFamily : IEnvFamily<ToyTextParams>
{
    public static string Id => "FrozenLake-v1";
    public static ToyTextParams Parse(EnvArgs args) =>
        new(FrozenLake.BuildModelFromArgs(args, "4x4"), Id, FrozenLake.MaxEpisodeSteps, "gymnasium/envs/toy_text/frozen_lake.py");
    public static EnvSpec Spec(in ToyTextParams p) => p.Spec;
    public static IVectorEnv CreateCpu<T>(ToyTextParams p, int envCount, VectorEnvOptions options, Backend backend) where T : struct, ILane<T> =>
        p.CreateCpu<T>(envCount, options, backend);
    public static IVectorEnv CreateGpu(ToyTextParams p, int envCount, VectorEnvOptions options) => p.CreateGpu(envCount, options);
}

internal sealed class FrozenLake8x8Family : IEnvFamily<ToyTextParams>
{
    public static string Id => "FrozenLake8x8-v1";
    public static ToyTextParams Parse(EnvArgs args) =>
        new(FrozenLake.BuildModelFromArgs(args, "8x8"), Id, FrozenLake.MaxEpisodeSteps8x8, "gymnasium/envs/toy_text/frozen_lake.py");
    public static EnvSpec Spec(in ToyTextParams p) => p.Spec;
    public static IVectorEnv CreateCpu<T>(ToyTextParams p, int envCount, VectorEnvOptions options, Backend backend) where T : struct, ILane<T> =>
        p.CreateCpu<T>(envCount, options, backend);
    public static IVectorEnv CreateGpu(ToyTextParams p, int envCount, VectorEnvOptions options) => p.CreateGpu(envCount, options);
}

internal sealed class CliffWalkingFamily : IEnvFamily<ToyTextParams>
{
    public static string Id => "CliffWalking-v1";
    public static ToyTextParams Parse(EnvArgs args) =>
        new(CliffWalking.BuildModel(args.GetBool("is_slippery", false)), Id, 0, "gymnasium/envs/toy_text/cliffwalking.py");
    public static EnvSpec Spec(in ToyTextParams p) => p.Spec;
    public static IVectorEnv CreateCpu<T>(ToyTextParams p, int envCount, VectorEnvOptions options, Backend backend) where T : struct, ILane<T> =>
        p.CreateCpu<T>(envCount, options, backend);
    public static IVectorEnv CreateGpu(ToyTextParams p, int envCount, VectorEnvOptions options) => p.CreateGpu(envCount, options);
}

internal sealed class CliffWalkingSlipperyFamily : IEnvFamily<ToyTextParams>
{
    public static string Id => "CliffWalkingSlippery-v1";
    public static ToyTextParams Parse(EnvArgs args) =>
        new(CliffWalking.BuildModel(args.GetBool("is_slippery", true)), Id, 0, "gymnasium/envs/toy_text/cliffwalking.py");
    public static EnvSpec Spec(in ToyTextParams p) => p.Spec;
    public static IVectorEnv CreateCpu<T>(ToyTextParams p, int envCount, VectorEnvOptions options, Backend backend) where T : struct, ILane<T> =>
        p.CreateCpu<T>(envCount, options, backend);
    public static IVectorEnv CreateGpu(ToyTextParams p, int envCount, VectorEnvOptions options) => p.CreateGpu(envCount, options);
}

internal sealed class TaxiFamily : IEnvFamily<ToyTextParams>
{
    public static string Id => "Taxi-v4";
    public static ToyTextParams Parse(EnvArgs args) =>
        new(Taxi.BuildModel(args.GetBool("is_rainy", false)), Id, Taxi.MaxEpisodeSteps, "gymnasium/envs/toy_text/taxi.py");
    public static EnvSpec Spec(in ToyTextParams p) => p.Spec;
    public static IVectorEnv CreateCpu<T>(ToyTextParams p, int envCount, VectorEnvOptions options, Backend backend) where T : struct, ILane<T> =>
        p.CreateCpu<T>(envCount, options, backend);
    public static IVectorEnv CreateGpu(ToyTextParams p, int envCount, VectorEnvOptions options) => p.CreateGpu(envCount, options);
}
