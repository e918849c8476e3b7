using RlKernels.Envs.Runner;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Tabular;

/// <summary>Vector envs over any <see cref="TabularMdp"/> (a loaded or user-built model), on every backend.</summary>
public static class TabularVectorEnv
{
    /// <summary><paramref name="envCount"/> copies of <paramref name="model"/>.</summary>
    /// <param name="model">The MDP; its dense table is built once per vector env (and uploaded once on a GPU backend).</param>
    /// <param name="envCount">Number of env copies.</param>
    /// <param name="options">Backend, seed, auto-reset and time limit.</param>
    /// <param name="id">The id the spec reports.</param>
    /// <param name="maxEpisodeSteps">Time limit of the spec; 0 = none.</param>
    /// <param name="source">Where the model comes from, for the spec.</param>
    public static IVectorEnv Create(TabularMdp model, int envCount, VectorEnvOptions? options = null,
        string id = "Tabular", int maxEpisodeSteps = 0, string source = "user TabularMdp") =>
        Create(model, TabularTable.MakeSpec(id, model, maxEpisodeSteps, source), envCount, options ?? new VectorEnvOptions());

    internal static IVectorEnv Create(TabularMdp model, EnvSpec spec, int envCount, VectorEnvOptions options)
    {
        if (envCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(envCount), envCount, "envCount must be at least 1.");
        return options.Backend is Backend.Gpu or Backend.GpuCpuAccelerator
            ? CreateGpu(model, spec, envCount, options)
            : LaneDispatch.On<CpuFactory, IVectorEnv>(LaneDispatch.OfCpuBackend(options.Backend), new(model, spec, envCount, options, options.Backend));
    }

    internal static IVectorEnv CreateCpu<T>(TabularMdp model, EnvSpec spec, int envCount, VectorEnvOptions options, Backend backend)
        where T : struct, ILane<T> =>
        new CpuVectorEnv<TabularEnv<T, ArrayLaneTable<T>>, T, TabularParams<ArrayLaneTable<T>>>(
            spec, TabularTable.CpuParams<T>(model), envCount, options, backend);

    private readonly struct CpuFactory(TabularMdp model, EnvSpec spec, int envCount, VectorEnvOptions options, Backend backend)
        : ILaneFactory<IVectorEnv>
    {
        public IVectorEnv Make<T>() where T : struct, ILane<T> => CreateCpu<T>(model, spec, envCount, options, backend);
    }

    /// <summary>
    /// The GPU runner over the same step logic: the dense table goes to the runner's device once
    /// (owned and freed by the runner), the kernels read it through <see cref="ViewLaneTable"/>.
    /// </summary>
    internal static IVectorEnv CreateGpu(TabularMdp model, EnvSpec spec, int envCount, VectorEnvOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new GpuVectorEnv<TabularEnv<F1, ViewLaneTable>, TabularParams<ViewLaneTable>>(
            spec, memory => TabularTable.GpuParams(model, memory), envCount, options);
    }
}
