using RlKernels.Envs.Runner;

namespace RlKernels.Envs.Wrappers;

/// <summary>
/// An <see cref="IVectorEnv"/> whose observations are normalized by running statistics over all envs and
/// calls (<see cref="ObservationNormalizer"/>), as Gymnasium's vector NormalizeObservation: after each
/// Reset, Step and StepRandom the batch of observations updates the statistics, then is normalized.
/// </summary>
/// <remarks>
/// One update per call: <c>StepRandom(k)</c> updates with the observations after its k-th step only
/// (the steps in between never reach the host), on every backend alike.
/// Final observations are normalized with the current statistics, without updating them, on first access.
/// On the GPU backends this pass runs on the host CPU after the observations are copied back (which a
/// caller reading observations pays anyway); there is no device kernel for it yet.
/// </remarks>
public sealed class NormalizedVectorEnv : VectorEnvWrapper
{
    private readonly SingleCallerGuard _caller;
    private readonly ObservationNormalizer _normalizer;
    private readonly float[] _obs;      // [envCount, obsSize] normalized observations
    private readonly float[] _finalObs; // [envCount, obsSize] normalized final observations, valid when !_finalStale
    private bool _finalStale = true;

    /// <summary>Wraps <paramref name="inner"/> (and disposes it with this) and normalizes its current observations.</summary>
    public NormalizedVectorEnv(IVectorEnv inner, ObservationNormalization settings) : base(inner)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _caller = new SingleCallerGuard(this);
        // The GPU runner reports one thread; this pass runs on the host, so it may use every core.
        int threads = inner.Backend is Backend.Gpu or Backend.GpuCpuAccelerator ? Environment.ProcessorCount : inner.ThreadCount;
        _normalizer = new ObservationNormalizer(inner.EnvCount, inner.Spec.ObsSize, settings, threads);
        _obs = new float[inner.EnvCount * inner.Spec.ObsSize];
        _finalObs = new float[_obs.Length];
        AfterCall();
    }

    /// <summary>Wraps <paramref name="env"/> when <paramref name="settings"/> is not null; else returns it.</summary>
    public static IVectorEnv WrapIfRequested(IVectorEnv env, ObservationNormalization? settings)
    {
        if (settings is null) return env;
        try
        {
            return new NormalizedVectorEnv(env, settings);
        }
        catch
        {
            env.Dispose();
            throw;
        }
    }

    /// <summary>The running statistics.</summary>
    public ObservationNormalizer Normalizer => _normalizer;

    /// <summary>False freezes the statistics (evaluation), as Gymnasium's <c>update_running_mean</c>.</summary>
    public bool UpdateStatistics { get; set; } = true;

    private void AfterCall()
    {
        ReadOnlySpan<float> raw = Inner.Observations;
        if (UpdateStatistics) _normalizer.Update(raw);
        _normalizer.Normalize(raw, _obs);
        _finalStale = true;
    }

    /// <summary>The inner env's bytes plus the two normalized observation rows (8 bytes per feature).</summary>
    public override long BytesPerEnv => Inner.BytesPerEnv + 8L * Spec.ObsSize;

    /// <inheritdoc/>
    public override void Reset(ulong seed) { using var call = _caller.Enter("Reset"); Inner.Reset(seed); AfterCall(); }
    /// <inheritdoc/>
    public override void Reset(ReadOnlySpan<bool> mask) { using var call = _caller.Enter("Reset(mask)"); Inner.Reset(mask); AfterCall(); }
    /// <inheritdoc/>
    public override void Reset(ReadOnlySpan<ulong> seeds) { using var call = _caller.Enter("Reset(seeds)"); Inner.Reset(seeds); AfterCall(); }
    /// <inheritdoc/>
    public override void Step(ReadOnlySpan<int> actions) { using var call = _caller.Enter("Step"); Inner.Step(actions); AfterCall(); }
    /// <inheritdoc/>
    public override void Step(ReadOnlySpan<float> actions) { using var call = _caller.Enter("Step"); Inner.Step(actions); AfterCall(); }

    /// <inheritdoc/>
    public override void StepRandom(int stepCount)
    {
        using var call = _caller.Enter("StepRandom");
        Inner.StepRandom(stepCount);
        if (stepCount > 0) AfterCall();
    }

    /// <inheritdoc/>
    public override void Synchronize() { using var call = _caller.Enter("Synchronize"); Inner.Synchronize(); }

    /// <summary>[envCount, obsSize] normalized observations after the last call.</summary>
    public override ReadOnlySpan<float> Observations => _obs;

    /// <summary>[envCount, obsSize] normalized final observations (same-step mode); normalized on the first read after a call, with the statistics as they are then.</summary>
    public override ReadOnlySpan<float> FinalObservations
    {
        get
        {
            using var call = _caller.Enter("reading FinalObservations");
            if (_finalStale)
            {
                _normalizer.Normalize(Inner.FinalObservations, _finalObs);
                _finalStale = false;
            }
            return _finalObs;
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        if (!_caller.TryBeginDispose()) return;
        _normalizer.Dispose();
        base.Dispose();
    }
}
