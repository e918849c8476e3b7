using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RlKernels.Envs;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Envs.Tabular;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Random;

namespace RlKernels.Tests.Tabular;

/// <summary>
/// Batched stepping of tabular models: outcomes are drawn with the model's probabilities (chi-squared
/// tests with a fixed seed and significance level, so they cannot flake), the same on every lane,
/// and the runner's transitions are entries of the model.
/// </summary>
public class TabularEnvTests
{
    private const uint Key0 = 0x1234567, Key1 = 0x89abcdef;
    /// <summary>Standard normal quantile of 1 − 1e-4: the significance level of every chi-squared test here.</summary>
    private const double Z = 3.719;

    private static bool Avx2Lanes => Avx2.IsSupported && Vector256.IsHardwareAccelerated;
    private static bool Avx512Lanes => Avx512F.IsSupported && Vector512.IsHardwareAccelerated && Avx2.IsSupported;

    /// <summary>Wilson–Hilferty upper quantile of chi-squared with <paramref name="df"/> degrees of freedom.</summary>
    private static double ChiSquaredCritical(int df)
    {
        double c = 2.0 / (9.0 * df);
        return df * Math.Pow(1 - c + Z * Math.Sqrt(c), 3);
    }

    /// <summary>
    /// Draws <paramref name="draws"/> steps of every (s, a) (env index = draw number, so each draw has
    /// its own stream) and tests the outcome frequencies, grouped by distinct (next, reward, terminated)
    /// — duplicates are indistinguishable — against the model, summed over all (s, a).
    /// </summary>
    private static void AssertStepFrequencies<T>(TabularMdp model, int draws, TabularMdp? sampleFrom = null) where T : struct, ILane<T>
    {
        sampleFrom ??= model;
        var p = TabularTable.CpuParams<T>(sampleFrom);
        double chi2 = 0, worst = 0;
        int df = 0;
        string worstPlace = "";
        for (int s = 0; s < model.StateCount; s++)
            for (int a = 0; a < model.ActionCount; a++)
            {
                var expected = new Dictionary<(int, float, bool), double>();
                var (start, count) = model.Outcomes(s, a);
                for (int k = start; k < start + count; k++)
                {
                    if (model.Probability[k] == 0) continue; // must never be drawn
                    var key = (model.NextState[k], (float)model.Reward[k], model.Terminated[k]);
                    expected[key] = expected.GetValueOrDefault(key) + model.Probability[k];
                }
                var observed = new Dictionary<(int, float, bool), int>();
                for (int first = 0; first < draws; first += T.Count)
                {
                    var env = new TabularEnv<T, ArrayLaneTable<T>> { State = T.Splat(s) };
                    var rng = new LaneRng<T>(T.BitsSplat((uint)(s * model.ActionCount + a)), T.BitsIota((uint)first), Key0, Key1, LaneRng<T>.EnvPurpose);
                    TabularEnv<T, ArrayLaneTable<T>>.Step(ref env, p, T.Splat(a), ref rng, out T reward, out T terminated);
                    ulong termBits = T.MaskBits(terminated);
                    for (int j = 0; j < T.Count && first + j < draws; j++)
                    {
                        var key = ((int)T.Element(env.State, j), (float)T.Element(reward, j), (termBits >> j & 1) != 0);
                        Assert.True(expected.ContainsKey(key), $"(s={s}, a={a}): drew {key}, not an outcome of the model");
                        observed[key] = observed.GetValueOrDefault(key) + 1;
                    }
                }
                if (expected.Count < 2) continue;
                double local = 0;
                foreach (var (key, prob) in expected)
                {
                    double e = prob * draws, o = observed.GetValueOrDefault(key);
                    local += (o - e) * (o - e) / e;
                }
                chi2 += local;
                df += expected.Count - 1;
                if (local > worst) (worst, worstPlace) = (local, $"(s={s}, a={a})");
            }
        Assert.True(df > 0);
        double critical = ChiSquaredCritical(df);
        Assert.True(chi2 < critical, $"chi-squared {chi2:F1} over df {df} exceeds {critical:F1} (worst {worstPlace}: {worst:F1})");
    }

    [Fact]
    public void SlipperyFrozenLakeSamplesWithModelProbabilities_F1() =>
        AssertStepFrequencies<F1>(FrozenLake.BuildModel(new Dictionary<string, string> { ["map_name"] = "8x8" }), 1000);

    [Fact]
    public void SlipperyFrozenLakeSamplesWithModelProbabilities_D1() =>
        AssertStepFrequencies<D1>(FrozenLake.BuildModel(), 2000);

    [Fact]
    public void SlipperyFrozenLakeSamplesWithModelProbabilities_F8()
    {
        Assert.SkipUnless(Avx2Lanes, "AVX2 not available");
        AssertStepFrequencies<F8>(FrozenLake.BuildModel(new Dictionary<string, string> { ["map_name"] = "8x8" }), 2000);
    }

