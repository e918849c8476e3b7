using System.Runtime.CompilerServices;

namespace RlKernels.Envs.Runner;

/// <summary>
/// <see cref="StepSettings"/> as a kernel argument: only 4-byte fields. ILGPU marshals kernel arguments
/// by its own layout rules, and bool/byte fields inside argument structs have had layout bugs on CUDA;
/// the kernel rebuilds the <see cref="StepSettings"/> in registers.
/// </summary>
public struct GpuStepArgs
{
    /// <summary><see cref="StepSettings.MaxEpisodeSteps"/>.</summary>
    public int MaxEpisodeSteps;
    /// <summary><see cref="StepSettings.Mode"/> as its int value.</summary>
    public int Mode;
    /// <summary><see cref="StepSettings.Key0"/> and <see cref="StepSettings.Key1"/>: the Philox key.</summary>
    public uint Key0, Key1;
    /// <summary>1: draw actions from the counter RNG; 0: read them.</summary>
    public int RandomActions;
    /// <summary>The runner's step count at the first step of this launch.</summary>
    public uint ActionStep;
    /// <summary><see cref="StepSettings.ActionIsDiscrete"/> as 1/0.</summary>
    public int ActionIsDiscrete;
    /// <summary><see cref="StepSettings.ActionCount"/>.</summary>
    public int ActionCount;
    /// <summary><see cref="StepSettings.ActionLow"/> and <see cref="StepSettings.ActionHigh"/>.</summary>
    public float ActionLow, ActionHigh;
    /// <summary><see cref="StepSettings.ActionBitsLog2"/>: carried, not recomputed by every thread.</summary>
    public int ActionBitsLog2;

    /// <summary>Packs <paramref name="st"/> with the launch's action source and first step number.</summary>
    public static GpuStepArgs From(in StepSettings st, bool randomActions, uint actionStep) => new()
    {
        MaxEpisodeSteps = st.MaxEpisodeSteps,
        Mode = (int)st.Mode,
        Key0 = st.Key0,
        Key1 = st.Key1,
        RandomActions = randomActions ? 1 : 0,
        ActionStep = actionStep,
        ActionIsDiscrete = st.ActionIsDiscrete ? 1 : 0,
        ActionCount = st.ActionCount,
        ActionLow = st.ActionLow,
        ActionHigh = st.ActionHigh,
        ActionBitsLog2 = st.ActionBitsLog2,
    };

    /// <summary>The <see cref="StepSettings"/> these args were packed from (in the kernel, in registers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly StepSettings ToSettings() => new()
    {
        MaxEpisodeSteps = MaxEpisodeSteps,
        Mode = (AutoResetMode)Mode,
        Key0 = Key0,
        Key1 = Key1,
        ActionIsDiscrete = ActionIsDiscrete != 0,
        ActionCount = ActionCount,
        ActionLow = ActionLow,
        ActionHigh = ActionHigh,
        ActionBitsLog2 = ActionBitsLog2,
    };
}
