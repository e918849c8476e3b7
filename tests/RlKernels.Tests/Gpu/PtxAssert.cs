using System.Reflection;
using RlKernels.Kernels.Gpu;

namespace RlKernels.Tests.Gpu;

/// <summary>The PTX check every new device kernel gets: it compiles with no GPU, and links on its own (no unresolved <c>.extern</c>).</summary>
internal static class PtxAssert
{
    /// <summary>Fails unless <paramref name="kernel"/> compiles to PTX with an entry point and no unresolved externs.</summary>
    public static void CompilesWithoutExterns(MethodInfo kernel, string label)
    {
        string ptx = PtxCompiler.Compile(kernel); // a fresh context per compile
        Assert.Contains(".entry", ptx);
        var externs = PtxCompiler.UnresolvedExterns(ptx);
        Assert.True(externs.Count == 0, $"{label} {kernel.Name}: unresolved externs in PTX:\n{string.Join("\n", externs)}");
    }
}
