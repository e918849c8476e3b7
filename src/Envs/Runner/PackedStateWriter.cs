using System.Runtime.CompilerServices;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Runner;

/// <summary>
/// Env Store → state columns of envs packed into one lane value: element j of each field goes to env
/// <c>envs[first + j]</c>'s own lane (j &lt; count). The CPU runner's packed resets use it (float lanes only: an
/// element is written as a float).
/// </summary>
/// <param name="state">[StateSize, stride] lane values: the runner's state columns.</param>
/// <param name="stride">Lane values per state field.</param>
/// <param name="envs">Env indices; [first, first + count) are this lane value's.</param>
/// <param name="first">The first of them.</param>
/// <param name="count">How many (≤ the lane width).</param>
internal readonly struct PackedStateWriter<T>(T[] state, int stride, uint[] envs, int first, int count) : ILaneWriter<T>
    where T : struct, ILane<T>
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, T value)
    {
        // The value's elements read from one spill of it, not extracted one at a time. A field's column is [stride] lane
        // values, so env e's element is its float e (e < VecCount · lane width ≤ stride · lane width: in the column).
        ref float elements = ref Unsafe.As<T, float>(ref value);
        ref float column = ref Unsafe.As<T, float>(ref state[index * stride]);
        ReadOnlySpan<uint> group = envs.AsSpan(first, count);
        for (int j = 0; j < group.Length; j++) Unsafe.Add(ref column, (int)group[j]) = Unsafe.Add(ref elements, j);
    }
}
