namespace RlKernels.Envs.Runner;

/// <summary>Placeholder until the ILGPU runner lands (being written in this session).</summary>
public sealed class GpuVectorEnv<TEnv, TParams> : IVectorEnv
    where TEnv : struct, IEnv<TEnv, RlKernels.Kernels.Lanes.F1, TParams>
    where TParams : struct
{
    public GpuVectorEnv(TParams p, int envCount, VectorEnvOptions options) =>
        throw new NotSupportedException("The gpu backend is not built yet.");
    public EnvSpec Spec => throw new NotSupportedException();
    public int EnvCount => 0;
    public Backend Backend => Backend.Gpu;
    public AutoResetMode AutoReset => AutoResetMode.SameStep;
    public int ThreadCount => 1;
    public int LaneWidth => 1;
    public long BytesPerEnv => 0;
    public void Reset(ulong seed) { }
    public void Reset(ReadOnlySpan<bool> mask) { }
    public void Step(ReadOnlySpan<int> actions) { }
    public void Step(ReadOnlySpan<float> actions) { }
    public void StepRandom(int stepCount) { }
    public ReadOnlySpan<float> Observations => default;
    public ReadOnlySpan<float> FinalObservations => default;
    public ReadOnlySpan<float> Rewards => default;
    public ReadOnlySpan<bool> Terminated => default;
    public ReadOnlySpan<bool> Truncated => default;
    public ReadOnlySpan<float> EpisodeReturns => default;
    public ReadOnlySpan<int> EpisodeLengths => default;
    public void Dispose() { }
}
