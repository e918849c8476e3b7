namespace RlKernels.Envs;

/// <summary>An env's action space: Discrete(n) or a one-dimensional Box [low, high].</summary>
public sealed record ActionSpace(bool IsDiscrete, int Count, float Low, float High)
{
    public static ActionSpace Discrete(int n) => new(true, n, 0, n - 1);
    public static ActionSpace Box(float low, float high) => new(false, 1, low, high);
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
    public int StateSize => StateNames.Length;
}
