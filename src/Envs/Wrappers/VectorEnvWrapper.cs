using RlKernels.Envs.Runner;

namespace RlKernels.Envs.Wrappers;

/// <summary>
/// A vector env that wraps another: every member forwards to <see cref="Inner"/> until a subclass overrides it,
/// so a wrapper shows only what it changes (Dispose disposes the inner env).
/// </summary>
public abstract class VectorEnvWrapper : IVectorEnv
{
    /// <summary>Wraps <paramref name="inner"/>, which this wrapper owns from now on.</summary>
    protected VectorEnvWrapper(IVectorEnv inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
    }

    /// <summary>The wrapped env.</summary>
    public IVectorEnv Inner { get; }

    /// <inheritdoc/>
    public virtual EnvSpec Spec => Inner.Spec;
    /// <inheritdoc/>
    public virtual int EnvCount => Inner.EnvCount;
    /// <inheritdoc/>
    public virtual Backend Backend => Inner.Backend;
    /// <inheritdoc/>
    public virtual AutoResetMode AutoReset => Inner.AutoReset;
    /// <inheritdoc/>
    public virtual int ThreadCount => Inner.ThreadCount;
    /// <inheritdoc/>
    public virtual int LaneWidth => Inner.LaneWidth;
    /// <inheritdoc/>
    public virtual long BytesPerEnv => Inner.BytesPerEnv;

    /// <inheritdoc/>
    public virtual void Reset(ulong seed) => Inner.Reset(seed);
    /// <inheritdoc/>
    public virtual void Reset(ReadOnlySpan<bool> mask) => Inner.Reset(mask);
    /// <inheritdoc/>
    public virtual void Reset(ReadOnlySpan<ulong> seeds) => Inner.Reset(seeds);
    /// <inheritdoc/>
    public virtual void Step(ReadOnlySpan<int> actions) => Inner.Step(actions);
    /// <inheritdoc/>
    public virtual void Step(ReadOnlySpan<float> actions) => Inner.Step(actions);
    /// <inheritdoc/>
    public virtual void StepRandom(int stepCount) => Inner.StepRandom(stepCount);
    /// <inheritdoc/>
    public virtual void Synchronize() => Inner.Synchronize();

    /// <inheritdoc/>
    public virtual ReadOnlySpan<float> Observations => Inner.Observations;
    /// <inheritdoc/>
    public virtual ReadOnlySpan<float> FinalObservations => Inner.FinalObservations;
    /// <inheritdoc/>
    public virtual ReadOnlySpan<float> Rewards => Inner.Rewards;
    /// <inheritdoc/>
    public virtual ReadOnlySpan<bool> Terminated => Inner.Terminated;
    /// <inheritdoc/>
    public virtual ReadOnlySpan<bool> Truncated => Inner.Truncated;
    /// <inheritdoc/>
    public virtual ReadOnlySpan<float> EpisodeReturns => Inner.EpisodeReturns;
    /// <inheritdoc/>
    public virtual ReadOnlySpan<int> EpisodeLengths => Inner.EpisodeLengths;

    /// <inheritdoc/>
    public virtual void Dispose() => Inner.Dispose();
}
