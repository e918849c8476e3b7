using RlKernels.Envs.Tabular;
using Xunit;

namespace RlKernels.Tests.Tabular;

internal static class TabularTestData
{
    /// <summary>
    /// shared/reference/gymnasium-toytext, found by walking up from the test binaries until a directory
    /// holding shared/reference appears (CI clones the repo elsewhere with shared/ beside it).
    /// </summary>
    public static string Dir { get; } = FindDir();

    private static string FindDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "reference");
            if (Directory.Exists(candidate)) return Path.Combine(candidate, "gymnasium-toytext");
        }
        throw new DirectoryNotFoundException($"No shared/reference above {AppContext.BaseDirectory}.");
    }

    /// <summary>Same sizes, and every outcome and initial probability identical to the last bit.</summary>
    public static void AssertExactlyEqual(TabularMdp expected, TabularMdp actual)
    {
        Assert.Equal(expected.StateCount, actual.StateCount);
        Assert.Equal(expected.ActionCount, actual.ActionCount);
        for (int s = 0; s < expected.StateCount; s++)
        {
            Assert.True(expected.InitialDistribution[s] == actual.InitialDistribution[s],
                $"initial distribution at state {s}: expected {expected.InitialDistribution[s]:R}, got {actual.InitialDistribution[s]:R}");
            for (int a = 0; a < expected.ActionCount; a++)
            {
                var (e0, en) = expected.Outcomes(s, a);
                var (a0, count) = actual.Outcomes(s, a);
                Assert.True(en == count, $"(s={s}, a={a}): expected {en} outcomes, got {count}");
                for (int k = 0; k < en; k++)
                {
                    var want = (expected.Probability[e0 + k], expected.NextState[e0 + k], expected.Reward[e0 + k], expected.Terminated[e0 + k]);
                    var got = (actual.Probability[a0 + k], actual.NextState[a0 + k], actual.Reward[a0 + k], actual.Terminated[a0 + k]);
                    Assert.True(want == got, $"(s={s}, a={a}, outcome {k}): expected {want}, got {got}");
                }
            }
        }
    }
}
