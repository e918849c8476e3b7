using System.Reflection;
using RlKernels.Envs.Runner;

namespace RlKernels.Algorithms.Device;

/// <summary>
/// From an <see cref="IVectorEnv"/> to code generic over its env type: the device loops need the concrete
/// <see cref="GpuVectorEnv{TEnv, TParams}"/> (their kernels are instantiated per env), while the registry hands out the interface.
/// </summary>
internal static class GpuRunnerDispatch
{
    /// <summary>True when <paramref name="env"/> is a plain <see cref="GpuVectorEnv{TEnv, TParams}"/> (no wrapper around the runner).</summary>
    public static bool IsPlainRunner(IVectorEnv env)
    {
        Type type = env.GetType();
        return type.IsGenericType && type.GetGenericTypeDefinition() == typeof(GpuVectorEnv<,>);
    }

    /// <summary>
    /// Calls <paramref name="owner"/>'s static generic method <paramref name="name"/>&lt;TEnv, TParams&gt; with the type arguments of
    /// <paramref name="env"/> (a plain runner) and <paramref name="args"/>; what the method throws is rethrown as it is.
    /// </summary>
    public static TResult Invoke<TResult>(Type owner, string name, IVectorEnv env, params object[] args)
    {
        MethodInfo method = owner.GetMethod(name, BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static)!
            .MakeGenericMethod(env.GetType().GetGenericArguments());
        try
        {
            return (TResult)method.Invoke(null, args)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
