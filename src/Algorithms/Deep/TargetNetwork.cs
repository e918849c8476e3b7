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
    /// time; with τ = 1 a hard copy every <paramref name="period"/> steps. The same τ and period for every member.
    /// </summary>
    /// <returns>True when the target changed.</returns>
    public static bool Update(Mlp target, Mlp online, float tau, long step, int period) =>
        Update(target, online, Enumerable.Repeat(tau, online.Population).ToArray(), step, Enumerable.Repeat(period, online.Population).ToArray());

    /// <summary>
    /// The update after step <paramref name="step"/> (counting from 1), member by member: member p takes a Polyak
    /// step at taus[p] when it is &lt; 1, else a hard copy when <paramref name="step"/> is a multiple of periods[p].
    /// </summary>
    /// <param name="target">The target network θ̄.</param>
    /// <param name="online">The network θ it follows.</param>
    /// <param name="taus">Polyak rate per member [P] in (0, 1]; empty: 1 for every member (hard copies only).</param>
    /// <param name="step">Steps taken so far, counting this one.</param>
    /// <param name="periods">Copy period per member [P], each ≥ 1.</param>
    /// <returns>True when any member's target changed.</returns>
    public static bool Update(Mlp target, Mlp online, ReadOnlySpan<float> taus, long step, ReadOnlySpan<int> periods)
    {
        int pop = online.Population;
        if (periods.Length != pop || !(taus.IsEmpty || taus.Length == pop))
            throw new ArgumentException($"{taus.Length} τ and {periods.Length} periods for a population of {pop}.");
        bool changed = false;
        for (int p = 0; p < pop; p++)
        {
            if (periods[p] < 1) throw new ArgumentOutOfRangeException(nameof(periods), periods[p], "period must be ≥ 1.");
            float tau = taus.IsEmpty ? 1f : taus[p];
            if (tau >= 1f && step % periods[p] != 0) continue;
            PolyakMember(target, online, p, tau);
            changed = true;
        }
        return changed;
    }

    /// <summary>θ̄ ← (1 − τ_p)θ̄ + τ_p θ for each member p's parameters (<paramref name="taus"/> [P] in (0, 1]; τ_p = 1 copies).</summary>
    public static void Polyak(Mlp target, Mlp online, ReadOnlySpan<float> taus)
    {
        if (taus.Length != online.Population) throw new ArgumentException($"{taus.Length} τ for a population of {online.Population}.", nameof(taus));
        for (int p = 0; p < online.Population; p++) PolyakMember(target, online, p, taus[p]);
    }

    private static void PolyakMember(Mlp target, Mlp online, int p, float tau)
    {
        ParameterLayout layout = online.Layout;
        for (int t = 0; t < layout.TensorCount; t++)
        {
            int offset = layout.MemberOffset(t, p), size = layout.MemberSize(t);
            Polyak(target.Parameters.AsSpan(offset, size), online.Parameters.AsSpan(offset, size), tau);
        }
    }
}
