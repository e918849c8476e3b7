using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Gpu;

namespace RlKernels.Tests.Gpu;

/// <summary>
/// Every GPU kernel of every registered env compiles to PTX with no GPU present, and the PTX links on
/// its own (no unresolved <c>.extern</c>: an unmapped call would only fail at load time on a real GPU).
/// </summary>
public class PtxCompileTests
{
    /// <summary>The kernel types each declaration names are the ones the GPU runner really runs.</summary>
    [Theory]
    [MemberData(nameof(Ids))]
    public void DeclaredKernelTypesAreTheRunnersTypes(string id)
    {
        var (_, env, parameters) = GpuTestEnvs.All().Single(e => e.Id == id);
        using var runner = EnvRegistry.Make(id, 1, new VectorEnvOptions { Backend = Backend.GpuCpuAccelerator });
        Assert.Equal(typeof(GpuVectorEnv<,>).MakeGenericType(env, parameters), runner.GetType());
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void EveryKernelCompilesToPtxWithoutExterns(string id)
    {
        var (_, env, parameters) = GpuTestEnvs.All().Single(e => e.Id == id);
        var kernels = GpuEnvKernels.All(env, parameters);
        Assert.NotEmpty(kernels);
        foreach (var kernel in kernels)
        {
            string ptx = PtxCompiler.Compile(kernel); // a fresh context per compile
            Assert.Contains(".entry", ptx);
            var externs = PtxCompiler.UnresolvedExterns(ptx);
            Assert.True(externs.Count == 0,
                $"{id} {kernel.Name}: unresolved externs in PTX:\n{string.Join("\n", externs)}");
        }
    }

    public static TheoryData<string> Ids() => GpuTestEnvs.Ids();

    /// <summary>Wrapped envs: hidden velocity and frame stacks of every history capacity, alone and nested.</summary>
    public static TheoryData<string, string> WrappedConfigs()
    {
        var data = new TheoryData<string, string>();
        foreach (string id in EnvRegistry.IdsWhere(e => e.VelocityFeatures != 0))
            data.Add(id, "hide_velocity=true,frame_stack=4,frame_stack_actions=true");
        data.Add("CartPole-v1", "hide_velocity=true");
        data.Add("CartPole-v1", "frame_stack=2,frame_stack_padding=zero"); // 8 slots
        data.Add("CartPole-v1", "frame_stack=6,frame_stack_actions=true"); // 30 slots: the 32-slot history
        data.Add("Acrobot-v1", "frame_stack=5,frame_stack_actions=true");  // 35 slots: 40 (32 + 8)
        data.Add("Acrobot-v1", "frame_stack=6,frame_stack_actions=true");  // 42 slots: 48 (32 + 16)
        data.Add("Acrobot-v1", "frame_stack=8,frame_stack_actions=true");  // 56 slots: 56 (32 + 24)
        data.Add("Acrobot-v1", "frame_stack=9,frame_stack_actions=true");  // 63 slots: the 64-slot history
        return data;
    }

    [Theory]
    [MemberData(nameof(WrappedConfigs))]
    public void WrappedEnvKernelsCompileToPtxWithoutExterns(string id, string envArgs)
    {
        var args = EnvArgs.Parse(envArgs.Split(','));
        var (env, parameters) = EnvRegistry.Get(id).GpuKernelTypes(args);
        Assert.NotEqual(GpuTestEnvs.All().Single(e => e.Id == id).Env, env); // really wrapped
        foreach (var kernel in GpuEnvKernels.All(env, parameters))
        {
            string ptx = PtxCompiler.Compile(kernel);
            Assert.Contains(".entry", ptx);
            var externs = PtxCompiler.UnresolvedExterns(ptx);
            Assert.True(externs.Count == 0, $"{id} [{envArgs}] {kernel.Name}: unresolved externs in PTX:\n{string.Join("\n", externs)}");
        }
    }
}
