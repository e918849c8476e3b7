namespace RlKernels.Envs.Runner;

/// <summary>What the runner does when an episode ends.</summary>
public enum AutoResetMode
{
    /// <summary>
    /// Reset in the same step (default): the returned observation is the first of the new episode and
    /// the last observation of the ended one is exported as the final observation, so truncated
    /// episodes can bootstrap.
    /// </summary>
    SameStep,
    /// <summary>
    /// Gymnasium's vector-env default: the step that ends an episode returns its last observation; the
    /// next step resets that env (its action is ignored, reward 0, flags false).
    /// </summary>
    NextStep,
    /// <summary>Ended envs wait; the caller resets them with a mask before stepping again.</summary>
    Disabled,
}
