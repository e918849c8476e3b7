using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using RlKernels.Envs.Conformance;

namespace RlKernels.Tests.Conformance;

/// <summary>The in-repo reference data (data/reference) travels with the build and is found.</summary>
public class ReferenceDataTests
{
    /// <summary>
    /// Every file either manifest lists is beside the test binaries with the sha256 the manifest records:
    /// the build copied the data (rlk.csproj) and nobody edited a recorded file.
    /// </summary>
    [Theory]
    [InlineData(ReferenceData.ClassicControlFolder, 10)]
    [InlineData(ReferenceData.ToyTextFolder, 9)]
    public void CopyBesideTheBinariesMatchesItsManifest(string folder, int expectedFiles)
    {
        string dir = Path.Combine(TestPaths.ReferenceDir, folder);
        // Python's json module wrote the manifest: unbounded spaces appear as the non-standard Infinity.
        string text = Regex.Replace(File.ReadAllText(Path.Combine(dir, "manifest.json")), @"-?\bInfinity\b|\bNaN\b", "null");
        using var manifest = JsonDocument.Parse(text);
        var files = manifest.RootElement.GetProperty("files").EnumerateObject().ToList();
        Assert.Equal(expectedFiles, files.Count);
        foreach (JsonProperty file in files)
        {
            string path = Path.Combine(dir, file.Name);
            Assert.True(File.Exists(path), $"{path} is missing.");
            string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
            Assert.True(file.Value.GetProperty("sha256").GetString() == sha, $"{file.Name}: sha256 {sha} differs from manifest.json.");
        }
        Assert.True(File.Exists(Path.Combine(dir, "README.md")));
    }

    [Fact]
    public void FindRootPrefersTheCopyBesideTheBinaries()
    {
        Assert.Equal(Path.GetFullPath(TestPaths.ReferenceDir), ReferenceData.FindRoot());
        Assert.Equal(
            [Path.Combine(TestPaths.ReferenceDir, "gymnasium"), Path.Combine(TestPaths.ReferenceDir, "gymnasium-toytext")],
            ReferenceData.DefaultDirectories().Select(Path.GetFullPath).ToArray());
    }

    [Fact]
    public void FindRootFallsBackToTheCheckoutAboveAndElseIsNull()
    {
        using var temp = new TempDirectory();
        string nested = Directory.CreateDirectory(temp.File(Path.Combine("src", "Cli", "bin"))).FullName;
        Assert.Null(ReferenceData.FindRoot(nested));
        Assert.Throws<DirectoryNotFoundException>(() => ReferenceData.DefaultDirectories(nested));

        File.WriteAllText(temp.File("RlKernels.sln"), "");
        Assert.Null(ReferenceData.FindRoot(nested)); // a checkout without the data
        string data = temp.File(Path.Combine("data", "reference"));
        Directory.CreateDirectory(Path.Combine(data, "gymnasium"));
        Directory.CreateDirectory(Path.Combine(data, "gymnasium-toytext"));
        Assert.Equal(data, ReferenceData.FindRoot(nested));
        Assert.Equal([Path.Combine(data, "gymnasium"), Path.Combine(data, "gymnasium-toytext")], ReferenceData.DefaultDirectories(nested));
    }
}