    [Fact]
    public void SlipperyFrozenLakeSamplesWithModelProbabilities_F4()
    {
        Assert.SkipUnless(LaneSelection.IsAccelerated(4), "Vector128 not accelerated");
        AssertStepFrequencies<F4>(FrozenLake.BuildModel(new Dictionary<string, string> { ["map_name"] = "8x8" }), 2000);
    }

    [Fact]
    public void RainyTaxiSamplesWithModelProbabilities_F16()
    {
        Assert.SkipUnless(Avx512Lanes, "AVX-512 not available");
        AssertStepFrequencies<F16>(Taxi.BuildModel(isRainy: true), 1000);
    }

    [Fact]
    public void RainyTaxiSamplesWithModelProbabilities_F8()
    {
        Assert.SkipUnless(Avx2Lanes, "AVX2 not available");
        AssertStepFrequencies<F8>(Taxi.BuildModel(isRainy: true), 1000);
    }

    [Fact]
    public void SlipperyCliffWalkingSamplesWithModelProbabilities_F1() =>
        AssertStepFrequencies<F1>(CliffWalking.BuildModel(isSlippery: true), 2000);

    /// <summary>The test has power: success_rate 0.4 instead of 1/3 is rejected.</summary>
    [Fact]
    public void FrequencyTestRejectsAWrongModel()
    {
        var wrong = FrozenLake.BuildModel(new Dictionary<string, string> { ["success_rate"] = "0.4" });
        Assert.ThrowsAny<Exception>(() => AssertStepFrequencies<F1>(FrozenLake.BuildModel(), 2000, sampleFrom: wrong));
    }

    [Fact]
    public void UnevenAndZeroProbabilityOutcomesAreSampledCorrectly()
    {
        // Outcome lists of different lengths (Kmax padding), zero-probability entries first, middle and last.
        var model = TabularMdp.FromTransitions(3, 2,
        [
            new(0, 0, 0.0, 2, 5, false), new(0, 0, 0.1, 1, 0, false), new(0, 0, 0.0, 2, 7, false),
            new(0, 0, 0.6, 2, 1, false), new(0, 0, 0.3, 0, 2, true), new(0, 0, 0.0, 1, 9, true),
            new(0, 1, 1.0, 1, 0, false),
            new(1, 0, 0.5, 0, 0, false), new(1, 0, 0.5, 2, 0, false),
            new(1, 1, 1e-3, 2, 3, true), new(1, 1, 0.999, 0, 0, false),
            new(2, 0, 1.0, 2, 0, true), new(2, 1, 1.0, 2, 0, true),
        ], [0.0, 0.25, 0.75]);
        AssertStepFrequencies<F1>(model, 20000);
        AssertStepFrequencies<D1>(model, 20000);
    }

    /// <summary>Reset draws from the initial distribution: Taxi's 300 equally likely starts.</summary>
    [Fact]
    public void ResetSamplesTheInitialDistribution()
    {
        var model = Taxi.BuildModel(isRainy: false);
        var p = TabularTable.CpuParams<F1>(model);
        var counts = new int[model.StateCount];
        const int draws = 60_000;
        for (int i = 0; i < draws; i++)
        {
            var rng = new LaneRng<F1>(F1.BitsSplat(7), F1.BitsSplat((uint)i), Key0, Key1, LaneRng<F1>.EnvPurpose);
            TabularEnv<F1, ArrayLaneTable<F1>>.Reset(out var env, p, ref rng);
            counts[(int)env.State.V]++;
        }
        double chi2 = 0;
        int df = -1;
        for (int s = 0; s < model.StateCount; s++)
        {
            double e = model.InitialDistribution[s] * draws;
            if (e == 0)
            {
                Assert.True(counts[s] == 0, $"state {s} has initial probability 0 but was drawn {counts[s]} times");
                continue;
            }
            chi2 += (counts[s] - e) * (counts[s] - e) / e;
            df++;
        }
        Assert.Equal(299, df);
        Assert.True(chi2 < ChiSquaredCritical(df), $"chi-squared {chi2:F1} over df {df}");
    }

    [Fact]
    public void GatherReadsTheTableOnEveryLaneAndClampsBadIndices()
    {
        float[] table = Enumerable.Range(0, 50).Select(i => i * 10f).ToArray();
        Check<F1>();
        Check<D1>();
        if (LaneSelection.IsAccelerated(4)) Check<F4>();
        if (Avx2Lanes) Check<F8>();
        if (Avx512Lanes) Check<F16>();

        void Check<T>() where T : struct, ILane<T>
        {
            float[] index = new float[T.Count];
            for (int trial = 0; trial < 7; trial++)
            {
                for (int j = 0; j < T.Count; j++) index[j] = (j * 7 + trial * 13) % 60 - 5; // −5 .. 54
                T got = T.Gather(table, T.Load(index, 0, T.Count));
                for (int j = 0; j < T.Count; j++)
                    Assert.Equal(table[Math.Clamp((int)index[j], 0, table.Length - 1)], (float)T.Element(got, j));
            }
        }
    }

