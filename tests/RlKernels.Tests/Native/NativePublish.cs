using System.Diagnostics;
using RlKernels.Tests.Cli;

namespace RlKernels.Tests.Native;

/// <summary>
/// One `dotnet publish src/Native` per test process (the README's set-up command, into a temp folder), shared by
/// the C example and Python package tests; also runs external programs with captured output.
/// </summary>
internal static class NativePublish
{
    private static readonly Lazy<string> Folder = new(Publish);

    /// <summary>The repository root (the folder holding RlKernels.sln above the test binaries).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The published folder holding librlkernels.so and the managed assemblies.</summary>
    public static string Dir => Folder.Value;

    /// <summary>Runs <paramref name="file"/> and returns its exit code and output; fails the test after <paramref name="timeoutSeconds"/>.</summary>
    public static (int Code, string Out, string Err) Run(string file, IEnumerable<string> args, string workDir,
        IReadOnlyDictionary<string, string>? environment = null, int timeoutSeconds = 300)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workDir,
        };
        foreach (string a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        using Process p = Process.Start(info)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish in {timeoutSeconds} s");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static string Publish()
    {
        string dir = Directory.CreateTempSubdirectory("rlk-native-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        // --no-build: the test project already built RlKernels.Native (it references it) in Release.
        var r = Run(CliRun.DotnetHost, ["publish", Path.Combine("src", "Native", "RlKernels.Native.csproj"), "-c", "Release", "--no-build", "-o", dir, "-v", "q", "-nologo"], RepoRoot);
        Assert.True(r.Code == 0, $"dotnet publish src/Native failed ({r.Code}):\n{r.Out}\n{r.Err}");
        Assert.True(File.Exists(Path.Combine(dir, "librlkernels.so")), "publish did not produce librlkernels.so");
        return dir;
    }

    private static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "RlKernels.sln")))
                return d.FullName;
        throw new DirectoryNotFoundException($"RlKernels.sln not found above {AppContext.BaseDirectory}.");
    }
}
