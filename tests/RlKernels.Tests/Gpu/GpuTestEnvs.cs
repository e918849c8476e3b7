using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using Xunit;

namespace RlKernels.Tests.Gpu;

/// <summary>The kernel instantiations behind the registry's ids, for the GPU kernel checks.</summary>
internal static class GpuTestEnvs
{
    // Built once per test run: each entry opens a CPU accelerator and loads the kernels.
    private static readonly Lazy<IReadOnlyList<(string Id, Type Env, Type Params)>> Found = new(Discover);

    /// <summary>
    /// (id, TEnv, TParams) of the <see cref="GpuVectorEnv{TEnv, TParams}"/> that the registry builds for
    /// every id on ILGPU's CPU accelerator; ids whose gpu backend fails to build are left out (so the
    /// coverage test names them).
    /// </summary>
    /// <remarks>
    /// Asking the registry (rather than scanning env structs) finds exactly what runs, whatever the env's
    /// shape: several ids may share one env type (toy-text: TabularEnv&lt;F1, ViewLaneTable&gt;), and an
    /// env's params need not say which id they belong to.
    /// </remarks>
    public static IReadOnlyList<(string Id, Type Env, Type Params)> All() => Found.Value;

    private static IReadOnlyList<(string Id, Type Env, Type Params)> Discover()
    {
        var found = new List<(string, Type, Type)>();
        foreach (string id in EnvRegistry.Ids)
        {
            IVectorEnv env;
            try
            {
                env = EnvRegistry.Make(id, 1, new VectorEnvOptions { Backend = Backend.GpuCpuAccelerator });
            }
            catch (NotSupportedException)
            {
                continue;
            }
            using (env)
            {
                Type type = env.GetType();
                if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(GpuVectorEnv<,>)) continue;
                Type[] args = type.GetGenericArguments();
                found.Add((id, args[0], args[1]));
            }
        }
        return found;
    }

    /// <summary>Registered ids as theory data.</summary>
    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (string id in EnvRegistry.Ids) data.Add(id);
        return data;
    }
}
