namespace RlKernels.Algorithms.Deep;

/// <summary>
/// Minibatches of a rollout, per member: each epoch draws a fresh permutation of member p's B samples from
/// (seed_p, round), and minibatch mb is its rows [mb·M, (mb+1)·M). Gathered minibatches are [P, M, width].
/// </summary>
public sealed class Minibatches
{
    private readonly RunSettings _run;
    private readonly int _batch;
    private readonly int[] _perm; // [P, B]
    private uint _round;

    /// <param name="run">Population and per-member seeds of the permutations.</param>
    /// <param name="batch">Samples per member B in the source arrays ([P, B, width]).</param>
    /// <param name="size">Rows per minibatch M.</param>
    public Minibatches(RunSettings run, int batch, int size)
    {
        _run = run;
        _batch = batch;
        Size = size;
        _perm = new int[run.Population * batch];
    }

    /// <summary>Rows per minibatch M.</summary>
    public int Size { get; }

    /// <summary>Draws the next permutation of the first <paramref name="available"/> samples of every member (default: all B).</summary>
    public void Shuffle(int? available = null)
    {
        int count = available ?? _batch;
        for (int p = 0; p < _run.Population; p++) Deep.Shuffle.Permutation(_perm.AsSpan(p * _batch, count), _run.SeedOf(p), _round);
        _round++;
    }

    /// <summary>Index in the [P, B] source of row j of member p's minibatch mb.</summary>
    public int Source(int member, int minibatch, int row) => member * _batch + _perm[member * _batch + minibatch * Size + row];

    /// <summary>Copies minibatch <paramref name="minibatch"/> of every member from source [P, B, width] into target [P, M, width].</summary>
    public void Gather<T>(ReadOnlySpan<T> source, Span<T> target, int minibatch, int width = 1)
    {
        int m = Size;
        for (int p = 0; p < _run.Population; p++)
            for (int j = 0; j < m; j++)
            {
                int src = Source(p, minibatch, j), dst = p * m + j;
                if (width == 1) target[dst] = source[src];
                else source.Slice(src * width, width).CopyTo(target.Slice(dst * width, width));
            }
    }
}
