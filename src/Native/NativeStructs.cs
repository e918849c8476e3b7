using System.Runtime.InteropServices;

namespace RlKernels.Native;

/// <summary><c>rlk_spaces</c>: an env's sizes and spaces (layout matches include/rlkernels.h).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct NativeSpaces
{
    /// <summary>Number of env copies.</summary>
    public int NumEnvs;
    /// <summary>Features per observation row.</summary>
    public int ObsSize;
    /// <summary>1 for Discrete, 0 for Box.</summary>
    public int ActionDiscrete;
    /// <summary>Discrete n, or the Box's dimension.</summary>
    public int ActionN;
    /// <summary>Smallest action.</summary>
    public float ActionLow;
    /// <summary>Largest action.</summary>
    public float ActionHigh;
    /// <summary>Time limit; 0 = none.</summary>
    public int MaxEpisodeSteps;
}

/// <summary><c>rlk_buffers</c>: the library-owned output buffers (layout matches include/rlkernels.h).</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct NativeBuffers
{
    /// <summary>[numEnvs, obsSize] observations.</summary>
    public float* Observations;
    /// <summary>[numEnvs, obsSize] final observations (same-step mode).</summary>
    public float* FinalObservations;
    /// <summary>[numEnvs] 1 where the final observation is valid.</summary>
    public byte* FinalMask;
    /// <summary>[numEnvs] rewards.</summary>
    public float* Rewards;
    /// <summary>[numEnvs] terminated flags.</summary>
    public byte* Terminated;
    /// <summary>[numEnvs] truncated flags.</summary>
    public byte* Truncated;
    /// <summary>[numEnvs] returns of episodes that ended in the last step.</summary>
    public float* EpisodeReturns;
    /// <summary>[numEnvs] lengths of episodes that ended in the last step.</summary>
    public int* EpisodeLengths;
}
