using ILGPU;
using ILGPU.Runtime;
using RlKernels.Algorithms.Device;
using RlKernels.Envs;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Gpu;
using RlKernels.Kernels.Lanes;
using RlKernels.Kernels.Nn;
using RlKernels.Kernels.Random;
using RlKernels.Tests.Kernels;

namespace RlKernels.Tests.Gpu;

/// <summary>
/// The fused device rollout on ILGPU's CPU accelerator against the CPU: the env part replayed on the
/// cpu-scalar runner with the device's actions matches exactly; log-probabilities and values match the CPU
/// networks on the same parameters; sampled actions match a float64 inversion of the same Philox draw
/// (away from CDF ties); only the scalar metrics come back; every kernel compiles to PTX.
/// </summary>
public class DeviceRolloutTests
{
    private const int Pop = 2, N = 5, T = 24, Rollouts = 2, MaxSteps = 15;
    private const string Id = "CartPole-v1";

    /// <summary>A network with fresh normal parameters (σ 0.7: logits far enough apart that actions vary, no zeros).</summary>
    private static Mlp RandomNet(int[] sizes, System.Random rng)
    {
        var net = new Mlp(sizes, Activation.Tanh, Activation.Identity, Pop);
        for (int i = 0; i < net.Parameters.Length; i++)
            net.Parameters[i] = (float)(0.7 * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        return net;
    }

    private sealed class Run
    {
        public required Mlp Policy, Critic;
        public required ulong EnvSeed;
        public required ulong[] Seeds;
        public required float[][] Obs, LogProbs, Values, Rewards, FinalValues, LastValues, Metrics;
        public required int[][] Actions;
        public required byte[][] Terminated, Truncated;
        public required DeviceTransfers Transfers;
        public required int Seed;
        public required int MaxSteps;
    }

    private static VectorEnvOptions Options(Backend backend, ulong seed, int maxSteps) => new() { Backend = backend, Seed = seed, MaxEpisodeSteps = maxSteps };

    /// <summary>Runs <see cref="Rollouts"/> device rollouts and downloads everything (test-side copies, not through the hook).</summary>
    /// <param name="maxSteps">The time limit.</param>
    /// <param name="pushRight">Bias the policy's last layer so it (almost) always pushes right: every episode then
    /// terminates within a few dozen steps, whatever the random weights.</param>
    /// <param name="runCritic">The launch runs the critic (false: plain REINFORCE's rollout).</param>
    /// <param name="seed">The draw of networks and seeds (default a fresh one).</param>
    private static Run RunDevice(int maxSteps = MaxSteps, bool pushRight = false, bool runCritic = true, int? seed = null)
    {
        seed ??= KernelAssert.FreshSeed();
        var rng = new System.Random(seed.Value);
        Mlp policy = RandomNet([4, 16, 16, 2], rng), critic = RandomNet([4, 16, 16, 1], rng);
        // Last layer at 0.3×: logit gaps of about one unit, so both actions are drawn often (never a near-deterministic member).
        foreach (ref float v in policy.Weight(policy.LayerCount - 1)) v *= 0.3f;
        foreach (ref float v in policy.Bias(policy.LayerCount - 1)) v *= 0.3f;
        if (pushRight)
            for (int p = 0; p < Pop; p++) policy.Bias(policy.LayerCount - 1)[2 * p + 1] = 30f;
        ulong envSeed = (ulong)rng.NextInt64();
        ulong[] seeds = [(ulong)rng.NextInt64(), (ulong)rng.NextInt64()];
        var transfers = new DeviceTransfers();
        using var env = (GpuVectorEnv<CartPole<F1>, CartPoleParams>)EnvRegistry.Make(Id, Pop * N, Options(Backend.GpuCpuAccelerator, envSeed, maxSteps));
        Accelerator acc = env.Device.Accelerator;
        using var policyParams = acc.Allocate1D(policy.Parameters);
        using var criticParams = acc.Allocate1D(critic.Parameters);
        using var rollout = new DeviceRollout<CartPole<F1>, CartPoleParams>(env, policy, policyParams.View, critic, criticParams.View, seeds, T, transfers, runCritic);
        var run = new Run
        {
            Policy = policy, Critic = critic, EnvSeed = envSeed, Seeds = seeds, Transfers = transfers, Seed = seed.Value, MaxSteps = maxSteps,
            Obs = new float[Rollouts][], LogProbs = new float[Rollouts][], Values = new float[Rollouts][], Rewards = new float[Rollouts][],
            FinalValues = new float[Rollouts][], LastValues = new float[Rollouts][], Metrics = new float[Rollouts][],
            Actions = new int[Rollouts][], Terminated = new byte[Rollouts][], Truncated = new byte[Rollouts][],
        };
        transfers.Reset();
        for (int k = 0; k < Rollouts; k++)
        {
            Assert.Equal((uint)(k * T), rollout.SampleStep);
            rollout.Collect();
            run.Metrics[k] = rollout.ReadEpisodeMetrics().ToArray();
            DeviceRolloutViews v = rollout.Views;
            run.Obs[k] = v.Obs.GetAsArray();
            run.Actions[k] = v.Actions.GetAsArray();
            run.LogProbs[k] = v.LogProbs.GetAsArray();
            run.Values[k] = v.Values.GetAsArray();
            run.Rewards[k] = v.Rewards.GetAsArray();
            run.FinalValues[k] = v.FinalValues.GetAsArray();
            run.LastValues[k] = v.LastValues.GetAsArray();
            run.Terminated[k] = v.Terminated.GetAsArray();
            run.Truncated[k] = v.Truncated.GetAsArray();
        }
        return run;
    }

    private static int Index(int p, int t, int i) => (p * T + t) * N + i;

    /// <summary>
    /// A 6-step limit truncates every episode that lives 6 steps (CartPole cannot fall that fast), and a policy
    /// that always pushes right terminates every episode (falls) before the 500-step limit: both kinds of end,
    /// and their bootstraps, are checked for certain.
    /// </summary>
    [Theory]
    [InlineData(6, false)]
    [InlineData(500, true)]
    public void EnvPartEqualsTheCpuRunnerReplayingTheSameActions(int maxSteps, bool pushRight)
    {
        Run d = RunDevice(maxSteps, pushRight);
        using var cpu = EnvRegistry.Make(Id, Pop * N, Options(Backend.CpuScalar, d.EnvSeed, d.MaxSteps));
        var actions = new int[Pop * N];
        var finalValue = new float[Pop * N];
        int terminations = 0, truncations = 0;
        for (int k = 0; k < Rollouts; k++)
        {
            var sums = new double[2 * Pop];
            for (int t = 0; t < T; t++)
            {
                for (int p = 0; p < Pop; p++)
                    for (int i = 0; i < N; i++)
                    {
                        int e = p * N + i, s = Index(p, t, i);
                        for (int f = 0; f < 4; f++)
                            Assert.True(cpu.Observations[e * 4 + f] == d.Obs[k][s * 4 + f], $"seed {d.Seed}: rollout {k} t {t} env {e} obs[{f}]: cpu {cpu.Observations[e * 4 + f]} device {d.Obs[k][s * 4 + f]}");
                        actions[e] = d.Actions[k][s];
                    }
                cpu.Step(actions);
                d.Critic.Forward(cpu.FinalObservations, N, finalValue);
                for (int p = 0; p < Pop; p++)
                    for (int i = 0; i < N; i++)
                    {
                        int e = p * N + i, s = Index(p, t, i);
                        string where = $"seed {d.Seed}: rollout {k} t {t} env {e}";
                        Assert.True(cpu.Rewards[e] == d.Rewards[k][s], $"{where} reward");
                        Assert.True(cpu.Terminated[e] == (d.Terminated[k][s] == 1), $"{where} terminated");
                        Assert.True(cpu.Truncated[e] == (d.Truncated[k][s] == 1), $"{where} truncated");
                        bool bootstrap = cpu.Truncated[e] && !cpu.Terminated[e];
                        float expected = bootstrap ? finalValue[e] : 0f;
                        Assert.True(Math.Abs(expected - d.FinalValues[k][s]) <= 1e-5 + 1e-5 * Math.Abs(expected), $"{where} final value {expected} vs {d.FinalValues[k][s]}");
                        if (cpu.Terminated[e] || cpu.Truncated[e])
                        {
                            if (cpu.Terminated[e]) terminations++;
                            if (bootstrap) truncations++;
                            sums[2 * p] += cpu.EpisodeReturns[e];
                            sums[2 * p + 1] += 1;
                        }
                    }
            }
            for (int j = 0; j < 2 * Pop; j++)
                Assert.True(Math.Abs(sums[j] - d.Metrics[k][j]) <= 1e-4 * Math.Max(1, sums[j]), $"seed {d.Seed}: rollout {k} metric {j}: {sums[j]} vs {d.Metrics[k][j]}");
            var last = new float[Pop * N];
            d.Critic.Forward(cpu.Observations, N, last);
            KernelAssert.AllClose($"seed {d.Seed}: last values", last.Select(v => (double)v).ToArray(), d.LastValues[k].Select(v => (double)v).ToArray(), 1e-5, 1e-5);
        }
        Assert.True(pushRight ? terminations > 0 : truncations > 0, $"seed {d.Seed}: {terminations} terminations, {truncations} truncations");
    }

    [Fact]
    public void LogProbsAndValuesMatchTheCpuNetworks()
    {
        Run d = RunDevice();
        int rows = T * N;
        for (int k = 0; k < Rollouts; k++)
        {
            var logits = new float[Pop * rows * 2];
            var logProb = new float[Pop * rows];
            var values = new float[Pop * rows];
            d.Policy.Forward(d.Obs[k], rows, logits);
            Categorical.LogProb(logits, d.Actions[k], Pop * rows, 2, logProb);
            d.Critic.Forward(d.Obs[k], rows, values);
            KernelAssert.AllClose($"seed {d.Seed}: log-probs, rollout {k}", logProb.Select(v => (double)v).ToArray(), d.LogProbs[k].Select(v => (double)v).ToArray(), 1e-5, 1e-5);
            KernelAssert.AllClose($"seed {d.Seed}: values, rollout {k}", values.Select(v => (double)v).ToArray(), d.Values[k].Select(v => (double)v).ToArray(), 1e-5, 1e-5);
        }
    }

    [Fact]
    public void WithoutTheCriticTheTrajectoryIsTheSameAndEveryValueIsZero()
    {
        int seed = KernelAssert.FreshSeed();
        Run with = RunDevice(seed: seed), without = RunDevice(runCritic: false, seed: seed);
        for (int k = 0; k < Rollouts; k++)
        {
            Assert.Equal(with.Obs[k], without.Obs[k]);
            Assert.Equal(with.Actions[k], without.Actions[k]);
            Assert.Equal(with.LogProbs[k], without.LogProbs[k]);
            Assert.Equal(with.Rewards[k], without.Rewards[k]);
            Assert.Equal(with.Terminated[k], without.Terminated[k]);
            Assert.Equal(with.Truncated[k], without.Truncated[k]);
            Assert.Equal(with.Metrics[k], without.Metrics[k]);
            Assert.Contains(with.Values[k], v => v != 0f);
            Assert.All(without.Values[k].Concat(without.FinalValues[k]).Concat(without.LastValues[k]), v => Assert.Equal(0f, v));
        }
    }

    /// <summary>
    /// Each action is the float64 inversion of the same Philox draw (member p's seed, counter (row, step)) under
    /// the CPU logits; rows whose u lies within 1e-5 of a CDF boundary may differ by rounding and are skipped.
    /// </summary>
    [Fact]
    public void ActionsInvertTheCpuKeyedPhiloxDraw()
    {
        Run d = RunDevice();
        int rows = T * N, checkedRows = 0, classes = 0;
        for (int k = 0; k < Rollouts; k++)
        {
            var logits = new float[Pop * rows * 2];
            d.Policy.Forward(d.Obs[k], rows, logits);
            for (int p = 0; p < Pop; p++)
            {
                Philox4x32.KeyFromSeed(d.Seeds[p], out uint k0, out uint k1);
                for (int t = 0; t < T; t++)
                    for (int i = 0; i < N; i++)
                    {
                        int s = Index(p, t, i);
                        Philox4x32.Block((uint)i, (uint)(k * T + t), Categorical.SamplePurpose, 0, k0, k1, out uint bits, out _, out _, out _);
                        double u = (bits >> 8) / 16777216.0;
                        double z0 = logits[2 * s], z1 = logits[2 * s + 1], max = Math.Max(z0, z1);
                        double p0 = Math.Exp(z0 - max) / (Math.Exp(z0 - max) + Math.Exp(z1 - max));
                        if (Math.Abs(p0 - u) < 1e-5) continue;
                        int expected = p0 > u ? 0 : 1;
                        Assert.True(expected == d.Actions[k][s], $"seed {d.Seed}: rollout {k} member {p} t {t} row {i}: p0 {p0} u {u}, device chose {d.Actions[k][s]}");
                        checkedRows++;
                        classes |= 1 << expected;
                    }
            }
        }
        Assert.True(checkedRows > Rollouts * Pop * rows * 9 / 10, $"seed {d.Seed}: only {checkedRows} rows away from ties");
        Assert.Equal(3, classes); // both classes drawn
    }

    [Fact]
    public void OnlyTheScalarMetricsComeBack()
    {
        Run d = RunDevice();
        // Per rollout: one launch (no copy) and one read of the [P, 2] metrics; nothing goes up.
        Assert.Equal(Rollouts, d.Transfers.ToHostCopies);
        Assert.Equal(Rollouts * 2L * Pop * sizeof(float), d.Transfers.ToHostBytes);
        Assert.Equal(0, d.Transfers.ToDeviceCopies);
    }

    public static TheoryData<string> DiscreteIds()
    {
        var data = new TheoryData<string>();
        foreach (string id in EnvRegistry.IdsWhere(e => e.Spec(EnvArgs.Empty).Action.IsDiscrete)) data.Add(id);
        return data;
    }

    [Theory]
    [MemberData(nameof(DiscreteIds))]
    public void RolloutKernelsCompileToPtxWithoutExterns(string id)
    {
        var (env, parameters) = EnvRegistry.Get(id).GpuKernelTypes(EnvArgs.Empty);
        var kernels = DeviceRolloutKernels.All(env, parameters);
        Assert.Equal(2, kernels.Count);
        foreach (var kernel in kernels) PtxAssert.CompilesWithoutExterns(kernel, id);
    }
}
