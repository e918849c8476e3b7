using RlKernels.Kernels.Threading;
using RlKernels.Kernels.Nn;

namespace RlKernels.Algorithms.Deep;

/// <summary>
/// Every parameter group one learner trains (network weights, a Gaussian policy's log σ), each stepped by Adam
/// with per-member learning rates. The one place the rates are set and annealed, so a schedule reaches every
/// group: before it, the log-σ optimizer was built from the scalar rate and ignored per-member rates and
/// annealing. P = population.
/// </summary>
public sealed class Optimizers(WorkerPool pool)
{
    private readonly List<(Adam Adam, float[] BaseRates)> _groups = [];

    /// <summary>A network's optimizer: global-norm clipping at <paramref name="maxGradNorm"/> (≤ 0: none), then Adam at <paramref name="learningRates"/> [P].</summary>
    public NetOptimizer Add(Mlp net, float[] learningRates, float maxGradNorm) =>
        Add(net, learningRates, Enumerable.Repeat(maxGradNorm, net.Population).ToArray());

    /// <summary>
    /// A network's optimizer: member p's gradients clipped to global norm <paramref name="maxGradNorms"/>[p] (every
    /// limit ≤ 0 or non-finite: none; some but not all such is refused), then Adam at <paramref name="learningRates"/> [P].
    /// </summary>
    public NetOptimizer Add(Mlp net, float[] learningRates, float[] maxGradNorms)
    {
        var adam = NewAdam(net.Layout, learningRates, pool);
        return new NetOptimizer(net, adam, maxGradNorms);
    }

    /// <summary>The log-σ optimizer of a Gaussian policy, at the same per-member rates as its network; null for a categorical policy.</summary>
    public LogStdOptimizer? AddLogStd(PolicyNet policy, float[] learningRates)
    {
        if (policy.IsDiscrete) return null;
        var layout = new ParameterLayout(policy.Net.Population, [policy.ActionWidth], ["log_std"]);
        return new LogStdOptimizer(policy, NewAdam(layout, learningRates, pool: null)); // a few floats: no threads
    }

    /// <summary>Every group's rate becomes its base rate × max(0, 1 − steps / totalSteps): linear annealing to zero.</summary>
    public void Anneal(long steps, long totalSteps) => Scale(Math.Max(0f, 1f - (float)steps / totalSteps));

    /// <summary>Every group's rate becomes its base rate (per member) × <paramref name="fraction"/>.</summary>
    public void Scale(float fraction)
    {
        foreach (var (adam, baseRates) in _groups)
            for (int p = 0; p < baseRates.Length; p++) adam.LearningRate[p] = baseRates[p] * fraction;
    }

    private Adam NewAdam(ParameterLayout layout, float[] learningRates, WorkerPool? pool)
    {
        if (learningRates.Length != layout.Population)
            throw new ArgumentException($"{learningRates.Length} learning rates for a population of {layout.Population}.", nameof(learningRates));
        var adam = new Adam(layout, pool);
        learningRates.CopyTo(adam.LearningRate, 0);
        adam.Epsilon.AsSpan().Fill(1e-5f);
        _groups.Add((adam, (float[])learningRates.Clone()));
        return adam;
    }
}

/// <summary>Optimizer steps for a network: per-member global-norm clipping, then Adam (see <see cref="Optimizers.Add(Mlp, float[], float[])"/>).</summary>
public sealed class NetOptimizer
{
    private readonly Mlp _net;
    private readonly Adam _adam;
    private readonly float[] _maxNorm, _norms;
    private readonly bool _clip;

    internal NetOptimizer(Mlp net, Adam adam, float[] maxGradNorms)
    {
        _net = net;
        _adam = adam;
        if (maxGradNorms.Length != net.Population)
            throw new ArgumentException($"{maxGradNorms.Length} gradient-norm limits for a population of {net.Population}.", nameof(maxGradNorms));
        int limited = maxGradNorms.Count(v => v > 0 && float.IsFinite(v));
        if (limited != 0 && limited != maxGradNorms.Length)
            throw new ArgumentException("Either every member's gradient norm is limited or none's.", nameof(maxGradNorms));
        _clip = limited > 0;
        _maxNorm = (float[])maxGradNorms.Clone();
        _norms = new float[net.Population];
    }

    /// <summary>Learning rate per member [P], as the last <see cref="Optimizers.Anneal"/> left it.</summary>
    public ReadOnlySpan<float> LearningRate => _adam.LearningRate;

    /// <summary>Backpropagates dOutput [P, rows, outputs] of the network's last forward into fresh gradients, then <see cref="Step"/>.</summary>
    public void Descend(ReadOnlySpan<float> dOutput)
    {
        _net.ZeroGradients();
        _net.Backward(dOutput, default);
        Step();
    }

    /// <summary>Clips the gradients (when configured) and takes one Adam step. Non-finite gradients are left for the caller's check.</summary>
    public void Step()
    {
        if (_clip)
        {
            try { GradientClipping.ClipGlobalNorm(_net.Gradients, _net.Layout, _maxNorm, _norms); }
            catch (InvalidOperationException) { return; }
        }
        _adam.Step(_net.Parameters, _net.Gradients);
    }
}

/// <summary>Adam on a Gaussian policy's log σ [P, actionSize], per member (see <see cref="Optimizers.AddLogStd"/>).</summary>
public sealed class LogStdOptimizer
{
    private readonly PolicyNet _policy;
    private readonly Adam _adam;

    internal LogStdOptimizer(PolicyNet policy, Adam adam)
    {
        _policy = policy;
        _adam = adam;
    }

    /// <summary>Learning rate per member [P], as the last <see cref="Optimizers.Anneal"/> left it.</summary>
    public ReadOnlySpan<float> LearningRate => _adam.LearningRate;

    /// <summary>One Adam step on log σ from <see cref="PolicyNet.LogStdGradient"/>, which is then cleared (the policy head accumulates into it).</summary>
    public void Step()
    {
        _adam.Step(_policy.LogStd, _policy.LogStdGradient);
        Array.Clear(_policy.LogStdGradient);
    }
}
