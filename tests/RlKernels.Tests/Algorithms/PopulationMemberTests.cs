using RlKernels.Algorithms.Deep;
using RlKernels.Kernels.Nn;

namespace RlKernels.Tests.Algorithms;

/// <summary>
/// Member k of a population trains exactly as a run of its own with the same seed, learning rate, γ and the other
/// per-member hyperparameters its algorithm has (λ, entropy and clip coefficients): the same learning curve and the
/// same weights, bit for bit (what lets a sweep train configurations together).
/// </summary>
public class PopulationMemberTests(ITestOutputHelper output)
{
    public static TheoryData<string> Algorithms() => [.. DeepAlgorithms.Names];

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void MemberKTrainsBitForBitAsARunOfItsOwn(string algo)
    {
        DeepAlgorithm entry = DeepAlgorithms.Get(algo);
        string env = entry.Needs == ActionNeed.Continuous ? "Pendulum-v1" : "CartPole-v1";
        const int envs = 8;
        // A few updates; replay-based algorithms past their warm-up (SAC 2,000 steps, DQN 10,000) and over several curve points.
        long steps = Math.Max(envs * entry.RolloutSteps(env) * 3L, entry.UsesReplay && entry.Needs == ActionNeed.Discrete ? 12_000 : 4_800);
        var common = new RunSettings { EnvId = env, EnvCount = envs, TotalSteps = steps, StopAtTarget = false, Threads = 2 };
        float[] rates = [3e-3f, 7e-4f, 1.5e-3f];
        float[] gammas = [0.9f, 0.99f, 0.95f];
        ulong[] seeds = [11, 22, 33];
        // The algorithm's other per-member hyperparameters, each differing between members (member 0 without an entropy bonus, the others with).
        var others = new Dictionary<MemberParam, float[]>
        {
            [MemberParam.Lambda] = [0.6f, 0.95f, 0.8f],
            [MemberParam.EntropyCoef] = [0f, 0.01f, 0.05f],
            [MemberParam.ClipCoef] = [0.1f, 0.2f, 0.3f],
        }.Where(o => entry.MemberParams.Contains(o.Key)).ToArray();
        Assert.Equal(entry.MemberParams.Count, MemberParam.Common.Count + others.Length);
        RunSettings With(RunSettings run, Func<float[], float[]> pick) => others.Aggregate(run, (r, o) => o.Key.Set(r, pick(o.Value)));

        TrainResult population = DeepAlgorithms.Train(algo, With(common with { Seeds = seeds, LearningRates = rates, Gammas = gammas }, v => v));
        for (int k = 0; k < seeds.Length; k += 2) // the first and the last member: rows at the start and the end
        {
            TrainResult alone = DeepAlgorithms.Train(algo, With(common with { Seed = seeds[k], Threads = 1, Gammas = [gammas[k]] }, v => [v[k]]), rates[k]);
            string who = $"{algo} on {env}, member {k} (seed {seeds[k]}, lr {rates[k]}, γ {gammas[k]}{string.Concat(others.Select(o => $", {o.Key.Key} {o.Value[k]}"))})";

            var mine = population.Curve.Where(c => c.Member == k).ToArray();
            var own = alone.Curve.ToArray();
            Assert.True(own.Length > 1, $"{who}: the run alone recorded {own.Length} curve points");
            Assert.Equal(own.Length, mine.Length);
            for (int i = 0; i < own.Length; i++)
            {
                Assert.True(own[i].EnvSteps == mine[i].EnvSteps && own[i].Episodes == mine[i].Episodes
                    && BitConverter.DoubleToInt64Bits(own[i].RecentMeanReturn) == BitConverter.DoubleToInt64Bits(mine[i].RecentMeanReturn),
                    $"{who}: curve point {i} differs: alone ({own[i].EnvSteps}, {own[i].RecentMeanReturn:R}, {own[i].Episodes}) vs member ({mine[i].EnvSteps}, {mine[i].RecentMeanReturn:R}, {mine[i].Episodes})");
            }
            AssertMemberEqual(who + " policy", alone.Policy!.Net, population.Policy!.Net, k);
            if (alone.Critic is not null) AssertMemberEqual(who + " critic", alone.Critic, population.Critic!, k);
            int a = alone.Policy.LogStd.Length;
            Assert.Equal(alone.Policy.LogStd, population.Policy.LogStd.AsSpan(k * a, a).ToArray());
            output.WriteLine($"{who}: {own.Length} curve points and every weight identical");
        }
    }

    private static void AssertMemberEqual(string who, Mlp alone, Mlp population, int member)
    {
        for (int t = 0; t < alone.Layout.TensorCount; t++)
        {
            int size = alone.Layout.MemberSize(t);
            var expected = alone.Parameters.AsSpan(alone.Layout.MemberOffset(t, 0), size);
            var got = population.Parameters.AsSpan(population.Layout.MemberOffset(t, member), size);
            for (int i = 0; i < size; i++)
                Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(got[i]),
                    $"{who}: {alone.Layout.Name(t)}[{i}] = {got[i]:R} in the population, {expected[i]:R} alone");
        }
    }
}
