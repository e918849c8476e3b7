using System.Diagnostics;
using RlKernels.Envs;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Threading;
using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Deep;

// Shared pieces of the deep-RL algorithms (Reinforce.cs, A2c.cs, Ppo.cs, ValueLearning.cs,
// ReparamActorCritic.cs): run settings, episode statistics, the policy network with its checkpoint,
// evaluation. Sizes: P = population (independent members, each with its own hyperparameters),
// N = envs per member, T = rollout steps. Rollout buffers are [P, T, N, ...]: member-major so a
// member's whole batch is one contiguous [P, B = T·N, features] block for the MLP.

/// <summary>Settings every deep algorithm shares: which env, how many copies, how long, which seeds.</summary>
public sealed record RunSettings
{
    /// <summary>Gymnasium id of the env (see <see cref="EnvRegistry.Ids"/>).</summary>
    public string EnvId { get; init; } = "CartPole-v1";
    /// <summary>Env copies per population member, stepped together.</summary>
    public int EnvCount { get; init; } = 64;
    /// <summary>Env steps per member (summed over its copies) before training stops.</summary>
    public long TotalSteps { get; init; } = 1_000_000;
    /// <summary>Seed of member 0 (network init, action sampling, env resets).</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>One seed per member; when set, its length is the population size and <see cref="Seed"/> is ignored.</summary>
    public ulong[]? Seeds { get; init; }
    /// <summary>Where the envs run; the networks run on the CPU kernels.</summary>
    public Backend Backend { get; init; } = Backend.Cpu;
    /// <summary>CPU threads for envs and networks; 0 = all cores. Results are bit-identical for any count (same seed, same <see cref="EnvCount"/>).</summary>
    public int Threads { get; init; }
    /// <summary>Mean return over the last <see cref="RecentEpisodes"/> episodes that counts as solved (null: never).</summary>
    public float? TargetReturn { get; init; }
    /// <summary>Stop as soon as every member is solved (else run <see cref="TotalSteps"/>).</summary>
    public bool StopAtTarget { get; init; } = true;
    /// <summary>
    /// Before stopping at the target, the greedy policy must also reach it over this many fresh episodes
    /// (0: stop on the training mean alone). Training episodes sample actions and lag behind the policy;
    /// this check keeps a run from stopping on a lucky streak of a policy that then evaluates below target.
    /// </summary>
    public int ConfirmEpisodes { get; init; } = 100;
    /// <summary>
    /// How far above the target the confirmation must land, as a fraction of |target| (default 0.03: 489 for
    /// CartPole's 475). A policy that only just clears the target on one set of episodes can fall below it on
    /// the next (measured: 469 on a fresh evaluation after a 475+ check), so the check asks for a margin.
    /// </summary>
    public float ConfirmMargin { get; init; } = 0.03f;
    /// <summary>Completed training episodes the recent mean return is taken over.</summary>
    public int RecentEpisodes { get; init; } = 100;
    /// <summary>Seconds for <see cref="TrainResult.SolvedAtSeconds"/>; default: since training started.</summary>
    public Func<double>? Clock { get; init; }
    /// <summary>Called after every update.</summary>
    public Action<TrainProgress>? Progress { get; init; }
    /// <summary>Env options (KEY=VALUE) passed to the registry.</summary>
    public IReadOnlyDictionary<string, string>? EnvArgs { get; init; }

    /// <summary>Population size P.</summary>
    public int Population => Seeds?.Length ?? 1;
    /// <summary>Seed of member p.</summary>
    public ulong SeedOf(int member) => Seeds?[member] ?? Seed;

    /// <summary>The largest step budget: 10^12 env steps is days of training even at 10^7 steps/s.</summary>
    public const long MaxTotalSteps = 1_000_000_000_000;

