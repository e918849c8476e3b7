using RlKernels.Tests.Support;

namespace RlKernels.Tests.Native;

/// <summary>examples/c/random_agent.c compiled with cc against include/rlkernels.h and the published librlkernels.so, then run.</summary>
public sealed class CExampleTests
{
    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void Random_agent_compiles_and_runs()
    {
        string lib = NativePublish.Dir;
        using var tmp = new TempDirectory("rlk-cexample-");
        string exe = tmp.File("random_agent");
        string root = NativePublish.RepoRoot;
        var cc = NativePublish.Run("cc", ["-O2", "-Wall", "-Werror", "-I" + Path.Combine(root, "include"), Path.Combine(root, "examples", "c", "random_agent.c"),
            "-L" + lib, "-lrlkernels", "-Wl,-rpath," + lib, "-o", exe], root);
        Assert.True(cc.Code == 0, $"cc failed:\n{cc.Err}");

        var run = NativePublish.Run(exe, ["CartPole-v1", "64", "300"], tmp.Path);
        Assert.True(run.Code == 0, $"random_agent exited {run.Code}:\n{run.Out}\n{run.Err}");
        Assert.Contains("rejected action: Action of env 0 is 2", run.Out);
        // Random CartPole episodes last about 22 steps: 64 envs over 300 steps end hundreds of them.
        string stats = run.Out.Split('\n').Single(l => l.StartsWith("rlkernels ", StringComparison.Ordinal));
        long episodes = long.Parse(stats.Split(' ').Single(w => w.StartsWith("episodes=", StringComparison.Ordinal))["episodes=".Length..]);
        double mean = double.Parse(stats.Split(' ').Single(w => w.StartsWith("mean_return=", StringComparison.Ordinal))["mean_return=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(episodes, 300, 2000);
        Assert.InRange(mean, 10, 40);

        var bad = NativePublish.Run(exe, ["NoSuch-v0", "4", "1"], tmp.Path);
        Assert.Equal(2, bad.Code);
        Assert.Contains("Unknown env id 'NoSuch-v0'", bad.Err);
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void C_observations_equal_the_dotnet_runner_for_every_env_and_precision()
    {
        const int n = 5, steps = 20, seed = 3;
        string lib = NativePublish.Dir;
        string root = NativePublish.RepoRoot;
        using var tmp = new TempDirectory("rlk-ctraj-");
        string exe = tmp.File("dump_trajectories");
        var cc = NativePublish.Run("cc", ["-O2", "-Wall", "-Werror", "-I" + Path.Combine(root, "include"),
            Path.Combine(root, "tests", "RlKernels.Tests", "Native", "dump_trajectories.c"),
            "-L" + lib, "-lrlkernels", "-Wl,-rpath," + lib, "-o", exe], root);
        Assert.True(cc.Code == 0, $"cc failed:\n{cc.Err}");
        var run = NativePublish.Run(exe, [tmp.Path, $"{n}", $"{steps}", $"{seed}"], tmp.Path);
        Assert.True(run.Code == 0, $"dump_trajectories exited {run.Code}:\n{run.Err}");
        PythonPackageTests.AssertDumpEqualsDotnet(tmp, "C", n, steps, seed);
    }
}
