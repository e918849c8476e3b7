using RlKernels.Envs.Runner;
using RlKernels.Kernels.Nn;
using RlKernels.Kernels.Random;

namespace RlKernels.Algorithms.Deep;

/// <summary>
/// The on-policy rollout buffer of REINFORCE, A2C and PPO, and the one env step that fills it. Layout
/// [P, T, N, ...] (see RunSettings.cs): member p's T·N samples are contiguous, time-major.
/// </summary>
public sealed class Rollout
{
    private readonly IVectorEnv _env;
    private readonly PolicyNet _policy;
    private readonly Mlp? _critic;
    private readonly RunSettings _run;
    private readonly float[] _gammas; // [P]
    private readonly EpisodeStats _stats;
    private readonly float[] _stepOut, _stepRaw, _stepEnvActions, _stepNoise, _stepValues, _finalValues; // per step
    private readonly int[] _stepActions;
    private uint _sampleStep; // counter of the action draws, one per vector step

    /// <summary>Population size P.</summary>
    public int Population { get; }
    /// <summary>Envs per member N.</summary>
    public int EnvCount { get; }
    /// <summary>Steps per rollout T.</summary>
    public int StepCount { get; }
    /// <summary>Observation width.</summary>
    public int ObsSize { get; }
    /// <summary>Action width W: classes (discrete) or dimensions (continuous).</summary>
    public int ActionWidth { get; }
    /// <summary>Samples per member B = T·N.</summary>
    public int Batch => StepCount * EnvCount;

    /// <summary>Observations [P, T, N, obsSize] the actions were taken from.</summary>
    public float[] Obs { get; }
    /// <summary>Sampled classes [P, T, N] (discrete actions; unused for continuous).</summary>
    public int[] Actions { get; }
    /// <summary>Unclipped Gaussian samples [P, T, N, W] (continuous; empty for discrete).</summary>
    public float[] RawActions { get; }
    /// <summary>log π_old(a|s) [P, T, N] of the sampled actions.</summary>
    public float[] LogProbs { get; }
    /// <summary>Critic's V(s) [P, T, N] (0 without a critic).</summary>
    public float[] Values { get; }
    /// <summary>Rewards [P, T, N]; a truncated (not terminated) step has γ·V(s_final) added.</summary>
    public float[] Rewards { get; }
    /// <summary>Terminated or truncated [P, T, N].</summary>
    public bool[] Done { get; }
    /// <summary>V [P, N] of the observation after the last step (see <see cref="ComputeLastValues"/>).</summary>
    public float[] LastValues { get; }

    /// <summary>Allocates the buffers for <paramref name="stepCount"/> steps of <paramref name="env"/>; reads the env's current observations on each step.</summary>
    /// <param name="env">The P·N env copies, member p's at rows [p·N, (p+1)·N).</param>
    /// <param name="policy">Samples the actions.</param>
    /// <param name="critic">V(s) for <see cref="Values"/> and truncation bootstraps; null: values are 0.</param>
    /// <param name="run">Population, envs per member and seeds.</param>
    /// <param name="stepCount">Steps per rollout T.</param>
    /// <param name="gamma">Discount γ of the truncation bootstrap and of GAE, for every member unless <see cref="RunSettings.Gammas"/> sets one per member.</param>
    /// <param name="stats">Records the episodes that end.</param>
    public Rollout(IVectorEnv env, PolicyNet policy, Mlp? critic, RunSettings run, int stepCount, float gamma, EpisodeStats stats)
    {
        _env = env; _policy = policy; _critic = critic; _run = run; _gammas = MemberParam.Gamma.Of(run, gamma); _stats = stats;
        Population = run.Population; EnvCount = run.EnvCount; StepCount = stepCount;
        ObsSize = env.Spec.ObsSize; ActionWidth = policy.ActionWidth;
        int pn = Population * EnvCount, all = pn * stepCount;
        Obs = new float[all * ObsSize];
        Actions = new int[all];
        RawActions = new float[policy.IsDiscrete ? 0 : all * ActionWidth];
        LogProbs = new float[all];
        Values = new float[all];
        Rewards = new float[all];
        Done = new bool[all];
        LastValues = new float[pn];
        _stepOut = new float[pn * ActionWidth];
        _stepRaw = new float[policy.IsDiscrete ? 0 : pn * ActionWidth];
        _stepEnvActions = new float[_stepRaw.Length];
        _stepNoise = new float[_stepRaw.Length];
        _stepActions = new int[pn];
        _stepValues = new float[pn];
        _finalValues = new float[pn];
    }