    /// <summary>Throws <see cref="ArgumentException"/> on sizes that cannot train: each count between its bounds
    /// (envs by memory, threads by cores, steps by <see cref="MaxTotalSteps"/>), before anything is allocated.</summary>
    public void Validate()
    {
        if (Seeds is { Length: 0 }) throw new ArgumentException("Seeds, when given, needs at least one entry.");
        if (!EnvRegistry.TryGet(EnvId, out _))
            throw new ArgumentException($"Unknown env '{EnvId}'. Known envs: {string.Join(", ", EnvRegistry.Ids)}.");
        int maxEnvs = Math.Max(1, EnvRegistry.MaxEnvCount(EnvId, EnvArgs) / Population);
        if (EnvCount < 1 || EnvCount > maxEnvs)
            throw new ArgumentException($"envs must be between 1 and {maxEnvs} (memory of this machine, {Population} member(s)), got {EnvCount}.");
        if (TotalSteps < 1 || TotalSteps > MaxTotalSteps)
            throw new ArgumentException($"steps must be between 1 and {MaxTotalSteps}, got {TotalSteps}.");
        if (Threads < 0 || Threads > VectorEnvOptions.MaxThreads)
            throw new ArgumentException($"threads must be between 0 (all cores) and {VectorEnvOptions.MaxThreads} (4 per core), got {Threads}.");
    }

    /// <summary>Makes P·N env copies, member p's copies at rows [p·N, (p+1)·N).</summary>
    public IVectorEnv MakeEnv() => EnvRegistry.Make(EnvId, Population * EnvCount,
        new VectorEnvOptions { Backend = Backend, Seed = Seed, Threads = Threads }, EnvArgs);

    /// <summary>The pool the networks split work over.</summary>
    public WorkerPool MakePool() => new(Threads > 0 ? Threads : Environment.ProcessorCount);

    /// <summary>A per-member hyperparameter: the override vector when given (length P), else the scalar for all.</summary>
    public float[] PerMember(float value, float[]? overrides, string name)
    {
        if (overrides is null) return Enumerable.Repeat(value, Population).ToArray();
        if (overrides.Length != Population) throw new ArgumentException($"{name} has {overrides.Length} entries; the population has {Population}.");
        return (float[])overrides.Clone();
    }
}

/// <summary>Where a run stands, after each update.</summary>
/// <param name="EnvSteps">Env steps per member so far.</param>
/// <param name="Seconds">Seconds since training started.</param>
/// <param name="RecentMeanReturn">Member 0's mean return over its last completed episodes (NaN before the first).</param>
/// <param name="Episodes">Episodes member 0 completed.</param>
/// <param name="Loss">Member 0's last policy (or value) loss.</param>
public sealed record TrainProgress(long EnvSteps, double Seconds, double RecentMeanReturn, long Episodes, float Loss);

/// <summary>One row of the learning curve.</summary>
public readonly record struct CurvePoint(long EnvSteps, double Seconds, int Member, double RecentMeanReturn, long Episodes);

/// <summary>What a training run returns.</summary>
public sealed class TrainResult
{
    public required string Algorithm { get; init; }
    public required RunSettings Settings { get; init; }
    /// <summary>The trained policy (null for pure value learning).</summary>
    public PolicyNet? Policy { get; init; }
    /// <summary>The learned state-value or action-value network, when the algorithm has one.</summary>
    public Mlp? Critic { get; init; }
    public required IReadOnlyList<CurvePoint> Curve { get; init; }
    /// <summary>Env steps per member.</summary>
    public required long EnvSteps { get; init; }
    public required double Seconds { get; init; }
    /// <summary>Clock reading when every member first reached the target (null: never).</summary>
    public double? SolvedAtSeconds { get; init; }
    /// <summary>Env steps per member when solved (null: never).</summary>
    public long? SolvedAtStep { get; init; }
    /// <summary>Recent mean training return per member at the end.</summary>
    public required double[] FinalRecentMean { get; init; }
}

