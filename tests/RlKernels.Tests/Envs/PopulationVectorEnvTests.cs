using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using Xunit;

namespace RlKernels.Tests.Envs;

/// <summary>Member p of a population env steps as N copies made alone with member p's seed; bad input changes nothing.</summary>
public class PopulationVectorEnvTests
{
    public static TheoryData<string> Ids() => [.. EnvTestKit.AllIds];

    [Theory]
    [MemberData(nameof(Ids))]
    public void EachMemberStepsAsAnEnvOfItsOwn(string id)
    {
        const int n = 5;
        ulong[] seeds = [7, 1234, 99];
        using var population = new PopulationVectorEnv(id, n, seeds, new VectorEnvOptions { Threads = 2 });
        var alone = seeds.Select(s => EnvRegistry.Make(id, n, new VectorEnvOptions { Seed = s, Threads = 1 })).ToArray();
        try
        {
            Assert.Equal(n * seeds.Length, population.EnvCount);
            int o = population.Spec.ObsSize;
            bool discrete = population.Spec.Action.IsDiscrete;
            var rng = new Random(5);
            for (int t = 0; t < 300; t++)
            {
                if (t % 7 == 3) { population.StepRandom(2); foreach (var e in alone) e.StepRandom(2); }
                else if (discrete)
                {
                    int[] actions = Enumerable.Range(0, population.EnvCount).Select(_ => rng.Next(population.Spec.Action.Count)).ToArray();
                    population.Step(actions);
                    for (int p = 0; p < seeds.Length; p++) alone[p].Step(actions.AsSpan(p * n, n));
                }
                else
                {
                    float[] actions = Enumerable.Range(0, population.EnvCount).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
                    population.Step(actions);
                    for (int p = 0; p < seeds.Length; p++) alone[p].Step(actions.AsSpan(p * n, n));
                }
                for (int p = 0; p < seeds.Length; p++)
                {
                    string where = $"{id}, step {t}, member {p}";
                    Assert.True(alone[p].Observations.SequenceEqual(population.Observations.Slice(p * n * o, n * o)), $"{where}: observations differ");
                    Assert.True(alone[p].Rewards.SequenceEqual(population.Rewards.Slice(p * n, n)), $"{where}: rewards differ");
                    Assert.True(alone[p].Terminated.SequenceEqual(population.Terminated.Slice(p * n, n)), $"{where}: terminated differs");
                    Assert.True(alone[p].Truncated.SequenceEqual(population.Truncated.Slice(p * n, n)), $"{where}: truncated differs");
                    Assert.True(alone[p].EpisodeReturns.SequenceEqual(population.EpisodeReturns.Slice(p * n, n)), $"{where}: episode returns differ");
                }
            }
        }
        finally
        {
            foreach (var e in alone) e.Dispose();
        }
    }

    [Fact]
    public void ABadActionInAnyMemberChangesNothing()
    {
        using var population = new PopulationVectorEnv("CartPole-v1", 4, [1, 2]);
        float[] before = population.Observations.ToArray();
        int[] actions = new int[8];
        actions[6] = 2; // member 1's third copy
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => population.Step(actions));
        Assert.Contains("env 6", e.Message);
        Assert.Equal(before, population.Observations.ToArray());
        Assert.Throws<ArgumentException>(() => population.Step(new int[7]));
        Assert.Throws<ArgumentException>(() => population.Reset(new bool[3]));
        Assert.Equal(before, population.Observations.ToArray());
        actions[6] = 1;
        population.Step(actions); // still usable
    }

    [Fact]
    public void BadSizesAreRefusedAndDisposeIsIdempotent()
    {
        Assert.Throws<ArgumentException>(() => new PopulationVectorEnv("CartPole-v1", 4, []));
        Assert.Throws<ArgumentException>(() => new PopulationVectorEnv("CartPole-v1", 0, [1]));
        Assert.Throws<ArgumentException>(() => new PopulationVectorEnv("NoSuchEnv-v0", 4, [1]));
        var population = new PopulationVectorEnv("CartPole-v1", 2, [1, 2, 3]);
        population.Dispose();
        population.Dispose();
        Assert.Throws<ObjectDisposedException>(() => population.StepRandom(1));
    }
}
