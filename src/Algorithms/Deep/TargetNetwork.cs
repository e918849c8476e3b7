using RlKernels.Kernels.Nn;
using RlKernels.Kernels.Threading;

namespace RlKernels.Algorithms.Deep;

/// <summary>
/// Target networks Q̄ of the off-policy learners: a slowly moving copy of a network that the bootstrap targets
/// read, so a gradient step does not chase its own target. Hard copies every K steps (DQN) or Polyak averaging
/// θ̄ ← (1 − τ)θ̄ + τθ after every step (SAC); τ = 1 is a hard copy.
/// </summary>
public static class TargetNetwork
{
    /// <summary>θ̄ ← (1 − τ)θ̄ + τθ elementwise; τ = 1 copies.</summary>
    public static void Polyak(
        Span<float> target,         // [parameters]
        ReadOnlySpan<float> online, // [parameters]
        float tau)
    {
        if (target.Length != online.Length) throw new ArgumentException($"target has {target.Length} parameters, online {online.Length}.");
        if (!(tau > 0f && tau <= 1f)) throw new ArgumentOutOfRangeException(nameof(tau), tau, "tau must be in (0, 1].");
        if (tau == 1f) { online.CopyTo(target); return; }
        for (int i = 0; i < target.Length; i++) target[i] += tau * (online[i] - target[i]);
    }

    /// <summary>A network of <paramref name="online"/>'s shape starting from a copy of its parameters: the target at the start of training.</summary>
    public static Mlp CopyOf(Mlp online, WorkerPool pool)
    {
        var target = new Mlp(online.LayerSizes, online.ActivationOf(0), online.ActivationOf(online.LayerCount - 1), online.Population, pool, online.Kernels);
        online.Parameters.CopyTo(target.Parameters, 0);
        return target;
    }

    /// <summary>
    /// The update after gradient step <paramref name="step"/> (counting from 1): with τ &lt; 1 a Polyak step every
    /// time; with τ = 1 a hard copy every <paramref name="period"/> steps.
    /// </summary>
    /// <returns>True when the target changed.</returns>
    public static bool Update(Mlp target, Mlp online, float tau, long step, int period)
    {
        if (period < 1) throw new ArgumentOutOfRangeException(nameof(period), period, "period must be ≥ 1.");
        if (tau < 1f) { Polyak(target.Parameters, online.Parameters, tau); return true; }
        if (step % period != 0) return false;
        online.Parameters.CopyTo(target.Parameters, 0);
        return true;
    }
}
