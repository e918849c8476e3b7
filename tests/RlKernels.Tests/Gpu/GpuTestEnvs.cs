using RlKernels.Envs.Registry;

namespace RlKernels.Tests.Gpu;

/// <summary>The kernel instantiations behind the registry's ids, for the GPU kernel checks.</summary>
internal static class GpuTestEnvs
{
    /// <summary>
    /// (id, TEnv, TParams) of the GPU kernels of every registered id with its default options, as its
    /// declaration names them (several ids may share one env type: toy-text runs TabularEnv&lt;F1, ViewLaneTable&gt;).
    /// </summary>
    public static IReadOnlyList<(string Id, Type Env, Type Params)> All() =>
        EnvRegistry.Ids.Select(id =>
        {
            var (env, parameters) = EnvRegistry.Get(id).GpuKernelTypes(EnvArgs.Empty);
            return (id, env, parameters);
        }).ToList();

    /// <summary>Registered ids as theory data.</summary>
    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (string id in EnvRegistry.Ids) data.Add(id);
        return data;
    }
}