    public static TheoryData<string, string[]> RegisteredIds() => new()
    {
        { "FrozenLake-v1", [] },
        { "FrozenLake-v1", ["is_slippery=false", "desc=SFFH,FHFF,FFFG"] },
        { "FrozenLake8x8-v1", [] },
        { "CliffWalking-v1", [] },
        { "CliffWalkingSlippery-v1", [] },
        { "Taxi-v4", [] },
        { "Taxi-v4", ["is_rainy=true"] },
    };

    /// <summary>
    /// Through the registry and the runner (auto-reset, time limit), every transition is an entry of
    /// the model, and the cpu, cpu-scalar, cpu-double and gpu-cpu backends give the same trajectories
    /// (bit for bit: the table holds small integers and exact float cdfs, and every backend draws u alike).
    /// </summary>
    [Theory]
    [MemberData(nameof(RegisteredIds))]
    public void RunnerTransitionsAreModelEntriesOnEveryBackend(string id, string[] envArgs)
    {
        var args = EnvArgs.Parse(envArgs);
        EnvSpec spec = EnvRegistry.Get(id).Spec(EnvArgs.Parse(envArgs));
        TabularMdp model = id switch
        {
            "FrozenLake-v1" => FrozenLake.BuildModel(args.Values),
            "FrozenLake8x8-v1" => FrozenLake.BuildModel(args.Values, defaultMapName: "8x8"),
            "CliffWalking-v1" => CliffWalking.BuildModel(args.Values),
            "CliffWalkingSlippery-v1" => CliffWalking.BuildModel(args.Values, defaultSlippery: true),
            _ => Taxi.BuildModel(args.Values),
        };
        Assert.Equal((1, model.ActionCount, model.StateCount - 1f), (spec.ObsSize, spec.Action.Count, spec.ObsHigh[0]));
        const int envCount = 37, steps = 300;
        var backends = new[] { Backend.Cpu, Backend.CpuScalar, Backend.CpuDouble, Backend.GpuCpuAccelerator };
        var trajectories = new List<float[]>();
        foreach (var backend in backends)
        {
            using var env = EnvRegistry.Make(id, envCount, new VectorEnvOptions { Backend = backend, Seed = 11 }, args.Values);
            var trace = new List<float>();
            var actions = new int[envCount];
            float[] obs = env.Observations.ToArray();
            for (int i = 0; i < envCount; i++) Assert.True(model.InitialDistribution[(int)obs[i]] > 0);
            int ended = 0;
            for (int t = 0; t < steps; t++)
            {
                for (int i = 0; i < envCount; i++) actions[i] = (int)((uint)(i * 7919 + t * 104729) % 1000003 % (uint)model.ActionCount);
                env.Step(actions);
                for (int i = 0; i < envCount; i++)
                {
                    bool done = env.Terminated[i] || env.Truncated[i];
                    int next = (int)(done ? env.FinalObservations[i] : env.Observations[i]);
                    var (start, count) = model.Outcomes((int)obs[i], actions[i]);
                    bool listed = false;
                    for (int k = start; k < start + count; k++)
                        listed |= model.NextState[k] == next && (float)model.Reward[k] == env.Rewards[i] && model.Terminated[k] == env.Terminated[i];
                    Assert.True(listed, $"{backend} env {i} step {t}: ({obs[i]}, {actions[i]}) -> ({next}, {env.Rewards[i]}, {env.Terminated[i]}) is not in the model");
                    if (done)
                    {
                        ended++;
                        Assert.True(model.InitialDistribution[(int)env.Observations[i]] > 0);
                    }
                    trace.Add(env.Observations[i]);
                    trace.Add(env.Rewards[i]);
                }
                obs = env.Observations.ToArray();
            }
            if (spec.MaxEpisodeSteps > 0 && spec.MaxEpisodeSteps <= steps) Assert.True(ended > 0);
            trajectories.Add(trace.ToArray());
        }
        Assert.Equal(trajectories[0], trajectories[1]);
        Assert.Equal(trajectories[0], trajectories[2]);
        Assert.Equal(trajectories[0], trajectories[3]);
    }

    [Theory]
    [InlineData(Backend.Cpu)]
    [InlineData(Backend.GpuCpuAccelerator)]
    public void AnyLoadedModelRunsAsAVectorEnv(Backend backend)
    {
        var model = TabularMdp.LoadCsv(Path.Combine(TabularTestData.Dir, "chain5.csv"));
        using var env = TabularVectorEnv.Create(model, 5, new VectorEnvOptions { Seed = 1, Backend = backend }, "chain5", maxEpisodeSteps: 50);
        Assert.Equal("chain5", env.Spec.Id);
        Assert.Equal(backend, env.Backend);
        // Always R: the chain ends after 4 steps with return −1 −1 −10 −1.
        for (int t = 0; t < 4; t++) env.Step([1, 1, 1, 1, 1]);
        Assert.All(env.Terminated.ToArray(), Assert.True);
        Assert.All(env.EpisodeReturns.ToArray(), r => Assert.Equal(-13f, r));
    }
}
