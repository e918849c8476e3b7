using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace RlKernels.Kernels.Gpu;

/// <summary>
/// Compiles a kernel to PTX with ILGPU's <see cref="PTXBackend"/>, with no GPU and no CUDA driver: how
/// machines without a GPU check that every kernel would run on one.
/// </summary>
/// <remarks>
/// Each call builds a fresh <see cref="Context"/>, because a failed compile can leave a context's IR in a
/// state that breaks later compiles. The context enables ILGPU.Algorithms, as <see cref="GpuDevice"/>
/// does, so the PTX is what the CUDA runner would load. Callers should also fail on an unresolved
/// <c>.extern</c> in the result (<see cref="UnresolvedExterns"/>): a call to a function that is not
/// defined in the module would pass this compile and only fail when the CUDA driver links it.
/// </remarks>
public static class PtxCompiler
{
    /// <summary>
    /// PTX for an implicitly grouped kernel (first parameter an <c>Index1D</c>, as loaded by
    /// <c>LoadAutoGroupedStreamKernel</c>).
    /// </summary>
    /// <param name="kernel">A static, fully instantiated (non-generic-definition) kernel method.</param>
    /// <param name="architecture">Target GPU architecture; SM 7.0 (Volta) by default, the oldest we support.</param>
    public static string Compile(MethodInfo kernel, CudaArchitecture? architecture = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (kernel.ContainsGenericParameters)
            throw new ArgumentException($"Kernel {kernel.Name} has open generic parameters; instantiate it first.", nameof(kernel));
        CudaArchitecture arch = architecture ?? CudaArchitecture.SM_70;
        using var context = Context.Create(b => b.EnableAlgorithms());
        using var backend = new PTXBackend(context, arch, CudaInstructionSet.ISA_70, nvvmAPI: null!); // no NVVM: libdevice is not linked
        var entry = EntryPointDescription.FromImplicitlyGroupedKernel(kernel);
        var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
        return compiled.PTXAssembly;
    }

    /// <summary>
    /// The <c>.extern</c> declarations in <paramref name="ptx"/> that need a library to link (empty when it
    /// links on its own). <c>.extern .shared</c> is dynamic shared memory sized at launch, not a missing symbol.
    /// </summary>
    public static IReadOnlyList<string> UnresolvedExterns(string ptx) =>
        ptx.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.StartsWith(".extern", StringComparison.Ordinal) || line.Contains(" .extern ", StringComparison.Ordinal))
            .Where(line => !line.Contains(".extern .shared", StringComparison.Ordinal))
            .ToList();
}
