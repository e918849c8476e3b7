using ILGPU;
using RlKernels.Algorithms.Deep;
using RlKernels.Kernels.Gpu;
using RlKernels.Kernels.Random;

namespace RlKernels.Algorithms.Device;

/// <summary>
/// PPO's own math as kernels over device buffers, each the CPU code's arithmetic in the CPU's order
/// (<c>Returns.Gae</c>, <c>Shuffle.Permutation</c>, <c>Minibatches.Gather</c>, <c>Returns.Normalize</c>, the
/// clipped surrogate and value loss of <c>Ppo.Train</c> with <c>Categorical</c>'s backward; A2C's policy gradient of
/// <c>A2c.Train</c> and REINFORCE's reward-to-go and weights of <c>Reinforce.Train</c> by <see cref="DevicePpoArgs.Loss"/>). The networks'
/// forward, backward and optimizer steps are <see cref="GpuMlp"/> and <see cref="DeviceNetOptimizer"/>.
/// P = population, N = envs per member, T = steps, B = T·N, M = rows per minibatch.
/// </summary>
public static class DevicePpoKernels
{
    /// <summary>
    /// Thread e = p·N + i: GAE(λ) advantages and λ-returns of env i of member p, backwards over T steps, with
    /// member p's γ and λ; a truncated, not terminated step's reward gets γ·V(final obs) added, as the CPU rollout does.
    /// </summary>
    public static void GaeKernel(
        Index1D index,
        DeviceRolloutViews r,
        DevicePpoBatchViews b,
        DevicePpoArgs a)
    {
        int e = index.X, n = a.EnvsPerMember;
        int p = e / n, i = e - p * n;
        float gamma = b.Member(DevicePpoBatchViews.Gamma, p), lambda = b.Member(DevicePpoBatchViews.Lambda, p);
        float next = r.LastValues[e], adv = 0f;
        for (int t = a.Steps - 1; t >= 0; t--)
        {
            long k = ((long)p * a.Steps + t) * n + i;
            bool terminated = r.Terminated[k] != 0, truncated = r.Truncated[k] != 0;
            float bootstrap = truncated && !terminated ? gamma * r.FinalValues[k] : 0f;
            float reward = r.Rewards[k] + bootstrap;
            float notDone = terminated || truncated ? 0f : 1f;
            float delta = reward + gamma * notDone * next - r.Values[k];
            adv = delta + gamma * lambda * notDone * adv;
            b.Advantages[k] = adv;
            b.Returns[k] = adv + r.Values[k];
            next = r.Values[k];
        }
    }

    /// <summary>
    /// Thread e = p·N + i: REINFORCE's discounted reward-to-go of env i of member p, backwards over T steps with member p's γ,
    /// restarting at every episode end (terminated or truncated, no bootstrap), as <see cref="Deep.Returns.RewardToGo(ReadOnlySpan{float}, ReadOnlySpan{bool}, int, int, float, Span{float}, Span{bool})"/>:
    /// G into <see cref="DevicePpoBatchViews.Returns"/>, 1 where the episode ends inside the rollout (else 0) into <see cref="DevicePpoBatchViews.Advantages"/>.
    /// </summary>
    public static void RewardToGoKernel(
        Index1D index,
        DeviceRolloutViews r,
        DevicePpoBatchViews b,
        DevicePpoArgs a)
    {
        int e = index.X, n = a.EnvsPerMember;
        int p = e / n, i = e - p * n;
        float gamma = b.Member(DevicePpoBatchViews.Gamma, p), g = 0f, complete = 0f;
        for (int t = a.Steps - 1; t >= 0; t--)
        {
            long k = ((long)p * a.Steps + t) * n + i;
            if (r.Terminated[k] != 0 || r.Truncated[k] != 0) { g = 0f; complete = 1f; }
            g = r.Rewards[k] + gamma * g;
            b.Returns[k] = g;
            b.Advantages[k] = complete;
        }
    }

