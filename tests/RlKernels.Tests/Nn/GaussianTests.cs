using RlKernels.Kernels.Nn;
using RlKernels.Tests.Reference;

namespace RlKernels.Tests.Nn;

public class GaussianTests : NnTest
{
    private const int R = 7, D = 3;

    [Fact]
    public void ReferenceBackwardsMatchFiniteDifferences()
    {
        double[] mean = _data.Uniform(R * D), logStd = _data.Uniform(R * D, 0.7), actions = _data.Uniform(R * D, 2),
            noise = _data.Uniform(R * D, 2), g = _data.Uniform(R * D), gRow = _data.Uniform(R);

        var (sMean, sLogStd) = GaussianReference.SampleBackward(logStd, noise, g);
        double SampleLoss() => FiniteDifference.Dot(GaussianReference.Sample(mean, logStd, noise), g);
        _data.MatchesFiniteDifferences(mean, SampleLoss, sMean, "sample dMean");
        _data.MatchesFiniteDifferences(logStd, SampleLoss, sLogStd, "sample dLogStd");

        var (lMean, lLogStd) = GaussianReference.LogProbBackward(actions, mean, logStd, gRow, R, D);
        double LogProbLoss() => FiniteDifference.Dot(GaussianReference.LogProb(actions, mean, logStd, R, D), gRow);
        _data.MatchesFiniteDifferences(mean, LogProbLoss, lMean, "log-prob dMean");
        _data.MatchesFiniteDifferences(logStd, LogProbLoss, lLogStd, "log-prob dLogStd");

        double EntropyLoss() => FiniteDifference.Dot(GaussianReference.Entropy(logStd, R, D), gRow);
        double[] eLogStd = Enumerable.Range(0, R * D).Select(i => gRow[i / D]).ToArray();
        _data.MatchesFiniteDifferences(logStd, EntropyLoss, eLogStd, "entropy dLogStd");
    }

    [Fact]
    public void OpsMatchReference()
    {
        var (mean, meanD) = _data.Pair(R * D);
        var (logStd, logStdD) = _data.Pair(R * D, 0.7);
        var (g, gD) = _data.Pair(R * D);
        var (gRow, gRowD) = _data.Pair(R);

        float[] actions = NnTestData.Poisoned(R * D), noise = NnTestData.Poisoned(R * D);
        Gaussian.Sample(mean, logStd, R, D, 5, 1, actions, noise);
        double[] noiseD = NnTestData.ToDouble(noise);
        _data.Close(GaussianReference.Sample(meanD, logStdD, noiseD), actions, "sample");

        var (dMean, dMean0) = _data.Pair(R * D);
        var (dLogStd, dLogStd0) = _data.Pair(R * D);
        Gaussian.SampleBackward(logStd, noise, g, R, D, dMean, dLogStd);
        var (rMean, rLogStd) = GaussianReference.SampleBackward(logStdD, noiseD, gD);
        _data.Close(LinearTests.Add(dMean0, rMean), dMean, "sample dMean");
        _data.Close(LinearTests.Add(dLogStd0, rLogStd), dLogStd, "sample dLogStd");

        double[] actionsD = NnTestData.ToDouble(actions);
        float[] lp = NnTestData.Poisoned(R);
        Gaussian.LogProb(actions, mean, logStd, R, D, lp);
        _data.Close(GaussianReference.LogProb(actionsD, meanD, logStdD, R, D), lp, "log-prob");
        (dMean, dMean0) = _data.Pair(R * D);
        (dLogStd, dLogStd0) = _data.Pair(R * D);
        Gaussian.LogProbBackward(actions, mean, logStd, gRow, R, D, dMean, dLogStd);
        (rMean, rLogStd) = GaussianReference.LogProbBackward(actionsD, meanD, logStdD, gRowD, R, D);
        _data.Close(LinearTests.Add(dMean0, rMean), dMean, "log-prob dMean");
        _data.Close(LinearTests.Add(dLogStd0, rLogStd), dLogStd, "log-prob dLogStd");

        float[] h = NnTestData.Poisoned(R);
        Gaussian.Entropy(logStd, R, D, h);
        _data.Close(GaussianReference.Entropy(logStdD, R, D), h, "entropy");
        (dLogStd, dLogStd0) = _data.Pair(R * D);
        Gaussian.EntropyBackward(gRow, R, D, dLogStd);
        _data.Close(LinearTests.Add(dLogStd0, Enumerable.Range(0, R * D).Select(i => gRowD[i / D]).ToArray()), dLogStd, "entropy dLogStd");
    }

    [Fact]
    public void NoiseIsDeterministicAndStandardNormal()
    {
        const int rows = 4001, dims = 5;
        float[] zeros = new float[rows * dims], a = new float[rows * dims], z1 = new float[rows * dims], z2 = new float[rows * dims];
        Gaussian.Sample(zeros, zeros, rows, dims, 9, 3, a, z1);
        Gaussian.Sample(zeros, zeros, rows, dims, 9, 3, a, z2);
        Assert.Equal(z1, z2);
        double mean = z1.Average(v => (double)v), var = z1.Average(v => (double)v * v) - mean * mean;
        Assert.InRange(mean, -0.03, 0.03);
        Assert.InRange(var, 0.95, 1.05);
    }
}
