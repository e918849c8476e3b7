using RlKernels.Envs.Runner;
using RlKernels.Kernels.Nn;
using RlKernels.Kernels.Random;

namespace RlKernels.Algorithms.Deep;

/// <summary>
/// The on-policy rollout buffer of REINFORCE, A2C and PPO, and the one env step that fills it. Layout
/// [P, T, N, ...] (see DeepCommon.cs): member p's T·N samples are contiguous, time-major.
/// </summary>
public sealed class Rollout
{
    private readonly IVectorEnv _env;
    private readonly PolicyNet _policy;
    private readonly Mlp? _critic;
    private readonly RunSettings _run;
    private readonly float _gamma;
    private readonly EpisodeStats _stats;
    private readonly float[] _stepOut, _stepRaw, _stepEnvActions, _stepNoise, _stepValues, _finalValues; // per step
    private readonly int[] _stepActions;

    public int Population { get; }
    /// <summary>Envs per member N.</summary>
    public int EnvCount { get; }
    /// <summary>Steps per rollout T.</summary>
    public int StepCount { get; }
    public int ObsSize { get; }
    /// <summary>Action width W: classes (discrete) or dimensions (continuous).</summary>
    public int ActionWidth { get; }
    /// <summary>Samples per member B = T·N.</summary>
    public int Batch => StepCount * EnvCount;

    public float[] Obs { get; }          // [P, T, N, obsSize]
    public int[] Actions { get; }        // [P, T, N] (discrete)
    public float[] RawActions { get; }   // [P, T, N, W] unclipped samples (continuous)
    public float[] LogProbs { get; }     // [P, T, N] log π_old(a|s)
    public float[] Values { get; }       // [P, T, N] V(s) (0 without a critic)
    public float[] Rewards { get; }      // [P, T, N], truncated steps with γ·V(s_final) added
    public bool[] Done { get; }          // [P, T, N] terminated or truncated
    public float[] LastValues { get; }   // [P, N] V of the observation after the last step

    public Rollout(IVectorEnv env, PolicyNet policy, Mlp? critic, RunSettings run, int stepCount, float gamma, EpisodeStats stats)
    {
        _env = env; _policy = policy; _critic = critic; _run = run; _gamma = gamma; _stats = stats;
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
                float bootstrap = anyTruncated && truncated[e] && !terminated[e] ? _gamma * _finalValues[e] : 0f;
                Rewards[k] = _env.Rewards[e] + bootstrap;
                Done[k] = terminated[e] || truncated[e];
            }
        _stats.Record(_env, n);
    }

    /// <summary>V of the current observations into <see cref="LastValues"/> (after the last step).</summary>
    public void ComputeLastValues()
    {
        if (_critic is null) { Array.Clear(LastValues); return; }
        _critic.Forward(_env.Observations, EnvCount, LastValues);
    }
}

/// <summary>
/// The policy-gradient head shared by REINFORCE, A2C and PPO: log π(a|s) and entropy of stored actions, and
/// their backward into the network output (and, for a Gaussian policy, into log σ).
/// </summary>
public sealed class PolicyHead(PolicyNet policy)
{
    private float[] _logStdRows = [], _dLogStdRows = [], _dEntropy = [];

    /// <summary>Log-probabilities [P·M] and entropies [P·M] of actions under outputs [P, M, W].</summary>
    public void LogProbAndEntropy(ReadOnlySpan<float> output, ReadOnlySpan<int> actions, ReadOnlySpan<float> rawActions,
        int m, Span<float> logProb, Span<float> entropy)
    {
        int w = policy.ActionWidth, pop = policy.Net.Population;
        if (policy.IsDiscrete)
        {
            Categorical.LogProb(output, actions, pop * m, w, logProb);
            Categorical.Entropy(output, pop * m, w, entropy);
            return;
        }
        Span<float> logStd = LogStdRows(m);
        Gaussian.LogProb(rawActions, output, logStd, pop * m, w, logProb);
        Gaussian.Entropy(logStd, pop * m, w, entropy);
    }

    /// <summary>Accumulates dOutput [P, M, W] (and the log σ gradient) from dLogProb [P·M] and an entropy coefficient per row.</summary>
    public void Backward(ReadOnlySpan<float> output, ReadOnlySpan<int> actions, ReadOnlySpan<float> rawActions, int m,
        ReadOnlySpan<float> dLogProb, float dEntropyPerRow, Span<float> dOutput)
    {
        int w = policy.ActionWidth, pop = policy.Net.Population, rows = pop * m;
        if (_dEntropy.Length < rows) _dEntropy = new float[rows];
        Span<float> dEntropy = _dEntropy.AsSpan(0, rows);
        dEntropy.Fill(dEntropyPerRow);
        if (policy.IsDiscrete)
        {
            Categorical.LogProbBackward(output, actions, dLogProb, rows, w, dOutput);
            if (dEntropyPerRow != 0f) Categorical.EntropyBackward(output, dEntropy, rows, w, dOutput);
            return;
        }
        Span<float> logStd = LogStdRows(m);
        if (_dLogStdRows.Length < rows * w) _dLogStdRows = new float[rows * w];
        Span<float> dLogStd = _dLogStdRows.AsSpan(0, rows * w);
        dLogStd.Clear();
        Gaussian.LogProbBackward(rawActions, output, logStd, dLogProb, rows, w, dOutput, dLogStd);
        Gaussian.EntropyBackward(dEntropy, rows, w, dLogStd);
        for (int p = 0; p < pop; p++)
            for (int r = 0; r < m; r++)
                for (int d = 0; d < w; d++) policy.LogStdGradient[p * w + d] += dLogStd[(p * m + r) * w + d];
    }

    private Span<float> LogStdRows(int m)
    {
        int w = policy.ActionWidth, pop = policy.Net.Population;
        if (_logStdRows.Length < pop * m * w) _logStdRows = new float[pop * m * w];
        Span<float> rows = _logStdRows.AsSpan(0, pop * m * w);
        for (int p = 0; p < pop; p++)
            for (int r = 0; r < m; r++) policy.LogStd.AsSpan(p * w, w).CopyTo(rows.Slice((p * m + r) * w, w));
        return rows;
    }
}

/// <summary>Deterministic minibatch shuffles from Philox.</summary>
public static class Shuffle
{
    /// <summary>Purpose word of the Philox counter for minibatch permutations.</summary>
    public const uint Purpose = 0x53484646; // "SHFF"

    /// <summary>Fisher–Yates permutation of [0, n) drawn from (seed, round).</summary>
    public static void Permutation(Span<int> indices, ulong seed, uint round)
    {
        Philox4x32.KeyFromSeed(seed, out uint k0, out uint k1);
        for (int i = 0; i < indices.Length; i++) indices[i] = i;
        for (int i = indices.Length - 1; i > 0; i--)
        {
            Philox4x32.Block((uint)i, round, Purpose, 0, k0, k1, out uint bits, out _, out _, out _);
            int j = (int)(((ulong)bits * (uint)(i + 1)) >> 32);
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }
    }
}