    /// <summary>
    /// Thread p: REINFORCE's weights of member p's minibatch, as <c>Reinforce.Train</c>: with w the gathered complete flags,
    /// count = Σ w, A = w·(G − V) (V the critic's output with <see cref="DevicePpoArgs.Baseline"/>, else 0), s = 1/(rms(A) + 1e-8)
    /// with <see cref="DevicePpoArgs.ScaleWeights"/> and count &gt; 1 (else 1); dLoss/dlog π = −A·s/count into
    /// <see cref="DevicePpoBatchViews.MinibatchAdvantages"/> (in place of the flags) and the baseline's dLoss/dV = w·(V − G)/count.
    /// </summary>
    public static void ReinforceWeightKernel(
        Index1D index,
        ArrayView<float> values, // [P, M, 1]
        DevicePpoBatchViews b,
        DevicePpoArgs a)
    {
        int m = a.Rows;
        long o = (long)index.X * m;
        float count = 0f;
        for (int j = 0; j < m; j++) count += b.MinibatchAdvantages[o + j];
        double sq = 0;
        for (int j = 0; j < m; j++)
        {
            float adv = b.MinibatchAdvantages[o + j] * (b.MinibatchReturns[o + j] - (a.Baseline != 0 ? values[o + j] : 0f));
            sq += (double)adv * adv;
        }
        float scale = a.ScaleWeights != 0 && count > 1 ? 1f / (MathF.Sqrt((float)(sq / count)) + 1e-8f) : 1f;
        for (int j = 0; j < m; j++)
        {
            float w = b.MinibatchAdvantages[o + j], v = a.Baseline != 0 ? values[o + j] : 0f, g = b.MinibatchReturns[o + j];
            float adv = w * (g - v);
            b.MinibatchAdvantages[o + j] = count > 0 ? -adv * scale / count : 0f;
            b.DValues[o + j] = count > 0 && a.Baseline != 0 ? w * (v - g) / count : 0f;
        }
    }

    /// <summary>Thread p: Fisher–Yates permutation of member p's B samples from (its key, round), as <see cref="Shuffle.Permutation"/>.</summary>
    public static void PermutationKernel(
        Index1D index,
        ArrayView<uint> keys,        // [P, 2]
        uint round, int batch,
        ArrayView<int> permutation)  // [P, B]
    {
        int p = index.X;
        uint k0 = keys[2 * p], k1 = keys[2 * p + 1];
        long o = (long)p * batch;
        for (int i = 0; i < batch; i++) permutation[o + i] = i;
        for (int i = batch - 1; i > 0; i--)
        {
            Philox4x32.Block((uint)i, round, Shuffle.Purpose, 0, k0, k1, out uint bits, out _, out _, out _);
            int j = (int)(((ulong)bits * (uint)(i + 1)) >> 32);
            int tmp = permutation[o + i];
            permutation[o + i] = permutation[o + j];
            permutation[o + j] = tmp;
        }
    }

    /// <summary>
    /// Thread p·M + j: row j of member p's minibatch <paramref name="minibatch"/>, gathered from the rollout through the
    /// permutation (PPO, REINFORCE), or row minibatch·M + j itself (A2C: the rollout in its order, as the CPU update reads it).
    /// </summary>
    public static void GatherKernel(
        Index1D index,
        DeviceRolloutViews r,
        DevicePpoBatchViews b,
        int minibatch,
        DevicePpoArgs a)
    {
        int m = a.Rows, batch = a.Steps * a.EnvsPerMember, o = a.ObsSize;
        int p = index.X / m, j = index.X - p * m;
        int row = minibatch * m + j;
        long src = (long)p * batch + (a.Permuted != 0 ? b.Permutation[(long)p * batch + row] : row);
        long dst = index.X;
        for (int f = 0; f < o; f++)
        {
            float v = r.Obs[src * o + f];
            b.ActorInput[dst * o + f] = v;
            b.CriticInput[dst * o + f] = v;
        }
        b.Actions[dst] = r.Actions[src];
        b.OldLogProbs[dst] = r.LogProbs[src];
        b.MinibatchAdvantages[dst] = b.Advantages[src];
        b.MinibatchReturns[dst] = b.Returns[src];
    }

    /// <summary>Thread p: member p's M advantages shifted and scaled to mean 0, std 1 (double sums, as <see cref="Returns.Normalize"/>).</summary>
    public static void NormalizeKernel(
        Index1D index,
        ArrayView<float> x, // [P, M]
        int m)
    {
        if (m < 2) return;
        long o = (long)index.X * m;
        double sum = 0, sq = 0;
        for (int j = 0; j < m; j++) sum += x[o + j];
        double mean = sum / m;
        for (int j = 0; j < m; j++) sq += (x[o + j] - mean) * (x[o + j] - mean);
        float std = (float)Math.Sqrt(sq / (m - 1));
        float inv = 1f / (std + 1e-8f), mf = (float)mean;
        for (int j = 0; j < m; j++) x[o + j] = (x[o + j] - mf) * inv;
    }

