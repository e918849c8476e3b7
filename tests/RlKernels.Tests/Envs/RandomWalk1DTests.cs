using RlKernels.Envs.Registry;
using RlKernels.Envs.Runner;

namespace RlKernels.Tests.Envs;

/// <summary>
/// The continuous random walk of the lecture "Scaling up RL": x starts at 0, L/R move by ∓/± N(1, 0.25²),
/// reward −1 per action, terminated when x leaves [−3, 3].
/// </summary>
public class RandomWalk1DTests(ITestOutputHelper output)
{
    /// <summary>
    /// V^π(0) of the uniform random policy. The lecture shows "(0, −16)", but that is one sampled
    /// trajectory's return used as a training example, not the value: the lecture's own numbers (1k
    /// trajectories, ~12k samples) put the mean length near 12. An independent plain-Python Monte Carlo
    /// (random.gauss, float64, 10M episodes, written from the lecture's definition) gives
    /// V(0) = −11.435 ± 0.003 (standard error); the return's standard deviation is 8.96.
    /// <code>
    /// for _ in range(N):                      # N = 2M (seed 1) and 8M (seed 7): -11.4345, -11.4357
    ///     x, r = 0.0, 0
    ///     while -3 &lt;= x &lt;= 3:
    ///         l = random.gauss(1, 0.25); x = x + l if random.random() &lt; 0.5 else x - l; r -= 1
    /// </code>
    /// </summary>
    private const double TrueValue = -11.435, TrueValueError = 0.003;

    /// <summary>Running count, mean and sample standard deviation of the values added.</summary>
    private struct Moments
    {
        private double _sum, _sumSq;
        public long N { get; private set; }

        public void Add(double x)
        {
            _sum += x;
            _sumSq += x * x;
            N++;
        }

        public readonly double Mean => _sum / N;
        public readonly double Sd => Math.Sqrt((_sumSq - N * Mean * Mean) / (N - 1));
    }

    /// <summary>The CPU backends: lanes, scalar float32, scalar float64.</summary>
    public static TheoryData<Backend> CpuBackends => new(Backend.Cpu, Backend.CpuScalar, Backend.CpuDouble);

    [Theory]
    [MemberData(nameof(CpuBackends))]
    public void MonteCarloValueOfTheStartUnderTheUniformPolicy(Backend backend)
    {
        // Each env contributes exactly its first 25 episodes. Stopping every env after a fixed number of
        // episodes keeps them i.i.d.; cutting all envs at a common time instead would drop the episode
        // in progress, which is more likely a long one, and bias the mean towards 0.
        const int envCount = 4096, perEnv = 25;
        using var env = EnvRegistry.Make("RandomWalk1D-v0", envCount, new VectorEnvOptions { Backend = backend, Seed = 16 });
        var count = new int[envCount];
        int remaining = envCount;
        var returns = new Moments();
        for (int step = 0; remaining > 0; step++)
        {
            Assert.True(step < 5000, "episodes do not end");
            env.StepRandom(1);
            for (int i = 0; i < envCount; i++)
            {
                if (!(env.Terminated[i] || env.Truncated[i]) || count[i] == perEnv) continue;
                double g = env.EpisodeReturns[i];
                Assert.Equal(-env.EpisodeLengths[i], g);
                returns.Add(g);
                if (++count[i] == perEnv) remaining--;
            }
        }
        double mean = returns.Mean, sd = returns.Sd;
        long n = returns.N;
        double se = sd / Math.Sqrt(n);
        output.WriteLine($"{backend}: V(0) = {mean:F4} ± {se:F4} (SE) over {n} episodes, return sd {sd:F3}; reference {TrueValue} ± {TrueValueError}");
        Assert.True(n >= 100_000);
        // Five combined standard errors: a false failure is a 1-in-1.7-million event.
        double tolerance = 5 * Math.Sqrt(se * se + TrueValueError * TrueValueError);
        Assert.True(Math.Abs(mean - TrueValue) < tolerance, $"V(0) = {mean:F4} ± {se:F4}, expected {TrueValue} within {tolerance:F3}");
        Assert.InRange(sd, 8.6, 9.3);
    }

    [Theory]
    [MemberData(nameof(CpuBackends))]
    public void StepLengthsAreNormalWithMeanOneAndStdQuarter(Backend backend)
    {
        const int envCount = 20_000, steps = 3;
        using var env = EnvRegistry.Make("RandomWalk1D-v0", envCount, new VectorEnvOptions { Backend = backend, Seed = 4 });
        var actions = new int[envCount];
        for (int i = 0; i < envCount; i++) actions[i] = i % 2;
        var increments = new Moments[2]; // per action
        for (int t = 0; t < steps; t++)
        {
            float[] before = env.Observations.ToArray();
            env.Step(actions);
            for (int i = 0; i < envCount; i++)
            {
                Assert.Equal(-1f, env.Rewards[i]);
                bool ended = env.Terminated[i] || env.Truncated[i];
                double reached = ended ? env.FinalObservations[i] : env.Observations[i];
                // D1 decides on the float64 state, which may round to exactly ±3 in the float32 observation.
                Assert.True(ended == Math.Abs(reached) > 3 || Math.Abs(Math.Abs(reached) - 3) < 1e-6, $"env {i}: ended {ended} at x = {reached}");
                increments[actions[i]].Add(reached - before[i]);
            }
        }
        for (int a = 0; a < 2; a++)
        {
            double mean = increments[a].Mean, sd = increments[a].Sd;
            long n = increments[a].N;
            double seMean = 0.25 / Math.Sqrt(n), seSd = 0.25 / Math.Sqrt(2.0 * n);
            output.WriteLine($"{backend} action {(a == 0 ? "L" : "R")}: mean {mean:F5} (±{seMean:F5}), sd {sd:F5} (±{seSd:F5}) over {n} steps");
            Assert.True(Math.Abs(mean - (a == 0 ? -1 : 1)) < 5 * seMean, $"mean increment {mean}");
            Assert.True(Math.Abs(sd - 0.25) < 5 * seSd, $"increment sd {sd}");
        }
    }
}