/// <summary>Training stopped because a loss, gradient or parameter went non-finite.</summary>
public sealed class TrainingDivergedException(string message, long step, string tensor, PolicyNet? lastGood) : Exception(message)
{
    /// <summary>Env step (per member) at which it happened.</summary>
    public long Step { get; } = step;
    /// <summary>The first non-finite tensor, e.g. "actor.layers.2.weight" or "loss".</summary>
    public string Tensor { get; } = tensor;
    /// <summary>The policy restored to its parameters before the failed update.</summary>
    public PolicyNet? LastGood { get; } = lastGood;
}

/// <summary>Completed-episode statistics per member: the last K returns and when the target was first met.</summary>
public sealed class EpisodeStats
{
    private readonly float[] _recent; // [P, K] ring buffers
    private readonly long[] _count;   // [P]
    private readonly int _k;
    private readonly bool[] _solved;

    public EpisodeStats(int population, int recentEpisodes)
    {
        _k = recentEpisodes;
        _recent = new float[population * recentEpisodes];
        _count = new long[population];
        _solved = new bool[population];
    }

    /// <summary>Episodes member p completed.</summary>
    public long Count(int member) => _count[member];

    /// <summary>Records the episodes that ended in the last step (rows [p·N, (p+1)·N) belong to member p).</summary>
    public void Record(IVectorEnv env, int envsPerMember)
    {
        ReadOnlySpan<bool> terminated = env.Terminated, truncated = env.Truncated;
        ReadOnlySpan<float> returns = env.EpisodeReturns;
        for (int i = 0; i < terminated.Length; i++)
            if (terminated[i] || truncated[i])
            {
                int p = i / envsPerMember;
                _recent[p * _k + (int)(_count[p] % _k)] = returns[i];
                _count[p]++;
            }
    }

    /// <summary>Mean of member p's last K returns (fewer at the start; NaN before the first).</summary>
    public double RecentMean(int member)
    {
        long n = Math.Min(_count[member], _k);
        if (n == 0) return double.NaN;
        double sum = 0;
        for (int i = 0; i < n; i++) sum += _recent[member * _k + i];
        return sum / n;
    }

    /// <summary>True once every member has K episodes with a mean at least the target (latched per member).</summary>
    public bool AllSolved(float? target)
    {
        if (target is not { } t) return false;
        bool all = true;
        for (int p = 0; p < _count.Length; p++)
        {
            if (!_solved[p] && _count[p] >= _k && RecentMean(p) >= t) _solved[p] = true;
            all &= _solved[p];
        }
        return all;
    }
}

/// <summary>
/// A policy network per member: categorical (s → logits) for discrete actions, or Gaussian (s → mean with a
/// learned state-independent log σ per action dimension) for continuous ones. Keeps a copy of the last good
/// parameters so a diverged update can be rolled back.
/// </summary>
public sealed class PolicyNet
{
    /// <summary>The network: obs → logits [P, B, actionCount] or means [P, B, actionSize].</summary>
    public Mlp Net { get; }
    /// <summary>Log standard deviations [P, actionSize] of a Gaussian policy (empty for categorical).</summary>
    public float[] LogStd { get; }
    /// <summary>Gradient of <see cref="LogStd"/> [P, actionSize].</summary>
    public float[] LogStdGradient { get; }
    public EnvSpec Spec { get; }
    /// <summary>
    /// Continuous actions are squashed into the bounds, a = mid + half·tanh(output), instead of clipped (the
    /// reparameterization actor-critic needs a differentiable map into the bounds).
    /// </summary>
    public bool TanhSquash { get; init; }
    public bool IsDiscrete => Spec.Action.IsDiscrete;
    /// <summary>Outputs per row: classes (discrete) or action dimensions (continuous).</summary>
    public int ActionWidth => Net.OutputSize;
    private readonly float[] _good;
    private readonly float[] _goodLogStd;

    public PolicyNet(EnvSpec spec, Mlp net, float initLogStd)
    {
        Spec = spec;
        Net = net;
        int dims = spec.Action.IsDiscrete ? 0 : spec.Action.Count;
        LogStd = new float[net.Population * dims];
        Array.Fill(LogStd, initLogStd);
        LogStdGradient = new float[LogStd.Length];
        _good = (float[])net.Parameters.Clone();
        _goodLogStd = (float[])LogStd.Clone();
    }

