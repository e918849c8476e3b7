using System.IO.Compression;
using System.Xml.Linq;
using RlKernels.Tests.Cli;
using RlKernels.Tests.Support;

namespace RlKernels.Tests.Native;

/// <summary>
/// `dotnet pack` of the three library projects into a local folder feed, then examples/dotnet restored from that
/// feed (into a private packages folder, so no stale copy in the user's NuGet cache can stand in), built and run.
/// </summary>
public sealed class PackageConsumerTests
{
    private static readonly string[] Libraries = ["Kernels", "Envs", "Algorithms"];

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void Packed_packages_carry_their_metadata_and_the_example_app_restores_builds_and_runs_from_them()
    {
        string root = NativePublish.RepoRoot;
        using var tmp = new TempDirectory("rlk-pack-");
        string feed = tmp.File("feed");
        foreach (string lib in Libraries)
        {
            // --no-build: the test project references these libraries, so their Release build exists.
            var pack = NativePublish.Run(CliRun.DotnetHost, ["pack", Path.Combine("src", lib, $"RlKernels.{lib}.csproj"), "-c", "Release",
                "--no-build", "-o", feed, "-v", "q", "-nologo"], root);
            Assert.True(pack.Code == 0, $"dotnet pack src/{lib} failed ({pack.Code}):\n{pack.Out}\n{pack.Err}");
            AssertPackage(feed, $"RlKernels.{lib}");
        }

        string app = tmp.File("app");
        Directory.CreateDirectory(app);
        foreach (string file in Directory.GetFiles(Path.Combine(root, "examples", "dotnet")))
            File.Copy(file, Path.Combine(app, Path.GetFileName(file)));
        // The feed is added to the sources the machine already has (no <clear/>): dependencies such as ILGPU still come from there.
        File.WriteAllText(Path.Combine(app, "NuGet.config"),
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration><packageSources><add key=\"rlkernels-local\" value=\"{feed}\" /></packageSources></configuration>\n");

        var restore = NativePublish.Run(CliRun.DotnetHost, ["restore", "--packages", tmp.File("packages"), "-nologo"], app);
        Assert.True(restore.Code == 0, $"restore of examples/dotnet failed ({restore.Code}):\n{restore.Out}\n{restore.Err}");
        var build = NativePublish.Run(CliRun.DotnetHost, ["build", "--no-restore", "-c", "Release", "-o", tmp.File("out"), "-nologo", "-v", "q"], app);
        Assert.True(build.Code == 0, $"build of examples/dotnet failed ({build.Code}):\n{build.Out}\n{build.Err}");
        // The app was compiled against the packed assemblies, not the repository's projects.
        Assert.True(File.Exists(tmp.File(Path.Combine("packages", "rlkernels.envs", "0.1.0", "lib", "net10.0", "RlKernels.Envs.dll"))));

        var run = NativePublish.Run(CliRun.DotnetHost, [tmp.File(Path.Combine("out", "RandomAgent.dll"))], app);
        Assert.True(run.Code == 0, $"RandomAgent exited {run.Code}:\n{run.Out}\n{run.Err}");
        Assert.Contains("stepped 4096 x 200 CartPole-v1 steps", run.Out);
        Assert.Contains("ppo trained", run.Out);
    }

    /// <summary>The .nupkg and its symbols package exist, and the nuspec carries the metadata a package page shows.</summary>
    private static void AssertPackage(string feed, string id)
    {
        string nupkg = Path.Combine(feed, $"{id}.0.1.0.nupkg");
        Assert.True(File.Exists(nupkg), $"{nupkg} missing; feed holds: {string.Join(", ", Directory.GetFiles(feed).Select(Path.GetFileName))}");
        Assert.True(File.Exists(Path.Combine(feed, $"{id}.0.1.0.snupkg")), $"{id}: no symbols package");
        using ZipArchive zip = ZipFile.OpenRead(nupkg);
        string[] entries = zip.Entries.Select(e => e.FullName).ToArray();
        Assert.Contains($"lib/net10.0/{id}.dll", entries);
        Assert.Contains($"lib/net10.0/{id}.xml", entries); // the API docs IntelliSense shows
        Assert.Contains("README.md", entries);

        ZipArchiveEntry nuspecEntry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using Stream s = nuspecEntry.Open();
        XElement metadata = XDocument.Load(s).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";
        Assert.Equal(id, Field("id"));
        Assert.Equal("0.1.0", Field("version"));
        Assert.True(Field("description").Length > 40, $"{id}: description missing or too short: '{Field("description")}'");
        Assert.Contains("reinforcement-learning", Field("tags"));
        Assert.Equal("README.md", Field("readme"));
    }
}
