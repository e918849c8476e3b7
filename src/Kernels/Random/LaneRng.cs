using System.Runtime.CompilerServices;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Kernels.Random;

/// <summary>
/// A per-env counter-based random stream over lanes. Block n of env i under seed s is
/// Philox4x32-10(counter = (n, i, purpose, 0), key = s): it depends only on (seed, env index, the env's
/// own counter), never on batch size, lane width, thread count or backend.
/// </summary>
public struct LaneRng<T> where T : struct, ILane<T>
{
    /// <summary>Purpose word for env dynamics and resets.</summary>
    public const uint EnvPurpose = 0;
    /// <summary>Purpose word for random actions drawn by the runner (benchmarks, random policies).</summary>
    public const uint ActionPurpose = 1;

    /// <summary>Bits: blocks drawn so far by each env.</summary>
    public T Counter;
    /// <summary>Blocks drawn through this generator so far. A step that draws nothing leaves it 0, a constant the JIT
    /// folds after inlining: the runner then skips storing an unchanged counter (a column of dirty lines per call).</summary>
    public int Draws;
    /// <summary>Bits: each element's env index.</summary>
    public readonly T EnvIndex;
    /// <summary>Philox key words (from the seed) and the purpose word (counter word c2) that separates streams.</summary>
    public readonly uint Key0, Key1, Purpose;

    /// <summary>A stream positioned at block <paramref name="counter"/> for the envs in <paramref name="envIndex"/> (both bits values), keyed by (<paramref name="key0"/>, <paramref name="key1"/>), for <paramref name="purpose"/> (e.g. <see cref="EnvPurpose"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public LaneRng(T counter, T envIndex, uint key0, uint key1, uint purpose)
    {
        Counter = counter;
        EnvIndex = envIndex;
        Key0 = key0;
        Key1 = key1;
        Purpose = purpose;
    }

    /// <summary>Four raw 32-bit words (as bits values) from the next block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void NextBits(out T r0, out T r1, out T r2, out T r3)
    {
        T.Philox(Counter, EnvIndex, Purpose, 0, Key0, Key1, out r0, out r1, out r2, out r3);
        Counter = T.BitsAdd(Counter, 1, T.TrueMask);
        Draws++;
    }

    /// <summary>Four uniforms in [low, high) from the next block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void NextUniform4(T low, T high, out T u0, out T u1, out T u2, out T u3)
    {
        NextBits(out T b0, out T b1, out T b2, out T b3);
        T width = high - low;
        u0 = low + width * T.BitsToUnit(b0);
        u1 = low + width * T.BitsToUnit(b1);
        u2 = low + width * T.BitsToUnit(b2);
        u3 = low + width * T.BitsToUnit(b3);
    }

    /// <summary>Two standard normal draws (Box–Muller) from the next block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void NextNormal2(out T z0, out T z1)
    {
        NextBits(out T b0, out T b1, out _, out _);
        T radius = T.Sqrt(T.Splat(-2.0) * T.Log(T.BitsToOpenUnit(b0)));
        T angle = T.Splat(2.0 * Math.PI) * T.BitsToUnit(b1);
        z0 = radius * T.Cos(angle);
        z1 = radius * T.Sin(angle);
    }
}
