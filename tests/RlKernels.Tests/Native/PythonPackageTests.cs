using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;
using RlKernels.Tests.Support;

namespace RlKernels.Tests.Native;

/// <summary>
/// The Python package (python/rlkernels) over the published library: its pytest suite, and the same
/// observations as the .NET runner for every registered env in both precisions. Needs /usr/bin/python3 with
/// numpy and pytest (.ci/run installs python3-numpy and python3-pytest); skipped where they are missing.
/// </summary>
public sealed class PythonPackageTests
{
    private const string Python = "/usr/bin/python3";

    private static void RequirePython()
    {
        if (!File.Exists(Python) || NativePublish.Run(Python, ["-c", "import numpy, pytest"], NativePublish.RepoRoot).Code != 0)
            Assert.Skip($"{Python} with numpy and pytest is missing (.ci/run installs python3-numpy and python3-pytest).");
    }

    private static Dictionary<string, string> Env() => new() { ["RLKERNELS_NATIVE_DIR"] = NativePublish.Dir };

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void Pytest_suite_passes()
    {
        RequirePython();
        var r = NativePublish.Run(Python, ["-m", "pytest", "-q", "-p", "no:cacheprovider", Path.Combine("python", "tests")], NativePublish.RepoRoot, Env());
        Assert.True(r.Code == 0, $"pytest failed ({r.Code}):\n{r.Out}\n{r.Err}");
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void Python_observations_equal_the_dotnet_runner_for_every_env_and_precision()
    {
        RequirePython();
        const int n = 5, steps = 20, seed = 3;
        using var tmp = new TempDirectory("rlk-pytraj-");
        var r = NativePublish.Run(Python, [Path.Combine("python", "tests", "dump_trajectories.py"), tmp.Path, $"{n}", $"{steps}", $"{seed}"], NativePublish.RepoRoot, Env());
        Assert.True(r.Code == 0, $"dump_trajectories.py failed ({r.Code}):\n{r.Err}");
        AssertDumpEqualsDotnet(tmp, "Python", n, steps, seed);
    }

    /// <summary>
    /// The files of a dump_trajectories program (ids.txt, ENV-PRECISION.f32) equal the .NET runner's observations for
    /// every id it listed, in both precisions.
    /// </summary>
    internal static void AssertDumpEqualsDotnet(TempDirectory dump, string language, int n, int steps, int seed)
    {
        // The library's own registry (this test process registers extra test envs, so not EnvRegistry.Ids).
        string[] ids = File.ReadAllLines(dump.File("ids.txt")).Where(l => l.Length > 0).ToArray();
        Assert.Contains("CartPole-v1", ids);
        Assert.Contains("Pendulum-v1", ids);
        foreach (string id in ids)
        {
            foreach (var (precision, backend) in new[] { ("float32", Backend.Cpu), ("float64", Backend.CpuDouble) })
            {
                byte[] bytes = File.ReadAllBytes(dump.File($"{id}-{precision}.f32"));
                float[] fromDump = new float[bytes.Length / 4];
                Buffer.BlockCopy(bytes, 0, fromDump, 0, bytes.Length);
                float[] fromDotnet = Trajectory(id, backend, n, steps, seed);
                Assert.True(fromDotnet.AsSpan().SequenceEqual(fromDump), $"{id} {precision}: {language} observations differ from the .NET runner's");
            }
        }
    }

    // The same action formula as python/tests/dump_trajectories.py and Native/dump_trajectories.c.
    private static float[] Trajectory(string id, Backend backend, int n, int steps, int seed)
    {
        using IVectorEnv env = EnvRegistry.Make(id, n, new VectorEnvOptions { Backend = backend, Seed = (ulong)seed, AutoReset = AutoResetMode.NextStep });
        env.Reset((ulong)seed);
        var rows = new List<float>(env.Observations.ToArray());
        var action = env.Spec.Action;
        for (int t = 0; t < steps; t++)
        {
            if (action.IsDiscrete)
                env.Step(Enumerable.Range(0, n).Select(i => (i * 7 + t * 3) % action.Count).ToArray());
            else
                env.Step(Enumerable.Range(0, n).Select(i => (float)(action.Low + (action.High - (double)action.Low) * ((i * 7 + t * 3) % 11) / 10.0)).ToArray());
            rows.AddRange(env.Observations.ToArray());
        }
        return rows.ToArray();
    }
}
