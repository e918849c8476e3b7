using RlKernels.Envs.Conformance;
using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Kernels.Gpu;

namespace RlKernels.Tests.Envs;

/// <summary>
/// The guide's test env (<see cref="Corridor{T}"/>, registered by <see cref="TestEnvRegistration"/>) on every
/// CPU backend and ILGPU's CPU accelerator, compiled to PTX, under the wrappers and in the conformance stepper.
/// It proves docs/adding-an-env.md: Corridor.cs and the one line in TestEnvRegistration are all it took.
/// Its values are whole cells over 10, so every backend must agree exactly.
/// </summary>
public class CorridorTests
{
    private const int EnvCount = 53, Steps = 200;

    [Fact]
    public void IsRegistered() => Assert.Contains("Corridor-v0", EnvRegistry.Ids);

    [Fact]
    public void EveryBackendGivesTheSameTrajectory()
    {
        Backend[] backends = [Backend.Cpu, Backend.CpuScalar, Backend.CpuDouble, Backend.GpuCpuAccelerator];
        var recordings = backends.Select(b =>
        {
            using var env = EnvRegistry.Make("Corridor-v0", EnvCount, new VectorEnvOptions { Backend = b, Seed = 3 },
                new Dictionary<string, string> { ["length"] = "6", ["slip"] = "0.2" });
            return EnvTestKit.Run(env, Steps / 2, Steps / 2);
        }).ToList();
        var reference = recordings[0];
        int goals = 0;
        for (int r = 1; r < recordings.Count; r++)
        {
            Assert.Equal(reference.InitialObs, recordings[r].InitialObs);
            for (int t = 0; t < reference.Steps; t++)
            {
                Assert.True(reference.Obs[t].SequenceEqual(recordings[r].Obs[t]), $"{backends[r]} step {t}: observations differ");
                Assert.True(reference.Terminated[t].SequenceEqual(recordings[r].Terminated[t]), $"{backends[r]} step {t}: terminated differs");
            }
        }
        for (int t = 0; t < reference.Steps; t++) goals += reference.Terminated[t].Count(x => x);
        Assert.True(goals > 0, "no walker reached the goal");
    }

    [Fact]
    public void ObservationsStayInBounds()
    {
        using var env = EnvRegistry.Make("Corridor-v0", EnvCount);
        for (int t = 0; t < Steps; t++)
        {
            env.StepRandom(1);
            for (int i = 0; i < env.Observations.Length; i++)
            {
                int k = i % env.Spec.ObsSize;
                Assert.InRange(env.Observations[i], env.Spec.ObsLow[k], env.Spec.ObsHigh[k]);
            }
        }
    }

    [Theory]
    [InlineData("length=1.5", "length=1.5 must be a whole number")]
    [InlineData("slip=2", "slip=2 must be a probability")]
    [InlineData("width=3", "does not take env argument(s) width")]
    public void BadOptionsAreClearErrors(string arg, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => EnvRegistry.Make("Corridor-v0", 4, null, EnvArgs.Parse([arg]).Values));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void RegisteringAnIdTwiceIsAnError()
    {
        var e = Assert.Throws<ArgumentException>(EnvRegistry.Register<CorridorDeclaration, CorridorParams>);
        Assert.Contains("Corridor-v0", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hide_velocity=true,frame_stack=3,frame_stack_actions=true")]
    public void KernelsCompileToPtxWithoutExterns(string envArgs)
    {
        var args = envArgs == "" ? EnvArgs.Empty : EnvArgs.Parse(envArgs.Split(','));
        var (env, parameters) = EnvRegistry.Get("Corridor-v0").GpuKernelTypes(args);
        var kernels = GpuEnvKernels.All(env, parameters);
        Assert.NotEmpty(kernels);
        foreach (var kernel in kernels)
        {
            string ptx = PtxCompiler.Compile(kernel);
            Assert.Contains(".entry", ptx);
            Assert.Empty(PtxCompiler.UnresolvedExterns(ptx));
        }
    }

    [Theory]
    [InlineData(Backend.Cpu)]
    [InlineData(Backend.CpuScalar)]
    [InlineData(Backend.CpuDouble)]
    [InlineData(Backend.GpuCpuAccelerator)]
    public void WrappersRunOnEveryBackend(Backend backend)
    {
        using var env = EnvRegistry.Make("Corridor-v0", EnvCount, new VectorEnvOptions { Backend = backend, Seed = 3 },
            new Dictionary<string, string> { ["hide_velocity"] = "true", ["frame_stack"] = "3", ["normalize_obs"] = "true" });
        Assert.Equal(3, env.Spec.ObsSize); // the position alone, three frames
        var rec = EnvTestKit.Run(env, Steps / 2, Steps / 2);
        Assert.All(rec.Obs, obs => Assert.All(obs, x => Assert.True(float.IsFinite(x))));
    }

    [Fact]
    public void ConformanceStepperStepsRows()
    {
        var stepper = EnvRegistry.Get("Corridor-v0").CreateStepper(StepperLane.D1, new EnvArgs(new Dictionary<string, string> { ["slip"] = "0" }));
        Assert.Equal("Corridor-v0", stepper.Spec.Id);
        // Two rows (position, last move): a step right from 0 and a step left from 3.
        double[] states = [0, 0, 3, 0], actions = [2, 0];
        var nextObs = new double[2 * stepper.Spec.ObsSize];
        var nextStates = new double[4];
        var rewards = new double[2];
        var terminated = new bool[2];
        stepper.Step(2, states, actions, nextObs, nextStates, rewards, terminated);
        Assert.Equal([1, 1, 2, -1], nextStates);
        Assert.Equal([false, false], terminated);
    }
}
