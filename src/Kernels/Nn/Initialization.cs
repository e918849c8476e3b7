using RlKernels.Kernels.Random;

namespace RlKernels.Kernels.Nn;

/// <summary>How an <see cref="Mlp"/>'s weights are drawn.</summary>
public enum InitScheme
{
    /// <summary>Orthogonal rows or columns scaled by a gain (Saxe et al. 2014; the PPO default).</summary>
    Orthogonal,
    /// <summary>Normal with std = gain · √(2 / in) (He et al. 2015).</summary>
    He,
    /// <summary>Uniform on ±gain · √(6 / (in + out)) (Glorot and Bengio 2010).</summary>
    Xavier,
}

/// <summary>
/// Deterministic weight initialization from Philox: element e of member p in tensor `tensorId` uses
/// block (e/2, p, tensorId, purpose) under the seed, so the same seed gives the same network whatever
/// the population split or backend (initialization always runs on the host; devices copy it).
/// </summary>
public static class Initialization
{
    /// <summary>Purpose word of the Philox counter for initialization.</summary>
    public const uint InitPurpose = 0x494E4954; // "INIT"

    /// <summary>Fills weights [P, out, in] with the given scheme.</summary>
    /// <remarks>Effectively computes weight[p] = gain · (orthogonal | He normal | Xavier uniform) matrix of shape [out, in].</remarks>
    public static void Fill(
        Span<float> weight, // [P, out, in]
        int population, int outSize, int inSize, InitScheme scheme, float gain, ulong seed, uint tensorId)
    {
        Shapes.Positive(population, nameof(population));
        Shapes.Positive(outSize, nameof(outSize));
        Shapes.Positive(inSize, nameof(inSize));
        Shapes.Require(weight.Length, (long)population * outSize * inSize, nameof(weight), "[P, out, in]");
        int n = outSize * inSize;
        var draws = new double[n];
        for (int p = 0; p < population; p++)
        {
            Span<float> w = weight.Slice(p * n, n);
            switch (scheme)
            {
                case InitScheme.Orthogonal:
                    Normals(draws, seed, p, tensorId);
                    Orthonormalize(draws, outSize, inSize);
                    for (int i = 0; i < n; i++) w[i] = (float)(gain * draws[i]);
                    break;
                case InitScheme.He:
                    Normals(draws, seed, p, tensorId);
                    double std = gain * Math.Sqrt(2.0 / inSize);
                    for (int i = 0; i < n; i++) w[i] = (float)(std * draws[i]);
                    break;
                case InitScheme.Xavier:
                    Philox4x32.KeyFromSeed(seed, out uint k0, out uint k1);
                    double bound = gain * Math.Sqrt(6.0 / (inSize + outSize));
                    for (int i = 0; i < n; i++)
                    {
                        Philox4x32.Block((uint)(i >> 1), (uint)p, tensorId, InitPurpose, k0, k1, out uint b0, out uint b1, out _, out _);
                        w[i] = (float)(bound * (2.0 * Philox4x32.ToUnit((i & 1) == 0 ? b0 : b1) - 1.0));
                    }
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Unknown init scheme.");
            }
        }
    }

    /// <summary>Standard normals by Box–Muller in double: element pair j comes from block (j, member, tensor, purpose).</summary>
    private static void Normals(Span<double> draws, ulong seed, int member, uint tensorId)
    {
        Philox4x32.KeyFromSeed(seed, out uint k0, out uint k1);
        for (int j = 0; 2 * j < draws.Length; j++)
        {
            Philox4x32.Block((uint)j, (uint)member, tensorId, InitPurpose, k0, k1, out uint b0, out uint b1, out _, out _);
            double radius = Math.Sqrt(-2.0 * Math.Log(Philox4x32.ToOpenUnit(b0)));
            double angle = 2.0 * Math.PI * Philox4x32.ToUnit(b1);
            draws[2 * j] = radius * Math.Cos(angle);
            if (2 * j + 1 < draws.Length) draws[2 * j + 1] = radius * Math.Sin(angle);
        }
    }

    /// <summary>
    /// Makes the [rows, cols] matrix orthogonal in place: orthonormal columns when rows ≥ cols, orthonormal
    /// rows otherwise. Modified Gram–Schmidt equals QR with a positive R diagonal, which is the sign fix
    /// that makes the result uniform over orthogonal matrices.
    /// </summary>
    private static void Orthonormalize(Span<double> m, int rows, int cols)
    {
        bool byColumns = rows >= cols;
        int count = byColumns ? cols : rows, length = byColumns ? rows : cols;
        int Index(int vector, int e) => byColumns ? e * cols + vector : vector * cols + e;
        for (int v = 0; v < count; v++)
        {
            for (int u = 0; u < v; u++)
            {
                double dot = 0;
                for (int e = 0; e < length; e++) dot += m[Index(u, e)] * m[Index(v, e)];
                for (int e = 0; e < length; e++) m[Index(v, e)] -= dot * m[Index(u, e)];
            }
            double norm = 0;
            for (int e = 0; e < length; e++) norm += m[Index(v, e)] * m[Index(v, e)];
            norm = Math.Sqrt(norm);
            for (int e = 0; e < length; e++) m[Index(v, e)] /= norm;
        }
    }
}