    /// <summary>A fresh policy: hidden layers of the given widths, member p initialized from seeds[p].</summary>
    public static PolicyNet Create(EnvSpec spec, int[] hidden, Activation activation, RunSettings run, WorkerPool pool,
        float outputGain, float initLogStd)
    {
        int outputs = spec.Action.IsDiscrete ? spec.Action.Count : spec.Action.Count;
        Mlp net = NewMlp(spec.ObsSize, hidden, outputs, activation, run, pool, outputGain);
        return new PolicyNet(spec, net, initLogStd);
    }

    /// <summary>An MLP in → hidden… → out, member p's weights orthogonal-initialized from (seed_p, salt).</summary>
    public static Mlp NewMlp(int inputs, int[] hidden, int outputs, Activation activation, RunSettings run, WorkerPool pool,
        float outputGain, uint salt = 0)
    {
        int[] sizes = [inputs, .. hidden, outputs];
        var net = new Mlp(sizes, activation, Activation.Identity, run.Population, pool);
        for (int l = 0; l < net.LayerCount; l++)
        {
            int n = sizes[l + 1] * sizes[l];
            float gain = l == net.LayerCount - 1 ? outputGain : MathF.Sqrt(2f);
            for (int p = 0; p < run.Population; p++)
                Initialization.Fill(net.Weight(l).Slice(p * n, n), 1, sizes[l + 1], sizes[l], InitScheme.Orthogonal, gain,
                    run.SeedOf(p) ^ ((ulong)salt << 40), (uint)l);
            net.Bias(l).Clear();
        }
        return net;
    }

    /// <summary>Samples actions for [P, N] observations. Member p's draws use seeds[p]; row r of a member uses counter (r, step).</summary>
    /// <param name="obs">[P, N, obsSize]</param>
    /// <param name="output">[P, N, ActionWidth] network output (logits or means), kept for the caller.</param>
    /// <param name="discrete">[P, N] sampled classes (discrete only).</param>
    /// <param name="raw">[P, N, actionSize] unclipped Gaussian samples (continuous only).</param>
    /// <param name="envActions">[P, N, actionSize] samples clipped to the action bounds (continuous only).</param>
    public void Sample(ReadOnlySpan<float> obs, int n, RunSettings run, uint step, Span<float> output,
        Span<int> discrete, Span<float> raw, Span<float> envActions, Span<float> noise)
    {
        Net.Forward(obs, n, output);
        int w = ActionWidth;
        for (int p = 0; p < Net.Population; p++)
        {
            ulong seed = run.SeedOf(p);
            if (IsDiscrete)
            {
                Categorical.Sample(output.Slice(p * n * w, n * w), n, w, seed, step, discrete.Slice(p * n, n));
                continue;
            }
            Span<float> logStd = BroadcastLogStd(p, n);
            Gaussian.Sample(output.Slice(p * n * w, n * w), logStd, n, w, seed, step, raw.Slice(p * n * w, n * w), noise.Slice(p * n * w, n * w));
        }
        if (!IsDiscrete)
            for (int i = 0; i < raw.Length; i++) envActions[i] = Math.Clamp(raw[i], Spec.Action.Low, Spec.Action.High);
    }

    private float[] _logStdRows = [];

    /// <summary>Member p's log σ repeated for n rows: [n, actionSize] (scratch, valid until the next call).</summary>
    public Span<float> BroadcastLogStd(int member, int n)
    {
        int w = ActionWidth;
        if (_logStdRows.Length < n * w) _logStdRows = new float[n * w];
        Span<float> rows = _logStdRows.AsSpan(0, n * w);
        for (int r = 0; r < n; r++) LogStd.AsSpan(member * w, w).CopyTo(rows.Slice(r * w, w));
        return rows;
    }

