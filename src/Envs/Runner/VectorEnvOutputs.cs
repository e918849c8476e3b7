namespace RlKernels.Envs.Runner;

/// <summary>
/// The outputs of a vector env's calls as host arrays, row-major as <see cref="IVectorEnv"/> exposes them:
/// allocated here for every holder of its own copy (the CPU runner, the GPU runner's host side, a population's
/// gathered rows, the C API's pinned copies), so the layout is written once.
/// </summary>
internal class VectorEnvOutputs
{
    public readonly float[] Obs;             // [EnvCount, ObsSize]
    public readonly float[] FinalObs;        // [EnvCount, ObsSize]
    public readonly float[] Rewards;         // [EnvCount]
    public readonly bool[] Terminated;       // [EnvCount]
    public readonly bool[] Truncated;        // [EnvCount]
    public readonly float[] CompletedReturn; // [EnvCount], valid where the episode ended this step
    public readonly int[] CompletedLength;   // [EnvCount], valid where the episode ended this step

    /// <param name="envCount">Rows.</param>
    /// <param name="obsSize">Features per observation row.</param>
    /// <param name="pinned">On the pinned heap: a C caller holds their addresses across calls.</param>
    public VectorEnvOutputs(int envCount, int obsSize, bool pinned)
    {
        Obs = GC.AllocateArray<float>(envCount * obsSize, pinned);
        FinalObs = GC.AllocateArray<float>(envCount * obsSize, pinned);
        Rewards = GC.AllocateArray<float>(envCount, pinned);
        Terminated = GC.AllocateArray<bool>(envCount, pinned);
        Truncated = GC.AllocateArray<bool>(envCount, pinned);
        CompletedReturn = GC.AllocateArray<float>(envCount, pinned);
        CompletedLength = GC.AllocateArray<int>(envCount, pinned);
    }

    /// <summary>
    /// Copies <paramref name="env"/>'s outputs into rows [<paramref name="firstRow"/>, firstRow + env.EnvCount);
    /// the final observations only when <paramref name="finalObservations"/> (they change only where an episode ended).
    /// </summary>
    public void CopyFrom(IVectorEnv env, int firstRow, bool finalObservations = true)
    {
        int n = env.EnvCount, f = env.Spec.ObsSize;
        env.Observations.CopyTo(Obs.AsSpan(firstRow * f, n * f));
        if (finalObservations) env.FinalObservations.CopyTo(FinalObs.AsSpan(firstRow * f, n * f));
        env.Rewards.CopyTo(Rewards.AsSpan(firstRow, n));
        env.Terminated.CopyTo(Terminated.AsSpan(firstRow, n));
        env.Truncated.CopyTo(Truncated.AsSpan(firstRow, n));
        env.EpisodeReturns.CopyTo(CompletedReturn.AsSpan(firstRow, n));
        env.EpisodeLengths.CopyTo(CompletedLength.AsSpan(firstRow, n));
    }
}
