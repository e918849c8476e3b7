using RlKernels.Algorithms.Deep;
using RlKernels.Tests.Nn;
using RlKernels.Tests.Reference;
using Xunit;

namespace RlKernels.Tests.Algorithms;

/// <summary>SAC's tanh-squashed Gaussian against float64 (log-prob with the change of variables, its reparameterization gradient by finite differences), and bad configs.</summary>
public class SacTests : NnTest
{
    // log π in float64: Σ_d log N(u; μ, σ) − log(half·(1 − tanh²u) + ε), u = μ + σz.
    private static double[] LogProbReference(double[] mean, double[] logStd, double[] z, int rows, int a, double half)
    {
        var lp = new double[rows];
        for (int r = 0; r < rows; r++)
            for (int d = 0; d < a; d++)
            {
                int i = r * a + d;
                double s = Math.Exp(logStd[i]), u = mean[i] + s * z[i], t = Math.Tanh(u);
                double gauss = -0.5 * Math.Pow((u - mean[i]) / s, 2) - Math.Log(s) - 0.5 * Math.Log(2 * Math.PI);
                lp[r] += gauss - Math.Log(half * (1 - t * t) + TanhGaussian.JacobianEpsilon);
            }
        return lp;
    }

    [Fact]
    public void LogProbMatchesAFloat64Reference()
    {
        const int R = 13, A = 3;
        const float half = 2f, mid = 0.5f;
        var (mean, meanD) = _data.Pair(R * A, 1.5);
        var (logStd, logStdD) = _data.Pair(R * A, 1);
        var (z, zD) = _data.Pair(R * A, 2);
        float[] squashed = new float[R * A], actions = new float[R * A], lp = NnTestData.Poisoned(R);
        TanhGaussian.Sample(mean, logStd, z, R, A, mid, half, squashed, actions, lp);
        _data.Close(LogProbReference(meanD, logStdD, zD, R, A, half), lp, "log π", 1e-4, 1e-5);
        for (int i = 0; i < R * A; i++)
        {
            double t = Math.Tanh(meanD[i] + Math.Exp(logStdD[i]) * zD[i]);
            Assert.True(Math.Abs(mid + half * t - actions[i]) < 1e-5, $"action {i} (seed {_data.Seed})");
        }
    }

    [Fact]
    public void BackwardMatchesFiniteDifferencesOfTheReference()
    {
        const int R = 5, A = 2;
        const double half = 1.5;
        double[] mean = _data.Uniform(R * A), logStd = _data.Uniform(R * A, 0.5), z = _data.Uniform(R * A), gAct = _data.Uniform(R * A), gLp = _data.Uniform(R);
        // L = Σ gAct·action + Σ gLp·log π, z held fixed.
        double Loss()
        {
            double l = FiniteDifference.Dot(LogProbReference(mean, logStd, z, R, A, half), gLp);
            for (int i = 0; i < R * A; i++) l += gAct[i] * half * Math.Tanh(mean[i] + Math.Exp(logStd[i]) * z[i]);
            return l;
        }
        float[] squashed = new float[R * A], actions = new float[R * A], lp = new float[R];
        float[] meanF = NnTestData.ToFloat(mean), logStdF = NnTestData.ToFloat(logStd), zF = NnTestData.ToFloat(z);
        TanhGaussian.Sample(meanF, logStdF, zF, R, A, 0f, (float)half, squashed, actions, lp);
        float[] dMean = new float[R * A], dLogStd = new float[R * A];
        TanhGaussian.Backward(logStdF, zF, squashed, NnTestData.ToFloat(gAct), NnTestData.ToFloat(gLp), R, A, (float)half, dMean, dLogStd);
        _data.Close(FiniteDifference.Gradient(mean, Loss), dMean, "dMean", 1e-3, 1e-4);
        _data.Close(FiniteDifference.Gradient(logStd, Loss), dLogStd, "dLogStd", 1e-3, 1e-4);
    }

    [Fact]
    public void BadConfigsAreRefusedBeforeAnyEnvIsMade()
    {
        Assert.Contains("larger than the replay buffer", Assert.Throws<ArgumentException>(() => Sac.Train(new SacConfig { BatchSize = 64, ReplayCapacity = 32 })).Message);
        Assert.Contains("continuous", Assert.Throws<ArgumentException>(() => Sac.Train(new SacConfig { Run = new() { EnvId = "CartPole-v1", EnvCount = 2, TotalSteps = 100 } })).Message);
        Assert.Contains("WarmupHold ≥ 1", Assert.Throws<ArgumentException>(() => Sac.Train(new SacConfig { WarmupHold = 0 })).Message);
    }

    [Fact]
    public void AFixedTemperatureAndHeldWarmUpActionsChangeTheRunAndKeepItDeterministic()
    {
        SacConfig Short() => new() { Run = new() { EnvId = "Pendulum-v1", EnvCount = 2, TotalSteps = 600, Seed = 5, TargetReturn = null, Threads = 1 }, WarmupSteps = 400, BatchSize = 32, Hidden = [16, 16] };
        float[] Actor(SacConfig c) => Sac.Train(c).Policy!.Net.Parameters.ToArray();
        float[] plain = Actor(Short());
        float[] fixedAlpha = Actor(Short() with { LearnAlpha = false });
        float[] held = Actor(Short() with { WarmupHold = 25 });
        Assert.NotEqual(plain, fixedAlpha);
        Assert.NotEqual(plain, held);
        Assert.Equal(held, Actor(Short() with { WarmupHold = 25 }));
        // MountainCarContinuous gets its exploration defaults; other envs keep SacConfig's.
        var mcc = Sac.DefaultConfig(new RunSettings { EnvId = "MountainCarContinuous-v0" }, DeepOverrides.None);
        Assert.Equal((0.999f, false, 0.1f, 25), (mcc.Gamma, mcc.LearnAlpha, mcc.InitialAlpha, mcc.WarmupHold));
        Assert.Equal(new SacConfig().WarmupHold, Sac.DefaultConfig(new RunSettings { EnvId = "Pendulum-v1" }, DeepOverrides.None).WarmupHold);
    }

    [Fact]
    public void TrainingIsDeterministicInItsSeed()
    {
        SacConfig Short() => new() { Run = new() { EnvId = "Pendulum-v1", EnvCount = 2, TotalSteps = 600, Seed = 5, TargetReturn = null, Threads = 1 }, WarmupSteps = 400, BatchSize = 32, Hidden = [16, 16] };
        var a = Sac.Train(Short());
        var b = Sac.Train(Short());
        Assert.Equal(a.Policy!.Net.Parameters, b.Policy!.Net.Parameters);
        Assert.Equal(a.Critic!.Parameters, b.Critic!.Parameters);
    }
}