    /// <summary>The greedy action (arg-max class or the mean, clipped) for [P, N] observations.</summary>
    public void Act(ReadOnlySpan<float> obs, int n, Span<float> output, Span<int> discrete, Span<float> continuous)
    {
        Net.Forward(obs, n, output);
        int w = ActionWidth;
        for (int r = 0; r < Net.Population * n; r++)
        {
            ReadOnlySpan<float> row = output.Slice(r * w, w);
            if (IsDiscrete)
            {
                int best = 0;
                for (int c = 1; c < w; c++) if (row[c] > row[best]) best = c;
                discrete[r] = best;
            }
            else
                for (int d = 0; d < w; d++) continuous[r * w + d] = ToAction(row[d]);
        }
    }

    /// <summary>The env action of a network output: squashed or clipped into the bounds.</summary>
    public float ToAction(float output)
    {
        float low = Spec.Action.Low, high = Spec.Action.High;
        return TanhSquash ? 0.5f * (high + low) + 0.5f * (high - low) * MathF.Tanh(output) : Math.Clamp(output, low, high);
    }

    /// <summary>Remembers the current parameters as the last good ones.</summary>
    public void KeepGood()
    {
        Net.Parameters.CopyTo(_good, 0);
        LogStd.CopyTo(_goodLogStd, 0);
    }

    /// <summary>
    /// Throws <see cref="TrainingDivergedException"/> (after restoring the last good parameters) when the loss or
    /// any parameter or gradient of the given networks is non-finite.
    /// </summary>
    public void CheckFinite(long step, float loss, params (string Name, Mlp Net)[] nets)
    {
        // Name the first non-finite network tensor (parameters, then gradients) when there is one: that says
        // which layer blew up; otherwise the loss itself is the culprit.
        string? bad = null;
        foreach (var (name, net) in nets)
        {
            try { net.ThrowIfNotFinite(); }
            catch (InvalidOperationException e) { bad = $"{name} {e.Message.TrimEnd('.')}"; break; }
        }
        if (bad is null && LogStd.Any(v => !float.IsFinite(v))) bad = "policy log_std";
        if (bad is null && !float.IsFinite(loss)) bad = $"the loss ({loss})";
        else if (bad is not null && !float.IsFinite(loss)) bad = $"the loss ({loss}); first non-finite tensor: {bad}";
        if (bad is null) return;
        Array.Copy(_good, Net.Parameters, _good.Length);
        Array.Copy(_goodLogStd, LogStd, LogStd.Length);
        throw new TrainingDivergedException(
            $"Training diverged at env step {step}: non-finite value in {bad}. The policy was restored to its last good parameters.",
            step, bad, this);
    }

    /// <summary>Saves member <paramref name="member"/> (or all members) as safetensors with the architecture in the metadata.</summary>
    public void Save(string path, IReadOnlyDictionary<string, string> extraMetadata)
    {
        var tensors = new List<SafeTensor>();
        int[] sizes = Net.LayerSizes.ToArray();
        int pop = Net.Population;
        for (int l = 0; l < Net.LayerCount; l++)
        {
            tensors.Add(new SafeTensor($"policy.layers.{l}.weight", [pop, sizes[l + 1], sizes[l]], Net.Weight(l).ToArray()));
            tensors.Add(new SafeTensor($"policy.layers.{l}.bias", [pop, sizes[l + 1]], Net.Bias(l).ToArray()));
        }
        if (!IsDiscrete) tensors.Add(new SafeTensor("policy.log_std", [pop, ActionWidth], (float[])LogStd.Clone()));
        var meta = new Dictionary<string, string>(extraMetadata)
        {
            ["format"] = "rlk-policy-v1",
            ["env"] = Spec.Id,
            ["layer_sizes"] = string.Join(",", sizes),
            ["activation"] = Net.ActivationOf(0).ToString(),
            ["distribution"] = IsDiscrete ? "categorical" : "gaussian",
            ["squash"] = TanhSquash ? "tanh" : "clip",
        };
        Safetensors.Save(path, tensors, meta);
    }

