using RlKernels.Envs.Registry;
using RlKernels.Cli;
using RlKernels.Envs.Runner;

namespace RlKernels.Tests.Envs;

/// <summary>
/// <see cref="IVectorEnv.Reset(ReadOnlySpan{ulong})"/>: one seed per env. The same seeds give bit-identical episodes
/// whatever the env did before, on every backend alike; different seeds give different episodes; a wrong number
/// of seeds is refused and changes nothing.
/// </summary>
public sealed class PerEnvSeedTests
{
    private const int EnvCount = 19;

    private static ulong[] Seeds(int salt) => Enumerable.Range(0, EnvCount).Select(i => (ulong)(i * 7919 + salt) * 0x9E3779B97F4A7C15ul).ToArray();

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string id in new[] { "CartPole-v1", "MountainCar-v0", "FrozenLake-v1", "Acrobot-v1" })
            foreach (string backend in new[] { "cpu", "cpu-scalar", "cpu-double", "gpu-cpu" })
                data.Add(id, backend);
        data.Add("CartPole-v1", "cpu normalize_obs");
        return data;
    }

    private static IVectorEnv Make(string id, string backend, ulong seed)
    {
        bool normalized = backend.EndsWith(" normalize_obs", StringComparison.Ordinal);
        var options = new VectorEnvOptions { Backend = BackendNames.Parse(backend.Split(' ')[0]), Seed = seed, AutoReset = AutoResetMode.SameStep };
        var args = normalized ? new Dictionary<string, string> { ["normalize_obs"] = "true" } : null;
        return EnvRegistry.Make(id, EnvCount, options, args);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Same_seeds_give_the_same_episodes_whatever_came_before(string id, string backend)
    {
        // Different histories: b was created with another seed and has stepped. Observation normalization's running
        // statistics are meant to carry the history, so there both start alike and only the call path is checked.
        bool normalized = backend.Contains("normalize_obs");
        using IVectorEnv a = Make(id, backend, seed: 1), b = Make(id, backend, seed: normalized ? 1ul : 2ul);
        if (!normalized) EnvTestKit.Run(b, 7, 5);
        ulong[] seeds = Seeds(3);
        a.Reset(seeds);
        b.Reset(seeds);
        Recording ra = EnvTestKit.Run(a, 30, 30), rb = EnvTestKit.Run(b, 30, 30);
        Assert.Equal(ra.InitialObs, rb.InitialObs);
        ra.AssertSamePerEnv(rb, $"{id} {backend}: same seeds after different histories");
    }

    [Theory]
    [InlineData("CartPole-v1")]
    [InlineData("MountainCar-v0")]
    public void Every_backend_draws_the_same_episodes_from_the_same_seeds(string id)
    {
        ulong[] seeds = Seeds(5);
        Recording Of(string backend)
        {
            using IVectorEnv env = Make(id, backend, seed: 9);
            env.Reset(seeds);
            return EnvTestKit.Run(env, 25, 0);
        }
        Recording cpu = Of("cpu"), scalar = Of("cpu-scalar");
        Assert.Equal(scalar.InitialObs, cpu.InitialObs);
        cpu.AssertSamePerEnv(scalar, $"{id}: cpu vs cpu-scalar");
        Recording device = Of("gpu-cpu");
        for (int i = 0; i < scalar.InitialObs.Length; i++)
            Assert.True(Math.Abs(scalar.InitialObs[i] - device.InitialObs[i]) <= 1e-6f, $"{id}: gpu-cpu initial obs [{i}] {device.InitialObs[i]} vs {scalar.InitialObs[i]}");
    }

    [Fact]
    public void Different_seeds_give_different_starts_and_a_whole_batch_seed_still_works()
    {
        using IVectorEnv env = Make("CartPole-v1", "cpu", seed: 1);
        env.Reset(Seeds(3));
        float[] first = env.Observations.ToArray();
        ulong[] changed = Seeds(3);
        changed[4] ^= 1;
        env.Reset(changed);
        float[] second = env.Observations.ToArray();
        // Only env 4's seed changed: only its row differs.
        for (int i = 0; i < EnvCount; i++)
        {
            bool same = first.AsSpan(i * 4, 4).SequenceEqual(second.AsSpan(i * 4, 4));
            Assert.True(same == (i != 4), $"env {i}: row {(same ? "equal" : "different")} after changing env 4's seed");
        }
        // Reset(seed) afterwards is exactly a fresh env with that seed.
        env.Reset(1);
        using IVectorEnv fresh = Make("CartPole-v1", "cpu", seed: 1);
        Assert.Equal(fresh.Observations.ToArray(), env.Observations.ToArray());
    }

    [Fact]
    public void Population_members_take_their_slices_of_the_seeds()
    {
        const int perMember = 5;
        ulong[] seeds = Enumerable.Range(0, 3 * perMember).Select(i => (ulong)(1000 + i)).ToArray();
        using var population = new PopulationVectorEnv("CartPole-v1", perMember, [1, 2, 3]);
        population.Reset(seeds);
        for (int p = 0; p < 3; p++)
        {
            using IVectorEnv single = EnvRegistry.Make("CartPole-v1", perMember, new VectorEnvOptions { Seed = 50 + (ulong)p });
            single.Reset(seeds.AsSpan(p * perMember, perMember));
            Assert.Equal(single.Observations.ToArray(), population.Observations.Slice(p * perMember * 4, perMember * 4).ToArray());
        }
        Assert.Throws<ArgumentException>(() => population.Reset(new ulong[3 * perMember - 1]));
    }

    [Theory]
    [InlineData(EnvCount - 1)]
    [InlineData(EnvCount + 1)]
    [InlineData(0)]
    public void Wrong_number_of_seeds_is_refused_and_changes_nothing(int length)
    {
        using IVectorEnv env = Make("CartPole-v1", "cpu", seed: 3), twin = Make("CartPole-v1", "cpu", seed: 3);
        EnvTestKit.Run(env, 6, 0);
        EnvTestKit.Run(twin, 6, 0);
        var snapshot = Snapshot.Of(env);
        var e = Assert.Throws<ArgumentException>(() => env.Reset(new ulong[length]));
        Assert.Contains($"Expected {EnvCount} seeds (one per env), got {length}", e.Message);
        snapshot.AssertUnchanged(env);
        EnvTestKit.Run(env, 20, 20).AssertSamePerEnv(EnvTestKit.Run(twin, 20, 20), "after the rejected reset vs a twin");
    }
}
