using System.Reflection;
using RlKernels.Envs;
using RlKernels.Envs.Registry;
using RlKernels.Kernels.Lanes;
using Xunit;

namespace RlKernels.Tests.Gpu;

/// <summary>The env types behind the registry's ids, found by reflection, for the GPU kernel checks.</summary>
internal static class GpuTestEnvs
{
    /// <summary>(id, TEnv closed over F1, TParams) for every env struct in the Envs assembly and the test envs of this one.</summary>
    public static IReadOnlyList<(string Id, Type Env, Type Params)> All()
    {
        var found = new List<(string, Type, Type)>();
        foreach (Type type in typeof(IEnv<,,>).Assembly.GetTypes().Concat(typeof(GpuTestEnvs).Assembly.GetTypes()))
        {
            if (!type.IsValueType || !type.IsGenericTypeDefinition || type.GetGenericArguments().Length != 1) continue;
            Type closed;
            try
            {
                closed = type.MakeGenericType(typeof(F1));
            }
            catch (ArgumentException)
            {
                continue; // constraints other than a lane
            }
            Type? contract = closed.GetInterfaces()
                .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnv<,,>));
            if (contract is null) continue;
            Type paramsType = contract.GetGenericArguments()[2];
            var spec = (EnvSpec)closed.GetMethod("Spec", BindingFlags.Public | BindingFlags.Static)!
                .Invoke(null, [Activator.CreateInstance(paramsType)])!;
            found.Add((spec.Id, closed, paramsType));
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