    /// <summary>Index of (member p, step t, env i) in the [P, T, N] arrays.</summary>
    public int Index(int p, int t, int i) => (p * StepCount + t) * EnvCount + i;

    /// <summary>
    /// Samples actions for the current observations, steps the env and stores step t. Truncated episodes get
    /// γ·V(final observation) added to their reward (0 without a critic) and are marked done like terminated ones.
    /// </summary>
    public void CollectStep(int t, uint step)
    {
        int n = EnvCount, o = ObsSize, w = ActionWidth;
        ReadOnlySpan<float> obs = _env.Observations; // [P, N, obsSize]
        _policy.Sample(obs, n, _run, step, _stepOut, _stepActions, _stepRaw, _stepEnvActions, _stepNoise);
        if (_critic is not null) _critic.Forward(obs, n, _stepValues);
        for (int p = 0; p < Population; p++)
        {
            obs.Slice(p * n * o, n * o).CopyTo(Obs.AsSpan(Index(p, t, 0) * o, n * o));
            Span<float> logProb = LogProbs.AsSpan(Index(p, t, 0), n);
            Span<float> outRows = _stepOut.AsSpan(p * n * w, n * w);
            if (_policy.IsDiscrete)
            {
                _stepActions.AsSpan(p * n, n).CopyTo(Actions.AsSpan(Index(p, t, 0), n));
                Categorical.LogProb(outRows, _stepActions.AsSpan(p * n, n), n, w, logProb);
            }
            else
            {
                _stepRaw.AsSpan(p * n * w, n * w).CopyTo(RawActions.AsSpan(Index(p, t, 0) * w, n * w));
                Gaussian.LogProb(_stepRaw.AsSpan(p * n * w, n * w), outRows, _policy.BroadcastLogStd(p, n), n, w, logProb);
            }
            _stepValues.AsSpan(p * n, n).CopyTo(Values.AsSpan(Index(p, t, 0), n));
        }

        if (_policy.IsDiscrete) _env.Step(_stepActions); else _env.Step(_stepEnvActions);

        ReadOnlySpan<bool> terminated = _env.Terminated, truncated = _env.Truncated;
        bool anyTruncated = _critic is not null && truncated.Contains(true);
        if (anyTruncated) _critic!.Forward(_env.FinalObservations, n, _finalValues);
        for (int p = 0; p < Population; p++)
            for (int i = 0; i < n; i++)
            {
                int e = p * n + i, k = Index(p, t, i);
                float bootstrap = anyTruncated && truncated[e] && !terminated[e] ? _gammas[p] * _finalValues[e] : 0f;
                Rewards[k] = _env.Rewards[e] + bootstrap;
                Done[k] = terminated[e] || truncated[e];
            }
        _stats.Record(_env, n);
    }

    /// <summary>Collects a whole rollout: <see cref="CollectStep"/> for t = 0…T−1, drawing actions with a counter that runs on across rollouts.</summary>
    public void Collect()
    {
        for (int t = 0; t < StepCount; t++) CollectStep(t, _sampleStep++);
    }

    /// <summary>V of the current observations into <see cref="LastValues"/> (after the last step).</summary>
    public void ComputeLastValues()
    {
        if (_critic is null) { Array.Clear(LastValues); return; }
        _critic.Forward(_env.Observations, EnvCount, LastValues);
    }

    /// <summary>GAE advantages and λ-returns [P, T, N] of the stored rollout, member p with λ = lambdas[p] (see <see cref="Returns.Gae(int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{bool}, ReadOnlySpan{float}, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float})"/>).</summary>
    public void Gae(ReadOnlySpan<float> lambdas, Span<float> advantages, Span<float> lambdaReturns) =>
        Returns.Gae(Population, Rewards, Values, Done, LastValues, StepCount, EnvCount, _gammas, lambdas, advantages, lambdaReturns);

    /// <summary>
    /// Each member's discounted reward-to-go over this rollout (<see cref="Returns.RewardToGo(int, ReadOnlySpan{float}, ReadOnlySpan{bool}, int, int, ReadOnlySpan{float}, Span{float}, Span{bool})"/>, each member's γ), and
    /// whether each step's episode ends inside the rollout (its return is complete).
    /// </summary>
    /// <param name="returns">Reward-to-go G [P, T, N].</param>
    /// <param name="complete">The step's episode ends inside the rollout [P, T, N].</param>
    public void RewardToGo(Span<float> returns, Span<bool> complete) =>
        Returns.RewardToGo(Population, Rewards, Done, StepCount, EnvCount, _gammas, returns, complete);
}
