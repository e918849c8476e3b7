using RlKernels.Algorithms.Deep;
using RlKernels.Algorithms.Device;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Nn;

namespace RlKernels.Tests.Gpu;

/// <summary>
/// Greedy evaluation on the device (<see cref="DeviceEvaluation"/>) on ILGPU's CPU accelerator: the same episodes and
/// returns as the host loop on the same backend, only the returns come back, the route is taken exactly where it
/// applies, and the kernel compiles to PTX for every env with discrete actions.
/// </summary>
public class DeviceEvaluationTests
{
    private const string Id = "CartPole-v1";

    /// <summary>A policy of <paramref name="pop"/> members with fresh normal parameters (σ 0.7: decisive logits, varied actions, no zeros).</summary>
    private static PolicyNet RandomPolicy(string id, int pop, int seed)
    {
        var spec = EnvRegistry.Get(id).Spec(EnvArgs.Empty);
        var net = new Mlp([spec.ObsSize, 16, 16, spec.Action.Count], Activation.Tanh, Activation.Identity, pop);
        var rng = new System.Random(seed);
        for (int i = 0; i < net.Parameters.Length; i++)
            net.Parameters[i] = (float)(0.7 * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        return new PolicyNet(spec, net, 0f);
    }

    [Theory]
    [InlineData(1, 11)]
    [InlineData(1, 12)]
    [InlineData(3, 5)]
    public void ItGivesTheHostLoopsReturnsOnTheSameEpisodes(int pop, int seed)
    {
        var policy = RandomPolicy(Id, pop, seed);
        const int episodes = 40;
        var options = new VectorEnvOptions { Backend = Backend.GpuCpuAccelerator, Seed = (ulong)seed };
        using IVectorEnv onDevice = EnvRegistry.Make(Id, pop * episodes, options);
        using IVectorEnv fromHost = EnvRegistry.Make(Id, pop * episodes, options);
        var device = DeviceEvaluation.TryRun(policy, episodes, onDevice);
        Assert.NotNull(device);
        var (hostMean, hostStd) = Evaluation.RunOnHost(policy, episodes, fromHost);
        for (int p = 0; p < pop; p++)
        {
            Assert.True(device.Value.Mean[p] > 9, $"member {p}: mean return {device.Value.Mean[p]}: the policy should not fail at once");
            Assert.Equal(hostMean[p], device.Value.Mean[p], 1e-9);
            Assert.Equal(hostStd[p], device.Value.Std[p], 1e-9);
        }
    }

    [Fact]
    public void EvaluationTakesTheDeviceOnADeviceBackend()
    {
        var policy = RandomPolicy(Id, 1, 2);
        DeviceEvaluation.t_runs = 0;
        var (mean, _) = Evaluation.Returns(policy, 24, 2, Backend.GpuCpuAccelerator);
        Assert.Equal(1, DeviceEvaluation.t_runs);
        using IVectorEnv env = EnvRegistry.Make(Id, 24, new VectorEnvOptions { Backend = Backend.GpuCpuAccelerator, Seed = 2 });
        Assert.Equal(Evaluation.RunOnHost(policy, 24, env).Mean[0], mean[0], 1e-9);
    }

    [Fact]
    public void OnlyTheReturnsComeBack()
    {
        var policy = RandomPolicy(Id, pop: 2, seed: 3);
        using IVectorEnv env = EnvRegistry.Make(Id, 2 * 25, new VectorEnvOptions { Backend = Backend.GpuCpuAccelerator, Seed = 3 });
        var transfers = new DeviceTransfers();
        var result = DeviceEvaluation.TryRun(policy, 25, env, transfers);
        Assert.NotNull(result);
        Assert.Equal(1, transfers.ToHostCopies);
        Assert.Equal(2 * 25 * sizeof(float), transfers.ToHostBytes);
        Assert.Equal(2, transfers.ToDeviceCopies); // the parameters and the network's shape, once
    }

    [Fact]
    public void TheRouteIsTakenOnlyWhereItApplies()
    {
        DeviceEvaluation.t_runs = 0;
        Evaluation.Returns(RandomPolicy(Id, 1, 1), 8, 1, Backend.Cpu);                    // a host backend
        var pendulum = EnvRegistry.Get("Pendulum-v1").Spec(EnvArgs.Empty);
        var continuous = new PolicyNet(pendulum, new Mlp([3, 8, 1], Activation.Tanh, Activation.Identity), 0f);
        Evaluation.Returns(continuous, 4, 1, Backend.GpuCpuAccelerator);                    // continuous actions
        Assert.Equal(0, DeviceEvaluation.t_runs);
        using IVectorEnv normalized = EnvRegistry.Make(Id, 8, new VectorEnvOptions
        {
            Backend = Backend.GpuCpuAccelerator, NormalizeObservations = new RlKernels.Envs.Wrappers.ObservationNormalization(),
        });
        Assert.Null(DeviceEvaluation.TryRun(RandomPolicy(Id, 1, 1), 8, normalized));        // a wrapped runner
    }

    [Theory]
    [MemberData(nameof(DeviceRolloutTests.DiscreteIds), MemberType = typeof(DeviceRolloutTests))]
    public void TheKernelCompilesToPtxWithoutExterns(string id)
    {
        var (env, parameters) = EnvRegistry.Get(id).GpuKernelTypes(EnvArgs.Empty);
        var kernel = Assert.Single(DeviceEvaluationKernels.All(env, parameters));
        PtxAssert.CompilesWithoutExterns(kernel, id);
    }
}
