using RlKernels.Envs.Runner;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Tests.Envs;

/// <summary>
/// Same seed, same trajectories on 1-, 4-, 8- and 16-wide lanes, for every registered env: the counter RNG
/// gives env i the same draws whatever lane it sits in, and the float lanes compute the same bits (see
/// CrossWidthLaneTests). Widths this process does not accelerate are left out (the .ci/run Vector128-only pass
/// covers 4 against 1).
/// </summary>
public class LaneWidthTrajectoryTests
{
    // Not a multiple of 16, 8 or 4: every width also runs a partial tail lane value.
    private const int EnvCount = 37, CallerSteps = 30, RandomSteps = 30;

    public static TheoryData<string> Ids => EnvTestKit.Theory(EnvTestKit.AllIds);

    private static Recording Record(string id, LaneKind lanes)
    {
        using var env = EnvTestKit.Make(id, lanes, EnvCount, new VectorEnvOptions { Seed = 2024 });
        Assert.Equal(EnvTestKit.Width(lanes), env.LaneWidth);
        // Discrete envs also take caller actions; every env takes the runner's own random actions.
        return EnvTestKit.Run(env, env.Spec.Action.IsDiscrete ? CallerSteps : 0, RandomSteps);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void SameSeedSameTrajectoriesOnEveryWidth(string id)
    {
        var simd = new[] { LaneKind.F4, LaneKind.F8, LaneKind.F16 }.Where(l => LaneSelection.IsAccelerated(EnvTestKit.Width(l))).ToList();
        Assert.SkipWhen(simd.Count == 0, "No SIMD width is accelerated here.");
        Recording scalar = Record(id, LaneKind.F1);
        Recording first = Record(id, simd[0]);
        foreach (LaneKind lanes in simd.Skip(1))
            Record(id, lanes).AssertSamePerEnv(first, $"{id}: {lanes} vs {simd[0]}");

        // RandomWalk1D draws its step lengths from N(1, 0.25²) by Box–Muller, whose logarithm is MathF.Log on
        // F1 and the vector Log on F4/F8/F16 (see CrossWidthLaneTests): those differ in the last bits, so only
        // there F1 is compared within a tolerance. Every other env is bit-identical on every width.
        if (id == "RandomWalk1D-v0")
            AssertClose(scalar, first, 1e-4, $"{id}: {simd[0]} vs F1");
        else
            first.AssertSamePerEnv(scalar, $"{id}: {simd[0]} vs F1");
    }

    /// <summary>Flags and episode lengths equal; observations, rewards and returns within rtol·(1+|x|).</summary>
    private static void AssertClose(Recording expected, Recording actual, double rtol, string what)
    {
        Assert.Equal(expected.Steps, actual.Steps);
        var bad = new List<string>();
        void Near(float e, float a, string where)
        {
            if (!(Math.Abs(e - a) <= rtol * (1 + Math.Abs(e)))) bad.Add($"{where}: {a:R} vs {e:R}");
        }
        for (int k = 0; k < expected.InitialObs.Length; k++) Near(expected.InitialObs[k], actual.InitialObs[k], $"initial obs[{k}]");
        for (int t = 0; t < expected.Steps; t++)
            for (int i = 0; i < expected.EnvCount; i++)
            {
                if (expected.Terminated[t][i] != actual.Terminated[t][i] || expected.Truncated[t][i] != actual.Truncated[t][i])
                    bad.Add($"step {t} env {i}: flags differ");
                Near(expected.Rewards[t][i], actual.Rewards[t][i], $"step {t} env {i} reward");
                for (int k = 0; k < expected.ObsSize; k++)
                    Near(expected.Obs[t][i * expected.ObsSize + k], actual.Obs[t][i * expected.ObsSize + k], $"step {t} env {i} obs[{k}]");
                if (!expected.Ended(t, i)) continue;
                Near(expected.EpisodeReturns[t][i], actual.EpisodeReturns[t][i], $"step {t} env {i} return");
                if (expected.EpisodeLengths[t][i] != actual.EpisodeLengths[t][i]) bad.Add($"step {t} env {i}: episode length differs");
            }
        Assert.True(bad.Count == 0, $"{what}: {bad.Count} differences; first: {string.Join("; ", bad.Take(5))}");
    }
}
