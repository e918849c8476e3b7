namespace RlKernels.Algorithms.Deep;

/// <summary>
/// Transitions as struct-of-arrays columns over R rows (R = P·C for a <see cref="ReplayBuffer"/>, P·B for a
/// <see cref="ReplayBatch"/>): one array per field, so a row gather copies contiguous runs and the kernels read
/// plain [P, rows, ...] blocks. O = obs size, A = action width.
/// </summary>
public class TransitionColumns
{
    /// <summary>Columns for <paramref name="rows"/> transitions; discrete actions go in <see cref="DiscreteActions"/>, continuous ones in <see cref="Actions"/>.</summary>
    public TransitionColumns(long rows, int obsSize, int actionWidth, bool discrete)
    {
        Observations = new float[rows * obsSize];
        NextObservations = new float[rows * obsSize];
        DiscreteActions = discrete ? new int[rows] : [];
        Actions = discrete ? [] : new float[rows * actionWidth];
        Rewards = new float[rows];
        Terminated = new bool[rows];
        Truncated = new bool[rows];
    }

    /// <summary>s [R, O].</summary>
    public float[] Observations { get; }
    /// <summary>s′ [R, O]: the final observation of the episode where it ended (truncated or terminated).</summary>
    public float[] NextObservations { get; }
    /// <summary>Discrete a [R] (empty for continuous actions).</summary>
    public int[] DiscreteActions { get; }
    /// <summary>Continuous a [R, A] (empty for discrete actions).</summary>
    public float[] Actions { get; }
    /// <summary>r [R].</summary>
    public float[] Rewards { get; }
    /// <summary>Terminated [R]: the episode ended in a terminal state (bootstrap 0).</summary>
    public bool[] Terminated { get; }
    /// <summary>Truncated [R]: the episode was cut by a time limit (bootstrap from s′).</summary>
    public bool[] Truncated { get; }
}