    /// <summary>Loads a policy saved by <see cref="Save"/>, checking names, shapes and that it fits the env.</summary>
    /// <exception cref="SafetensorsFormatException">
    /// Not a well-formed safetensors file, not an rlk policy (metadata missing or malformed), tensors missing,
    /// extra or of the wrong shape, or a network that does not fit <paramref name="spec"/>: one type, whose
    /// message names the file, the tensor or metadata key, and the problem. Nothing is allocated for the
    /// network before every tensor has checked out, so its size is bounded by the file's.
    /// </exception>
    /// <exception cref="IOException">The file is missing or unreadable (also <see cref="UnauthorizedAccessException"/>).</exception>
    public static PolicyNet Load(string path, EnvSpec spec)
    {
        var (tensors, meta) = Safetensors.Load(path);
        SafetensorsFormatException Bad(string? tensor, string problem) => new(path, tensor, problem);
        string Meta(string key) => meta.TryGetValue(key, out string? value) ? value
            : throw Bad(null, $"metadata '{key}' is missing; every rlk policy records it.");
        string Show(string text) => SafetensorsFormatException.Printable(text);

        // METADATA: format, env, architecture; each checked before use.
        string? format = meta.GetValueOrDefault("format");
        if (format != "rlk-policy-v1") throw Bad(null, $"not an rlk policy (metadata format is '{Show(format ?? "(none)")}', expected 'rlk-policy-v1').");
        if (Meta("env") != spec.Id) throw Bad(null, $"the policy was trained on {Show(Meta("env"))}, not {spec.Id}.");
        string[] parts = Meta("layer_sizes").Split(',');
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1)
                throw Bad(null, $"metadata layer_sizes '{Show(Meta("layer_sizes"))}' must be positive integers separated by commas.");
        if (sizes.Length < 2) throw Bad(null, $"metadata layer_sizes '{Show(Meta("layer_sizes"))}' needs an input and an output size.");
        string activationName = Meta("activation");
        if (!Enum.GetNames<Activation>().Contains(activationName))
            throw Bad(null, $"metadata activation '{Show(activationName)}' is not one of {string.Join(", ", Enum.GetNames<Activation>())}.");
        string squash = meta.GetValueOrDefault("squash") ?? "clip";
        if (squash is not ("tanh" or "clip")) throw Bad(null, $"metadata squash '{Show(squash)}' is not tanh or clip.");
        if (meta.TryGetValue("distribution", out string? distribution) && distribution != (spec.Action.IsDiscrete ? "categorical" : "gaussian"))
            throw Bad(null, $"metadata distribution '{Show(distribution)}' does not fit {spec.Id}'s {spec.Action} actions.");
        if (sizes[0] != spec.ObsSize || sizes[^1] != spec.Action.Count)
            throw Bad(null, $"network {Show(Meta("layer_sizes"))} does not fit {spec.Id} (obs {spec.ObsSize}, actions {spec.Action}).");

        // TENSORS: every one present with its shape, nothing else, before the network is allocated.
        const string first = "policy.layers.0.weight";
        int pop = tensors.TryGetValue(first, out SafeTensor? w0) && w0.Shape.Length == 3 ? w0.Shape[0] : 1;
        if (pop < 1) throw Bad(first, "has population 0; a policy has at least one member.");
        var expected = new List<(string Name, int[] Shape)>();
        for (int l = 0; l < sizes.Length - 1; l++)
        {
            expected.Add(($"policy.layers.{l}.weight", [pop, sizes[l + 1], sizes[l]]));
            expected.Add(($"policy.layers.{l}.bias", [pop, sizes[l + 1]]));
        }
        if (!spec.Action.IsDiscrete) expected.Add(("policy.log_std", [pop, sizes[^1]]));
        foreach (string name in tensors.Keys)
            if (!expected.Any(e => e.Name == name))
                throw Bad(name, $"is not part of this policy, which has {Safetensors.NameList(expected.Select(e => e.Name))}.");
        float[][] data = expected.Select(e => Safetensors.Require(tensors, e.Name, e.Shape, path)).ToArray();

