using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Envs.Wrappers;

namespace RlKernels.Tests.Envs;

/// <summary>
/// Each observation wrapper against a plain reference computed on the host from the unwrapped env's
/// trajectory (same id, seed, backend and actions): hidden velocity keeps the listed features, a frame
/// stack is the last k observations (and actions) with the padding convention, normalization follows
/// Gymnasium's RunningMeanStd. Runs on cpu, cpu-scalar and ILGPU's CPU accelerator.
/// </summary>
public class WrapperTests
{
    private const int EnvCount = 37, Steps = 60;

    public static TheoryData<string, Backend> EnvsAndBackends()
    {
        var data = new TheoryData<string, Backend>();
        foreach (string id in EnvRegistry.IdsWhere(e => e.VelocityFeatures != 0)) // every env hide_velocity applies to
            foreach (Backend b in new[] { Backend.Cpu, Backend.CpuScalar, Backend.GpuCpuAccelerator })
                data.Add(id, b);
        return data;
    }

    /// <summary>The features hide_velocity keeps: those the env's declaration does not mark as velocities.</summary>
    private static int[] Kept(string id)
    {
        EnvEntry entry = EnvRegistry.Get(id);
        int obsSize = entry.Spec(EnvArgs.Empty).ObsSize;
        return Enumerable.Range(0, obsSize).Where(k => (entry.VelocityFeatures >> k & 1) == 0).ToArray();
    }

    private static IVectorEnv Make(string id, Backend backend, params string[] envArgs) =>
        EnvRegistry.Make(id, EnvCount, new VectorEnvOptions { Backend = backend, Seed = 11, MaxEpisodeSteps = 25 },
            EnvArgs.Parse(envArgs).Values);

    /// <summary>Fixed actions per (env, step): discrete indices or Box values; returned as floats for the action stack.</summary>
    private static float[] StepWith(IVectorEnv env, int t)
    {
        var space = env.Spec.Action;
        var values = new float[env.EnvCount];
        if (space.IsDiscrete)
        {
            var actions = new int[env.EnvCount];
            EnvTestKit.FillActions(actions, t, space.Count);
            env.Step(actions);
            for (int i = 0; i < actions.Length; i++) values[i] = actions[i];
            return values;
        }
        for (int i = 0; i < values.Length; i++)
            values[i] = space.Low + (space.High - space.Low) * EnvTestKit.ActionOf(i, t, 1001) / 1000f;
        env.Step(values);
        return values;
    }

