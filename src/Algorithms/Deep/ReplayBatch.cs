namespace RlKernels.Algorithms.Deep;

/// <summary>
/// A minibatch drawn from a <see cref="ReplayBuffer"/>: its columns [P, B, ...], member-major so member p's rows
/// are one contiguous block for the MLP. Allocated once and refilled by <see cref="ReplayBuffer.Sample"/>.
/// </summary>
public sealed class ReplayBatch : TransitionColumns
{
    /// <summary>Columns for <paramref name="rows"/> transitions per member of <paramref name="buffer"/>'s shape.</summary>
    /// <exception cref="ArgumentException">Fewer than 1 row, or more than the buffer's capacity.</exception>
    public ReplayBatch(ReplayBuffer buffer, int rows)
        : base((long)buffer.Population * Check(buffer, rows), buffer.ObsSize, buffer.ActionWidth, buffer.IsDiscrete)
    {
        Rows = rows;
        Slots = new int[buffer.Population * rows];
    }

    private static int Check(ReplayBuffer buffer, int rows) =>
        rows < 1 ? throw new ArgumentException($"A replay batch needs at least 1 row, got {rows}.")
        : rows > buffer.Capacity ? throw new ArgumentException($"A replay batch of {rows} is larger than the replay buffer ({buffer.Capacity} transitions).")
        : rows;

    /// <summary>Rows per member B.</summary>
    public int Rows { get; }
    /// <summary>The buffer slots the rows came from [P, B].</summary>
    public int[] Slots { get; }
}