        var net = new Mlp(sizes, Enum.Parse<Activation>(activationName), Activation.Identity, pop);
        for (int l = 0; l < net.LayerCount; l++)
        {
            data[2 * l].CopyTo(net.Weight(l));
            data[2 * l + 1].CopyTo(net.Bias(l));
        }
        var policy = new PolicyNet(spec, net, 0f) { TanhSquash = squash == "tanh" };
        if (!policy.IsDiscrete) data[^1].CopyTo(policy.LogStd, 0);
        return policy;
    }
}

/// <summary>Runs a policy greedily on fresh episodes.</summary>
public static class Evaluation
{
    /// <summary>
    /// The mean return per member over <paramref name="episodes"/> fresh episodes: P·episodes env copies each
    /// run their first episode to the end (later episodes are ignored).
    /// </summary>
    public static double[] MeanReturns(PolicyNet policy, int episodes, ulong seed, Backend backend = Backend.Cpu,
        IReadOnlyDictionary<string, string>? envArgs = null, int threads = 0)
    {
        int pop = policy.Net.Population;
        using IVectorEnv env = EnvRegistry.Make(policy.Spec.Id, pop * episodes,
            new VectorEnvOptions { Backend = backend, Seed = seed, Threads = threads }, envArgs);
        int w = policy.ActionWidth;
        var output = new float[pop * episodes * w];
        var discrete = new int[pop * episodes];
        var continuous = new float[pop * episodes * w];
        var done = new bool[pop * episodes];
        var sums = new double[pop];
        int remaining = done.Length;
        while (remaining > 0)
        {
            policy.Act(env.Observations, episodes, output, discrete, continuous);
            if (policy.IsDiscrete) env.Step(discrete); else env.Step(continuous);
            for (int i = 0; i < done.Length; i++)
                if (!done[i] && (env.Terminated[i] || env.Truncated[i]))
                {
                    done[i] = true;
                    sums[i / episodes] += env.EpisodeReturns[i];
                    remaining--;
                }
        }
        return sums.Select(s => s / episodes).ToArray();
    }
}

/// <summary>When to record "solved" and when to stop: shared by the training loops.</summary>
public sealed class StopRule(RunSettings run, EpisodeStats stats, Func<double> clock)
{
    private int _sinceConfirm = int.MaxValue / 2;

    /// <summary>Clock reading when every member's recent training mean first reached the target.</summary>
    public double? SolvedAt { get; private set; }
    /// <summary>Env steps per member at that moment.</summary>
    public long? SolvedStep { get; private set; }

    /// <summary>Call after every update: records the solve time, and says whether to stop training now.</summary>
    public bool ShouldStop(PolicyNet policy, long steps)
    {
        if (run.TargetReturn is not { } target || !stats.AllSolved(target)) return false;
        if (SolvedAt is null) { SolvedAt = clock(); SolvedStep = steps; }
        if (!run.StopAtTarget) return false;
        if (run.ConfirmEpisodes == 0) return true;
        for (int p = 0; p < run.Population; p++)
            if (!(stats.RecentMean(p) >= target)) return false;
        // A fresh greedy evaluation every few updates at most: it costs about as much as a rollout.
        if (++_sinceConfirm < 4) return false;
        _sinceConfirm = 0;
        double[] means = Evaluation.MeanReturns(policy, run.ConfirmEpisodes, run.Seed ^ 0xC0F1_2A3B_0000UL + (ulong)steps,
            run.Backend, run.EnvArgs, run.Threads);
        double confirm = target + run.ConfirmMargin * Math.Abs(target);
        return means.All(m => m >= confirm);
    }
}

/// <summary>A stopwatch started when training starts: the default clock.</summary>
internal static class Clocks
{
    public static Func<double> Since(Stopwatch watch) => () => watch.Elapsed.TotalSeconds;
}
