namespace RlKernels.Algorithms.Deep;

/// <summary>
/// One minibatch of the taken-action Q regression (network SARSA, PQN): rows (s, a, y) gathered from a rollout
/// by <see cref="Minibatches"/>, the network's Q(s, ·) on them (the caller's forward pass writes
/// <see cref="Prediction"/>) and the gradient of <see cref="TakenActionLoss.HalfSquared"/>. P = population,
/// M = rows per member, O = obs size, K = actions.
/// </summary>
public sealed class TakenActionMinibatch
{
    private readonly Minibatches _minibatches;
    private readonly int _o, _k;

    /// <summary>Buffers for <paramref name="minibatches"/>' minibatches of a population of <paramref name="population"/>.</summary>
    public TakenActionMinibatch(Minibatches minibatches, int population, int obsSize, int actionCount)
    {
        int m = minibatches.Size;
        _minibatches = minibatches;
        _o = obsSize;
        _k = actionCount;
        Obs = new float[population * m * obsSize];
        Actions = new int[population * m];
        Targets = new float[population * m];
        Prediction = new float[population * m * actionCount];
        DPrediction = new float[population * m * actionCount];
    }

    /// <summary>Observations s [P, M, O].</summary>
    public float[] Obs { get; }
    /// <summary>Taken actions a [P, M].</summary>
    public int[] Actions { get; }
    /// <summary>Regression targets y [P, M].</summary>
    public float[] Targets { get; }
    /// <summary>Q(s, ·) [P, M, K], written by the caller's forward pass.</summary>
    public float[] Prediction { get; }
    /// <summary>The loss gradient with respect to <see cref="Prediction"/> [P, M, K], written by <see cref="Loss"/>.</summary>
    public float[] DPrediction { get; }

    /// <summary>Draws the next permutation of the rollout (<see cref="Minibatches.Shuffle"/>), once per pass.</summary>
    public void Shuffle() => _minibatches.Shuffle();

    /// <summary>Gathers minibatch <paramref name="minibatch"/> of the rollout's observations [P, B, O], actions and targets [P, B].</summary>
    public void Gather(int minibatch, ReadOnlySpan<float> obs, ReadOnlySpan<int> actions, ReadOnlySpan<float> targets)
    {
        _minibatches.Gather(obs, Obs, minibatch, _o);
        _minibatches.Gather(actions, Actions, minibatch);
        _minibatches.Gather(targets, Targets, minibatch);
    }

    /// <summary>
    /// The regression's update over a rollout: <paramref name="epochs"/> passes, each a fresh permutation cut into
    /// <paramref name="minibatches"/> minibatches. Per minibatch: gather the rows, <paramref name="forward"/> writes
    /// Q(s, ·) of <see cref="Obs"/> into <see cref="Prediction"/>, the loss and its gradient <see cref="DPrediction"/>
    /// are computed, and <paramref name="descend"/> (backward, optimizer step, checks) gets member 0's loss.
    /// Returns the last minibatch's loss.
    /// </summary>
    /// <param name="epochs">Passes over the rollout, ≥ 1.</param>
    /// <param name="minibatches">Minibatches per pass, ≥ 1.</param>
    /// <param name="obs">Rollout observations [P, B, O].</param>
    /// <param name="actions">Rollout actions [P, B].</param>
    /// <param name="targets">Regression targets [P, B].</param>
    /// <param name="forward">Writes the network's Q values of <see cref="Obs"/> into <see cref="Prediction"/>.</param>
    /// <param name="descend">Steps the network on <see cref="DPrediction"/>; gets member 0's loss.</param>
    public float Fit(int epochs, int minibatches, ReadOnlySpan<float> obs, ReadOnlySpan<int> actions, ReadOnlySpan<float> targets,
        Action forward, Action<float> descend)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(minibatches, 1);
        float loss = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            Shuffle();
            for (int mb = 0; mb < minibatches; mb++)
            {
                Gather(mb, obs, actions, targets);
                forward();
                loss = Loss();
                descend(loss);
            }
        }
        return loss;
    }

    /// <summary>½(Q(s, a) − y)² on <see cref="Prediction"/>: writes <see cref="DPrediction"/> and returns member 0's loss.</summary>
    public float Loss() => TakenActionLoss.HalfSquared(Prediction, Actions, Targets, _minibatches.Size, _k, DPrediction);
}
