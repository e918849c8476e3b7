using RlKernels.Algorithms.Tabular;
using RlKernels.Kernels.Gpu;

namespace RlKernels.Tests.Gpu;

/// <summary>The Q-iteration sweep kernel compiles to PTX without a GPU and links on its own.</summary>
public class QIterationPtxTests
{
    [Fact]
    public void SweepKernelCompilesToPtxWithoutExterns()
    {
        var kernel = typeof(GpuSlicedQIteration).GetMethod(nameof(GpuSlicedQIteration.SweepKernel))!;
        string ptx = PtxCompiler.Compile(kernel);  // a fresh context per compile
        Assert.Contains(".entry", ptx);
        Assert.Empty(PtxCompiler.UnresolvedExterns(ptx));
    }
}
