using RlKernels.Envs.Tabular;

namespace RlKernels.Tests.Tabular;

internal static class TabularTestData
{
    /// <summary>The toy-text P tables (data/reference/gymnasium-toytext, copied beside the test binaries).</summary>
    public static string Dir => TestPaths.ToyTextReferenceDir;

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
