namespace RlKernels.Algorithms.Deep;

/// <summary>
/// Return and advantage estimators over a rollout of one member, time-major [T, N] (T steps of N envs).
/// </summary>
/// <remarks>
/// The end-of-episode convention everywhere: done[t, i] means the episode of env i ended at step t. A
/// terminated episode bootstraps from 0. A truncated one (time limit) must bootstrap from V(final
/// observation); callers fold that in by adding γ·V(s_final) to its reward and marking it done, so the
/// estimators below see one kind of "done". All targets are plain numbers: no gradient flows through them.
/// </remarks>
public static class Returns
{
    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="perMember"/> holds one value per member ([P]).</summary>
    internal static void RequirePerMember(ReadOnlySpan<float> perMember, int population, string name)
    {
        if (perMember.Length != population)
            throw new ArgumentException($"{name} has {perMember.Length} entries; expected one per member [P] = {population}.", name);
    }

    /// <summary>
    /// <see cref="RewardToGo(ReadOnlySpan{float}, ReadOnlySpan{bool}, int, int, float, Span{float}, Span{bool})"/>
    /// for every member of a population: arrays [P, T, N], member p's block at p·T·N, discounted by its own γ (gammas [P]).
    /// </summary>
    public static void RewardToGo(int population, ReadOnlySpan<float> rewards, ReadOnlySpan<bool> done,
        int stepCount, int envCount, ReadOnlySpan<float> gammas, Span<float> returns, Span<bool> complete)
    {
        Returns.RequirePerMember(gammas, population, nameof(gammas));
        int b = stepCount * envCount;
        for (int p = 0; p < population; p++)
            RewardToGo(rewards.Slice(p * b, b), done.Slice(p * b, b), stepCount, envCount, gammas[p], returns.Slice(p * b, b), complete.Slice(p * b, b));
    }

    /// <summary>
    /// Discounted reward-to-go G_t = r_t + γ G_{t+1}, restarting at every episode end. Steps after the last
    /// episode end of an env have no complete return: <paramref name="complete"/> is false there (G is then
    /// the partial sum, bootstrapped from 0).
    /// </summary>
    /// <remarks>Effectively computes G[t, i] = Σ_{k=t}^{end} γ^{k−t} r[k, i], with end the first k ≥ t with done[k, i].</remarks>
    public static void RewardToGo(
        ReadOnlySpan<float> rewards, // [T, N]
        ReadOnlySpan<bool> done,     // [T, N]
        int stepCount, int envCount, float gamma,
        Span<float> returns,         // [T, N]
        Span<bool> complete)         // [T, N]
    {
        Check(rewards.Length, done.Length, stepCount, envCount);
        for (int i = 0; i < envCount; i++)
        {
            float g = 0;
            bool ended = false;
            for (int t = stepCount - 1; t >= 0; t--)
            {
                int k = t * envCount + i;
                if (done[k]) { g = 0; ended = true; }
                g = rewards[k] + gamma * g;
                returns[k] = g;
                complete[k] = ended;
            }
        }
    }

    /// <summary>
    /// <see cref="Gae(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{bool}, ReadOnlySpan{float}, int, int, float, float, Span{float}, Span{float})"/>
    /// for every member of a population: arrays [P, T, N] (lastValues [P, N]), member p's block at p·T·N, with its own
    /// γ and λ (gammas [P], lambdas [P]).
    /// </summary>
    public static void Gae(int population,
        ReadOnlySpan<float> rewards, ReadOnlySpan<float> values, ReadOnlySpan<bool> done, ReadOnlySpan<float> lastValues,
        int stepCount, int envCount, ReadOnlySpan<float> gammas, ReadOnlySpan<float> lambdas, Span<float> advantages, Span<float> lambdaReturns)
    {
        Returns.RequirePerMember(gammas, population, nameof(gammas));
        Returns.RequirePerMember(lambdas, population, nameof(lambdas));
        int b = stepCount * envCount, n = envCount;
        for (int p = 0; p < population; p++)
            Gae(rewards.Slice(p * b, b), values.Slice(p * b, b), done.Slice(p * b, b), lastValues.Slice(p * n, n),
                stepCount, envCount, gammas[p], lambdas[p], advantages.Slice(p * b, b), lambdaReturns.Slice(p * b, b));
    }

    /// <summary>
    /// Generalized advantage estimation (Schulman et al. 2016): A_t = δ_t + γλ(1 − d_t) A_{t+1}, with
    /// δ_t = r_t + γ(1 − d_t) V_{t+1} − V_t and V_T = <paramref name="lastValues"/>. Also writes the
    /// λ-returns A_t + V_t, the targets of TD(λ) (λ = 0: TD(0) targets r + γV(s'); λ = 1: Monte-Carlo
    /// returns bootstrapped at the rollout end).
    /// </summary>
    public static void Gae(
        ReadOnlySpan<float> rewards,    // [T, N]
        ReadOnlySpan<float> values,     // [T, N]
        ReadOnlySpan<bool> done,        // [T, N]
        ReadOnlySpan<float> lastValues, // [N] V of the observation after the last step
        int stepCount, int envCount, float gamma, float lambda,
        Span<float> advantages,         // [T, N]
        Span<float> lambdaReturns)      // [T, N]
    {
        Check(rewards.Length, done.Length, stepCount, envCount);
        for (int i = 0; i < envCount; i++)
        {
            float next = lastValues[i], a = 0;
            for (int t = stepCount - 1; t >= 0; t--)
            {
                int k = t * envCount + i;
                float notDone = done[k] ? 0f : 1f;
                float delta = rewards[k] + gamma * notDone * next - values[k];
                a = delta + gamma * lambda * notDone * a;
                advantages[k] = a;
                lambdaReturns[k] = a + values[k];
                next = values[k];
            }
        }
    }

    /// <summary>Shifts and scales xs to mean 0, standard deviation 1 (in place); nothing when it has fewer than 2 entries.</summary>
    public static void Normalize(Span<float> xs)
    {
        if (xs.Length < 2) return;
        double sum = 0, sq = 0;
        foreach (float x in xs) sum += x;
        double mean = sum / xs.Length;
        foreach (float x in xs) sq += (x - mean) * (x - mean);
        float std = (float)Math.Sqrt(sq / (xs.Length - 1));
        float inv = 1f / (std + 1e-8f), m = (float)mean;
        foreach (ref float x in xs) x = (x - m) * inv;
    }

    private static void Check(int rewards, int done, int stepCount, int envCount)
    {
        if (rewards != stepCount * envCount || done != stepCount * envCount)
            throw new ArgumentException($"rewards and done must have [T, N] = {stepCount * envCount} entries (got {rewards} and {done}).");
    }
}
