namespace RlKernels.Envs.Runner;

/// <summary>Per-call settings of the shared step logic; a plain struct so GPU kernels take it by value.</summary>
public struct StepSettings
{
    /// <summary>Time limit in steps; 0 = none.</summary>
    public int MaxEpisodeSteps;
    public AutoResetMode Mode;
    /// <summary>Philox key (from the seed).</summary>
    public uint Key0, Key1;
    /// <summary>Draw actions from the counter RNG instead of reading them.</summary>
    public bool RandomActions;
    /// <summary>Counter word of the random-action block (the runner's step count).</summary>
    public uint ActionStep;
    public bool ActionIsDiscrete;
    public int ActionCount;
    public float ActionLow, ActionHigh;
}