    /// <summary>
    /// Thread r (of P·M): the clipped surrogate's gradient into the logits. ρ = exp(log π − log π_old);
    /// dLoss/dlog π = −ρA/M where the unclipped term is the minimum, else 0; then log π's backward
    /// (one-hot − softmax) and the entropy bonus's backward at dH = −c_H/M; ε and c_H are member p's. Writes the row's loss share.
    /// A2C: the loss is −(A·log π + c_H·H)/M and dLoss/dlog π = −A/M, as the CPU <c>A2c.Train</c>. REINFORCE: dLoss/dlog π is the
    /// row's <see cref="DevicePpoBatchViews.MinibatchAdvantages"/> (<see cref="ReinforceWeightKernel"/>'s), the loss dLoss/dlog π · log π, as <c>Reinforce.Train</c>'s.
    /// </summary>
    public static void SurrogateGradKernel(
        Index1D index,
        ArrayView<float> logits, // [P, M, A]
        DevicePpoBatchViews b,
        DevicePpoArgs a)
    {
        int r = index.X, w = a.ActionCount, m = a.Rows;
        int z = r * w, action = b.Actions[r], p = r / m;
        float clip = b.Member(DevicePpoBatchViews.Clip, p), entropyCoef = b.Member(DevicePpoBatchViews.Entropy, p);
        float lse = GpuCategorical.LogSumExp(logits, z, w);
        float logProb = logits[z + action] - lse;
        float entropy = 0f;
        for (int c = 0; c < w; c++)
        {
            float logP = logits[z + c] - lse;
            entropy -= MathF.Exp(logP) * logP;
        }
        float adv = b.MinibatchAdvantages[r], dLogProb, rowLoss;
        if (a.Loss == DevicePpoArgs.PpoLoss)
        {
            float ratio = MathF.Exp(logProb - b.OldLogProbs[r]);
            float low = 1f - clip, high = 1f + clip;
            float clippedRatio = ratio < low ? low : (ratio > high ? high : ratio);
            float unclipped = ratio * adv, clipped = clippedRatio * adv;
            dLogProb = unclipped <= clipped ? -unclipped / m : 0f;
            float smaller = unclipped < clipped ? unclipped : clipped;
            rowLoss = -(smaller / m + entropyCoef * entropy / m);
        }
        else if (a.Loss == DevicePpoArgs.ReinforceLoss)
        {
            dLogProb = adv;
            rowLoss = adv * logProb;
        }
        else
        {
            dLogProb = -adv / m;
            rowLoss = -((adv * logProb + entropyCoef * entropy) / m);
        }
        float dEntropy = -entropyCoef / m;
        for (int c = 0; c < w; c++)
        {
            float logP = logits[z + c] - lse;
            float d = dLogProb * ((c == action ? 1f : 0f) - MathF.Exp(logP));
            if (dEntropy != 0f) d -= dEntropy * MathF.Exp(logP) * (logP + entropy);
            b.DLogits[z + c] = d;
        }
        b.RowLoss[r] = rowLoss;
    }

    /// <summary>Thread r (of P·M): the value loss's gradient c_V·(V − G)/M.</summary>
    public static void ValueGradKernel(
        Index1D index,
        ArrayView<float> values, // [P, M, 1]
        DevicePpoBatchViews b,
        DevicePpoArgs a)
    {
        int r = index.X;
        b.DValues[r] = a.ValueCoef * (values[r] - b.MinibatchReturns[r]) / a.Rows;
    }

    /// <summary>Thread p: member p's metrics of the last minibatch, [P, 3]: actor loss (rows summed in order), actor and critic gradient norms.</summary>
    public static void UpdateMetricsKernel(
        Index1D index,
        ArrayView<float> rowLoss,     // [P, M]
        int m,
        ArrayView<float> actorNorms,  // [P]
        ArrayView<float> criticNorms, // [P]
        ArrayView<float> metrics)     // [P, 3]
    {
        int p = index.X;
        float loss = 0f;
        for (int j = 0; j < m; j++) loss += rowLoss[(long)p * m + j];
        metrics[3 * p] = loss;
        metrics[3 * p + 1] = actorNorms[p];
        metrics[3 * p + 2] = criticNorms[p];
    }

    /// <summary>Every kernel of this class (for PTX compile checks).</summary>
    public static IReadOnlyList<System.Reflection.MethodInfo> All() =>
        typeof(DevicePpoKernels).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(k => k.Name.EndsWith("Kernel", StringComparison.Ordinal)).ToList();
}
