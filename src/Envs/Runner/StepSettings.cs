namespace RlKernels.Envs.Runner;

/// <summary>Per-call settings of the shared step logic; a plain struct so GPU kernels take it by value.</summary>
public struct StepSettings
{
    /// <summary>Time limit in steps; 0 = none.</summary>
    public int MaxEpisodeSteps;
    /// <summary>How ended envs restart.</summary>
    public AutoResetMode Mode;
    /// <summary>Philox key (from the seed).</summary>
    public uint Key0, Key1;
    /// <summary>The env's action space is Discrete(<see cref="ActionCount"/>); otherwise a Box.</summary>
    public bool ActionIsDiscrete;
    /// <summary>n for a discrete space (StepRandom draws uniformly from [0, n)); 1 for a Box.</summary>
    public int ActionCount;
    /// <summary>Bounds of the action space; StepRandom draws Box actions uniformly between them.</summary>
    public float ActionLow, ActionHigh;
    /// <summary>log2 of the bits one random action takes from a Philox word: <see cref="RandomActions.FieldBitsLog2"/>.</summary>
    public int ActionBitsLog2;

    /// <summary>The settings of an env with <paramref name="spec"/> run with <paramref name="options"/> (the Philox key is set at reset).</summary>
    public static StepSettings For(EnvSpec spec, VectorEnvOptions options) => new()
    {
        MaxEpisodeSteps = options.MaxEpisodeSteps ?? spec.MaxEpisodeSteps,
        Mode = options.AutoReset,
        ActionIsDiscrete = spec.Action.IsDiscrete,
        ActionCount = spec.Action.Count,
        ActionLow = spec.Action.Low,
        ActionHigh = spec.Action.High,
        ActionBitsLog2 = RandomActions.FieldBitsLog2(spec.Action.IsDiscrete, spec.Action.Count),
    };
}
