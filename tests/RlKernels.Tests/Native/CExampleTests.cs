using RlKernels.Tests.Support;

namespace RlKernels.Tests.Native;

/// <summary>examples/c/random_agent.c compiled with cc against include/rlkernels.h and the published librlkernels.so, then run.</summary>
public sealed class CExampleTests
{
    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void Random_agent_compiles_and_runs()
    {
        using var tmp = new TempDirectory("rlk-cexample-");
        string exe = CompileAgainstLibrary(Path.Combine("examples", "c", "random_agent.c"), tmp);

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
        using var tmp = new TempDirectory("rlk-ctraj-");
        string exe = CompileAgainstLibrary(Path.Combine("tests", "RlKernels.Tests", "Native", "dump_trajectories.c"), tmp);
        var run = NativePublish.Run(exe, [tmp.Path, $"{n}", $"{steps}", $"{seed}"], tmp.Path);
        Assert.True(run.Code == 0, $"dump_trajectories exited {run.Code}:\n{run.Err}");
        PythonPackageTests.AssertDumpEqualsDotnet(tmp, "C", n, steps, seed);
    }

    /// <summary>
    /// <paramref name="source"/> (relative to the repository root) compiled with cc, warnings as errors, against
    /// include/rlkernels.h and the published librlkernels.so (found at run time through rpath); returns the program's
    /// path in <paramref name="tmp"/>.
    /// </summary>
    private static string CompileAgainstLibrary(string source, TempDirectory tmp)
    {
        string lib = NativePublish.Dir, root = NativePublish.RepoRoot;
        string exe = tmp.File(Path.GetFileNameWithoutExtension(source));
        var cc = NativePublish.Run("cc", ["-O2", "-Wall", "-Werror", "-I" + Path.Combine(root, "include"), Path.Combine(root, source),
            "-L" + lib, "-lrlkernels", "-Wl,-rpath," + lib, "-o", exe], root);
        Assert.True(cc.Code == 0, $"cc failed:\n{cc.Err}");
        return exe;
    }
}
