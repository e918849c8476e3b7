namespace RlKernels.Envs.Runner;

/// <summary>Per-call settings of the shared step logic; a plain struct so GPU kernels take it by value.</summary>
public struct StepSettings
{
    /// <summary>Time limit in steps; 0 = none.</summary>
    public int MaxEpisodeSteps;
    public AutoResetMode Mode;
    /// <summary>Philox key (from the seed).</summary>
    public uint Key0, Key1;
    public bool ActionIsDiscrete;
    public int ActionCount;
    public float ActionLow, ActionHigh;
}
