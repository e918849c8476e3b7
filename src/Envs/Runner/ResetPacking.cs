using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Runner;

/// <summary>
/// Appends the envs of one lane value that a mask names, and their RNG counters, to the lists the CPU runner's packed
/// resets read (<see cref="CpuVectorEnv{TEnv, T, TParams}"/>), without a loop over the named envs: a compress on 16-float
/// lanes (AVX-512). The loop over the mask's bits that it replaces runs a random number of times (about one CartPole
/// lane value in two ends an episode in a step, most of them one or two), and its branches were mispredicted: CartPole
/// stepped 4–8% faster on 16-float lanes without it (bench/README.md, stop 39). On 8-float lanes (AVX2) a permutation
/// from a table of the 256 masks' orders measured no faster than the loop, so they keep it.
/// </summary>
internal static class ResetPacking
{
    /// <summary>
    /// Writes the envs <c>firstEnv + j</c> for every element j that <paramref name="mask"/> names to
    /// <paramref name="envs"/>[<paramref name="count"/>..], and the elements j of <paramref name="counters"/> to
    /// <paramref name="counterList"/>[<paramref name="count"/>..], in order of j, and advances <paramref name="count"/>
    /// by how many. Returns false, writing nothing, where the lanes are not 16 floats with AVX-512 (the caller loops).
    /// Whole lane widths are stored: both lists must hold <paramref name="count"/> + the lane width.
    /// </summary>
    /// <param name="mask">The lane value's mask.</param>
    /// <param name="bits">Its bits (<see cref="ILane{TSelf}.MaskBits"/>).</param>
    /// <param name="firstEnv">The env of the lane value's element 0.</param>
    /// <param name="counters">The lane value's RNG counters, [lane width].</param>
    /// <param name="envs">The list of envs.</param>
    /// <param name="counterList">The list of counters, as <paramref name="envs"/>.</param>
    /// <param name="count">Entries in the lists so far.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryPack<T>(T mask, ulong bits, uint firstEnv, ref uint counters, uint[] envs, uint[] counterList, ref int count)
        where T : struct, ILane<T>
    {
        if (T.IsDouble || !Avx512F.IsSupported || T.Count != Vector512<uint>.Count) return false;
        var named = Unsafe.As<T, Vector512<uint>>(ref mask);
        Avx512F.Compress(Vector512<uint>.Zero, named, Vector512.Create(firstEnv) + Vector512<uint>.Indices).CopyTo(envs.AsSpan(count));
        Avx512F.Compress(Vector512<uint>.Zero, named, Vector512.LoadUnsafe(ref counters)).CopyTo(counterList.AsSpan(count));
        count += BitOperations.PopCount(bits);
        return true;
    }
}