    [Theory]
    [MemberData(nameof(EnvsAndBackends))]
    public void HiddenVelocityKeepsThePositionFeatures(string id, Backend backend)
    {
        using var plain = Make(id, backend);
        using var hidden = Make(id, backend, "hide_velocity=true");
        int[] kept = Kept(id);
        int n = plain.Spec.ObsSize, m = kept.Length;
        Assert.Equal(m, hidden.Spec.ObsSize);
        Assert.Equal(kept.Select(k => plain.Spec.ObsLow[k]), hidden.Spec.ObsLow);
        for (int t = -1; t < Steps; t++)
        {
            if (t >= 0)
            {
                StepWith(plain, t);
                StepWith(hidden, t);
            }
            for (int i = 0; i < EnvCount; i++)
            {
                for (int j = 0; j < m; j++)
                {
                    Assert.Equal(plain.Observations[i * n + kept[j]], hidden.Observations[i * m + j]);
                    if (t >= 0 && (plain.Terminated[i] || plain.Truncated[i]))
                        Assert.Equal(plain.FinalObservations[i * n + kept[j]], hidden.FinalObservations[i * m + j]);
                }
            }
            Assert.Equal(plain.Rewards.ToArray(), hidden.Rewards.ToArray());
            Assert.Equal(plain.Terminated.ToArray(), hidden.Terminated.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(EnvsAndBackends))]
    public void FrameStackIsTheLastKObservationsAndActions(string id, Backend backend)
    {
        CheckFrameStack(id, backend, k: 3, actions: true, resetPadding: true);
        CheckFrameStack(id, backend, k: 2, actions: false, resetPadding: false);
    }

    /// <summary>The largest CartPole stack: 17 frames and the first observation fill the 72 slots of the biggest history.</summary>
    [Theory]
    [InlineData(Backend.Cpu)]
    [InlineData(Backend.CpuScalar)]
    [InlineData(Backend.GpuCpuAccelerator)]
    public void FrameStackFillsTheLargestHistory(Backend backend)
    {
        Assert.Equal(EnvWrapperOptions.MaxStackSlots, 17 * 4 + 4);
        CheckFrameStack("CartPole-v1", backend, k: 17, actions: false, resetPadding: true);
    }

    [Fact]
    public void FrameStackOfHiddenVelocityStacksTheReducedObservation()
    {
        // Reference: the hidden-velocity env itself, stacked on the host.
        CheckFrameStack("CartPole-v1", Backend.Cpu, k: 4, actions: true, resetPadding: true, "hide_velocity=true");
    }

    private static void CheckFrameStack(string id, Backend backend, int k, bool actions, bool resetPadding, params string[] innerArgs)
    {
        string[] stackArgs = [.. innerArgs, $"frame_stack={k}", $"frame_stack_actions={actions}", $"frame_stack_padding={(resetPadding ? "reset" : "zero")}"];
        using var plain = Make(id, backend, innerArgs);
        using var stacked = Make(id, backend, stackArgs);
        int f = plain.Spec.ObsSize, size = k * f + (actions ? k : 0);
        Assert.Equal(size, stacked.Spec.ObsSize);

        // REFERENCE: per env, the stack as a plain array, rebuilt by hand.
        var expected = new float[EnvCount][];
        for (int i = 0; i < EnvCount; i++) expected[i] = Fresh(plain.Observations.Slice(i * f, f));
        AssertStacks("after reset");
        int ended = 0;
        for (int t = 0; t < Steps; t++)
        {
            float[] a = StepWith(plain, t);
            StepWith(stacked, t);
            for (int i = 0; i < EnvCount; i++)
            {
                bool done = plain.Terminated[i] || plain.Truncated[i];
                float[] last = done ? plain.FinalObservations.Slice(i * f, f).ToArray() : plain.Observations.Slice(i * f, f).ToArray();
                Push(expected[i], last, a[i]);
                if (!done) continue;
                ended++;
                Assert.True(expected[i].AsSpan().SequenceEqual(stacked.FinalObservations.Slice(i * size, size)),
                    $"{id} {backend} step {t} env {i}: final stack {Show(stacked.FinalObservations.Slice(i * size, size))}, expected {Show(expected[i])}");
                expected[i] = Fresh(plain.Observations.Slice(i * f, f));
            }
            AssertStacks($"step {t}");
        }
        Assert.True(ended > 0, "no episode ended: auto-reset of the stack was not exercised");

        float[] Fresh(ReadOnlySpan<float> obs)
        {
            var s = new float[size];
            for (int j = 0; j < k; j++)
                if (resetPadding || j == k - 1) obs.CopyTo(s.AsSpan(j * f, f));
            return s;
        }

        void Push(float[] s, float[] obs, float action)
        {
            Array.Copy(s, f, s, 0, (k - 1) * f);
            obs.CopyTo(s, (k - 1) * f);
            if (!actions) return;
            Array.Copy(s, k * f + 1, s, k * f, k - 1);
            s[size - 1] = action;
        }

        void AssertStacks(string where)
        {
            for (int i = 0; i < EnvCount; i++)
                Assert.True(expected[i].AsSpan().SequenceEqual(stacked.Observations.Slice(i * size, size)),
                    $"{id} {backend} {where} env {i}: stack {Show(stacked.Observations.Slice(i * size, size))}, expected {Show(expected[i])}");
        }
    }

    private static string Show(ReadOnlySpan<float> values) => "[" + string.Join(", ", values.ToArray()) + "]";

    [Theory]
    [InlineData("CartPole-v1", Backend.Cpu, 37)]
    [InlineData("CartPole-v1", Backend.Cpu, 4101)] // several threads, whole chunks and a tail
    [InlineData("Acrobot-v1", Backend.CpuScalar, 37)]
    [InlineData("Pendulum-v1", Backend.GpuCpuAccelerator, 37)]
    public void NormalizationFollowsGymnasiumRunningMeanStd(string id, Backend backend, int envCount)
    {
        var options = new VectorEnvOptions { Backend = backend, Seed = 5, MaxEpisodeSteps = 25 };
        using var plain = EnvRegistry.Make(id, envCount, options);
        using var normalized = EnvRegistry.Make(id, envCount, options, new Dictionary<string, string> { ["normalize_obs"] = "true", ["normalize_obs_clip"] = "5" });
        Assert.IsType<NormalizedVectorEnv>(normalized);
        int n = plain.Spec.ObsSize;

        // REFERENCE: gymnasium.wrappers.utils.RunningMeanStd in double, one update per batch.
        var mean = new double[n];
        var var = Enumerable.Repeat(1.0, n).ToArray();
        double count = 1e-4;
        for (int t = -1; t < 40; t++)
        {
            if (t >= 0)
            {
                var actions = new int[envCount];
                EnvTestKit.FillActions(actions, t, plain.Spec.Action.IsDiscrete ? plain.Spec.Action.Count : 1);
                if (plain.Spec.Action.IsDiscrete) { plain.Step(actions); normalized.Step(actions); }
                else { var v = actions.Select(x => (float)x).ToArray(); plain.Step(v); normalized.Step(v); }
            }
            ReadOnlySpan<float> raw = plain.Observations;
            for (int j = 0; j < n; j++)
            {
                double sum = 0, sq = 0;
                for (int i = 0; i < envCount; i++) sum += raw[i * n + j];
                double batchMean = sum / envCount;
                for (int i = 0; i < envCount; i++) sq += (raw[i * n + j] - batchMean) * (raw[i * n + j] - batchMean);
                double batchVar = sq / envCount, delta = batchMean - mean[j], total = count + envCount;
                double m2 = var[j] * count + batchVar * envCount + delta * delta * count * envCount / total;
                mean[j] += delta * envCount / total;
                var[j] = m2 / total;
            }
            count += envCount;
            var stats = ((NormalizedVectorEnv)normalized).Normalizer;
            for (int j = 0; j < n; j++)
            {
                Assert.True(Math.Abs(stats.Mean[j] - mean[j]) <= 1e-6 * (1 + Math.Abs(mean[j])), $"step {t} mean[{j}]: {stats.Mean[j]} vs {mean[j]}");
                Assert.True(Math.Abs(stats.Variance[j] - var[j]) <= 1e-5 * (1 + var[j]), $"step {t} var[{j}]: {stats.Variance[j]} vs {var[j]}");
            }
            for (int i = 0; i < envCount * n; i++)
            {
                int j = i % n;
                double e = Math.Clamp((raw[i] - mean[j]) / Math.Sqrt(var[j] + 1e-8), -5, 5);
                Assert.True(Math.Abs(normalized.Observations[i] - e) <= 1e-4 * (1 + Math.Abs(e)),
                    $"step {t} obs[{i / n}, {j}]: {normalized.Observations[i]} vs {e}");
            }
        }
    }

    [Fact]
    public void NormalizationAllocatesNothingPerStep()
    {
        using var env = EnvRegistry.Make("CartPole-v1", 4101, new VectorEnvOptions { NormalizeObservations = new ObservationNormalization() });
        var actions = new int[4101];
        for (int i = 0; i < 20; i++) env.Step(actions);
        // Tiered compilation can charge a one-off promotion to this thread (see AllocationTests); a real
        // per-step allocation shows in every round of 20 steps, so some round must allocate nothing.
        var rounds = new List<long>();
        for (int r = 0; r < 3 && (r == 0 || rounds[^1] != 0); r++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) env.Step(actions);
            rounds.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.True(rounds.Contains(0), $"every round of 20 normalized steps allocated: {string.Join(", ", rounds)} bytes");
    }

    [Theory]
    [InlineData("CartPole-v1", "frame_stack=0", "frame_stack='0' must be a whole number ≥ 1")]
    [InlineData("CartPole-v1", "frame_stack=-2", "frame_stack='-2' must be a whole number ≥ 1")]
    [InlineData("CartPole-v1", "frame_stack=four", "frame_stack='four' must be a whole number ≥ 1")]
    [InlineData("CartPole-v1", "frame_stack_actions=true", "need frame_stack=K")]
    [InlineData("CartPole-v1", "frame_stack=2,frame_stack_padding=edge", "must be 'reset' or 'zero'")]
    [InlineData("Acrobot-v1", "frame_stack=10,frame_stack_actions=true", "needs 76 slots")]
    [InlineData("CartPole-v1", "frame_stack=18", "needs 76 slots (18 × 4 features + 4 for the episode's first observation); at most 72 fit")]
    [InlineData("ChainWalk-v0", "hide_velocity=true", "ChainWalk-v0 has no velocity features")]
    [InlineData("RandomWalk1D-v0", "hide_velocity=true", "RandomWalk1D-v0 has no velocity features")]
    [InlineData("FrozenLake-v1", "hide_velocity=true", "does not take env argument(s) hide_velocity")]
    [InlineData("FrozenLake-v1", "frame_stack=4", "does not take env argument(s) frame_stack")]
    [InlineData("CartPole-v1", "normalize_obs=true,normalize_obs_clip=0", "normalize_obs_clip must be > 0")]
    [InlineData("CartPole-v1", "normalize_obs=true,normalize_obs_epsilon=-1", "normalize_obs_epsilon must be")]
    [InlineData("CartPole-v1", "normalize_obs_clip=10", "need normalize_obs=true")]
    [InlineData("CartPole-v1", "hide_velocity=maybe", "not a boolean")]
    public void BadWrapperOptionsAreClearErrors(string id, string envArgs, string message)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => EnvRegistry.Make(id, 4, null, EnvArgs.Parse(envArgs.Split(',')).Values));
        Assert.Contains(message, e.Message);
        var spec = Assert.ThrowsAny<ArgumentException>(() => EnvRegistry.Get(id).Spec(EnvArgs.Parse(envArgs.Split(','))));
        Assert.Contains(message, spec.Message);
    }

    [Fact]
    public void ConformanceStepperRejectsWrapperKeys()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            EnvRegistry.Get("CartPole-v1").CreateStepper(RlKernels.Envs.Conformance.StepperLane.D1, EnvArgs.Parse(["frame_stack=4"])));
        Assert.Contains("does not take env argument(s) frame_stack", e.Message);
    }
}
