namespace RlKernels.Envs;

/// <summary>An env's action space: Discrete(n) or a one-dimensional Box [low, high].</summary>
/// <param name="IsDiscrete">True for Discrete(n), false for a Box.</param>
/// <param name="Count">n for Discrete(n); 1 (the action dimension) for a Box.</param>
/// <param name="Low">Smallest action: 0 for Discrete, the Box's lower bound otherwise.</param>
/// <param name="High">Largest action: n - 1 for Discrete, the Box's upper bound otherwise.</param>
public sealed record ActionSpace(bool IsDiscrete, int Count, float Low, float High)
{
    /// <summary>Discrete(n): actions are the integers 0..n-1.</summary>
    public static ActionSpace Discrete(int n) => new(true, n, 0, n - 1);
    /// <summary>A one-dimensional continuous Box [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public static ActionSpace Box(float low, float high) => new(false, 1, low, high);
    /// <summary>Gymnasium's notation: <c>Discrete(n)</c> or <c>Box(low, high, (1,))</c>.</summary>
    public override string ToString() => IsDiscrete ? $"Discrete({Count})" : $"Box({Low}, {High}, (1,))";
}

/// <summary>
/// What a batched runner, the CLI and the conformance checker need to know about an env, independent
/// of lane type: sizes, spaces, the time limit and the names of the state fields (which match the
/// <c>state_*</c> columns of the Gymnasium reference files).
/// </summary>
/// <param name="Id">Gymnasium-style id, e.g. "CartPole-v1".</param>
/// <param name="ObsSize">Features per observation row.</param>
/// <param name="StateNames">One name per state field, in the env's Load/Store order.</param>
/// <param name="Action">Action space.</param>
/// <param name="MaxEpisodeSteps">Time limit (truncation) in steps; 0 = none.</param>
/// <param name="ObsLow">Per-feature lower bound of the observation space.</param>
/// <param name="ObsHigh">Per-feature upper bound of the observation space.</param>
/// <param name="Source">Where the reference implementation lives.</param>
public sealed record EnvSpec(
    string Id,
    int ObsSize,
    string[] StateNames,
    ActionSpace Action,
    int MaxEpisodeSteps,
    float[] ObsLow,
    float[] ObsHigh,
    string Source)
{
    /// <summary>Number of state fields (the length of <see cref="StateNames"/>).</summary>
    public int StateSize => StateNames.Length;
}
