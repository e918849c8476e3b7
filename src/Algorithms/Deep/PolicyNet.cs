using RlKernels.Envs;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Threading;
using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Deep;

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
    /// <summary>The env's spaces: observation size and action space.</summary>
    public EnvSpec Spec { get; }
    /// <summary>
    /// Continuous actions are squashed into the bounds, a = mid + half·tanh(output), instead of clipped (the
    /// reparameterization actor-critic needs a differentiable map into the bounds).
    /// </summary>
    public bool TanhSquash { get; init; }
    /// <summary>Categorical policy (discrete actions) rather than Gaussian.</summary>
    public bool IsDiscrete => Spec.Action.IsDiscrete;
    /// <summary>Outputs per row: classes (discrete) or action dimensions (continuous).</summary>
    public int ActionWidth => Net.OutputSize;
    private readonly float[] _good;
    private readonly float[] _goodLogStd;

    /// <summary>Wraps <paramref name="net"/> as the policy for <paramref name="spec"/>; its current parameters are the first "last good" copy.</summary>
    /// <param name="spec">The env's spaces.</param>
    /// <param name="net">obs → logits or means, one member per population slot.</param>
    /// <param name="initLogStd">Initial log σ of every action dimension (ignored for discrete actions).</param>
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
        // One output per class (discrete: logits) or per action dimension (continuous: means); Count is either.
        Mlp net = NewMlp(spec.ObsSize, hidden, spec.Action.Count, activation, run, pool, outputGain);
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
    /// <param name="n">Rows per member N.</param>
    /// <param name="run">Gives member p's seed.</param>
    /// <param name="step">Counter of this draw (one per vector step).</param>
    /// <param name="output">[P, N, ActionWidth] network output (logits or means), kept for the caller.</param>
    /// <param name="discrete">[P, N] sampled classes (discrete only).</param>
    /// <param name="raw">[P, N, actionSize] unclipped Gaussian samples (continuous only).</param>
    /// <param name="envActions">[P, N, actionSize] samples clipped to the action bounds (continuous only).</param>
    /// <param name="noise">[P, N, actionSize] the standard-normal draws z of a = μ + σ·z (continuous only).</param>
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

    /// <summary>A one-member copy of member <paramref name="member"/> (weights, log σ, squash): what a run of its own would hold.</summary>
    public PolicyNet Member(int member)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(member);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(member, Net.Population);
        var net = new Mlp(Net.LayerSizes, Net.ActivationOf(0), Net.ActivationOf(Net.LayerCount - 1));
        for (int t = 0; t < Net.Layout.TensorCount; t++)
            Net.Parameters.AsSpan(Net.Layout.MemberOffset(t, member), Net.Layout.MemberSize(t)).CopyTo(net.Parameters.AsSpan(net.Layout.Offset(t)));
        var copy = new PolicyNet(Spec, net, 0f) { TanhSquash = TanhSquash };
        LogStd.AsSpan(member * copy.LogStd.Length, copy.LogStd.Length).CopyTo(copy.LogStd);
        return copy;
    }

    /// <summary>Saves every member (tensors [P, ...]) as safetensors with the architecture in the metadata.</summary>
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
        return FromTensors(tensors, meta, spec, path);
    }

    /// <summary>The policy in tensors and metadata already read from <paramref name="path"/> (checked as <see cref="Load"/> does).</summary>
    /// <param name="tensors">The file's tensors by name.</param>
    /// <param name="meta">The file's metadata.</param>
    /// <param name="spec">The env the policy must fit.</param>
    /// <param name="path">Names the file in error messages.</param>
    /// <exception cref="SafetensorsFormatException">As for <see cref="Load"/>.</exception>
    public static PolicyNet FromTensors(IReadOnlyDictionary<string, SafeTensor> tensors, IReadOnlyDictionary<string, string> meta, EnvSpec spec, string path)
    {
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
