using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Gpu;
using Xunit;

namespace RlKernels.Tests.Gpu;

/// <summary>
/// Every GPU kernel of every registered env compiles to PTX with no GPU present, and the PTX links on
/// its own (no unresolved <c>.extern</c>: an unmapped call would only fail at load time on a real GPU).
/// </summary>
public class PtxCompileTests
{
    [Fact]
    public void EveryRegisteredEnvHasAKernelType()
    {
        var found = GpuTestEnvs.All().Select(e => e.Id).ToHashSet();
        Assert.All(EnvRegistry.Ids, id => Assert.Contains(id, found));
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
}
