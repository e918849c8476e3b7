using RlKernels.Kernels.Nn;
using RlKernels.Tests.Reference;

namespace RlKernels.Tests.Nn;

public class SoftmaxTests : NnTest
{
    private const int R = 7, C = 5;

    [Fact]
    public void ReferenceBackwardsMatchFiniteDifferences()
    {
        double[] z = _data.Uniform(R * C, 3), g = _data.Uniform(R * C), gRow = _data.Uniform(R);
        int[] actions = _data.Ints(R, C);
        Check(() => FiniteDifference.Dot(SoftmaxReference.Softmax(z, R, C), g), SoftmaxReference.SoftmaxBackward(SoftmaxReference.Softmax(z, R, C), g, R, C), "softmax");
        Check(() => FiniteDifference.Dot(SoftmaxReference.LogSoftmax(z, R, C), g), SoftmaxReference.LogSoftmaxBackward(SoftmaxReference.LogSoftmax(z, R, C), g, R, C), "log-softmax");
        Check(() => FiniteDifference.Dot(SoftmaxReference.LogProb(z, actions, R, C), gRow), SoftmaxReference.LogProbBackward(z, actions, gRow, R, C), "log-prob");
        Check(() => FiniteDifference.Dot(SoftmaxReference.Entropy(z, R, C), gRow), SoftmaxReference.EntropyBackward(z, gRow, R, C), "entropy");

        void Check(Func<double> loss, double[] analytic, string name) =>
            _data.MatchesFiniteDifferences(z, loss, analytic, name);
    }

    [Fact]
    public void OpsMatchReference()
    {
        var (z, zd) = _data.Pair(R * C, 3);
        var (g, gd) = _data.Pair(R * C);
        var (gRow, gRowd) = _data.Pair(R);
        int[] actions = _data.Ints(R, C);

        float[] probs = NnTestData.Poisoned(R * C);
        Softmax.Forward(z, R, C, probs);
        double[] probsRef = SoftmaxReference.Softmax(zd, R, C);
        _data.Close(probsRef, probs, "softmax");
        var (dz, dz0) = _data.Pair(R * C);
        Softmax.Backward(probs, g, R, C, dz);
        _data.Close(LinearTests.Add(dz0, SoftmaxReference.SoftmaxBackward(probsRef, gd, R, C)), dz, "softmax backward");

        float[] logProbs = NnTestData.Poisoned(R * C);
        LogSoftmax.Forward(z, R, C, logProbs);
        double[] logProbsRef = SoftmaxReference.LogSoftmax(zd, R, C);
        _data.Close(logProbsRef, logProbs, "log-softmax");
        (dz, dz0) = _data.Pair(R * C);
        LogSoftmax.Backward(logProbs, g, R, C, dz);
        _data.Close(LinearTests.Add(dz0, SoftmaxReference.LogSoftmaxBackward(logProbsRef, gd, R, C)), dz, "log-softmax backward");

        float[] lp = NnTestData.Poisoned(R);
        Categorical.LogProb(z, actions, R, C, lp);
        _data.Close(SoftmaxReference.LogProb(zd, actions, R, C), lp, "log-prob");
        (dz, dz0) = _data.Pair(R * C);
        Categorical.LogProbBackward(z, actions, gRow, R, C, dz);
        _data.Close(LinearTests.Add(dz0, SoftmaxReference.LogProbBackward(zd, actions, gRowd, R, C)), dz, "log-prob backward");

        float[] h = NnTestData.Poisoned(R);
        Categorical.Entropy(z, R, C, h);
        _data.Close(SoftmaxReference.Entropy(zd, R, C), h, "entropy");
        (dz, dz0) = _data.Pair(R * C);
        Categorical.EntropyBackward(z, gRow, R, C, dz);
        _data.Close(LinearTests.Add(dz0, SoftmaxReference.EntropyBackward(zd, gRowd, R, C)), dz, "entropy backward");
    }

    [Fact]
    public void SampleIsDeterministicAndFollowsTheProbabilities()
    {
        const int rows = 20000, classes = 3;
        float[] logits = new float[rows * classes];
        float[] row = [0.5f, -1f, 1.25f];
        for (int r = 0; r < rows; r++) row.CopyTo(logits, r * classes);
        int[] a = new int[rows], b = new int[rows];
        Categorical.Sample(logits, rows, classes, 42, 7, a);
        Categorical.Sample(logits, rows, classes, 42, 7, b);
        Assert.Equal(a, b);
        Categorical.Sample(logits, rows, classes, 43, 7, b);
        Assert.NotEqual(a, b);
        double[] p = SoftmaxReference.Softmax(NnTestData.ToDouble(row), 1, classes);
        for (int c = 0; c < classes; c++)
        {
            double freq = a.Count(x => x == c) / (double)rows;
            // 5 standard errors of a binomial frequency.
            Assert.InRange(freq, p[c] - 5 * Math.Sqrt(p[c] * (1 - p[c]) / rows), p[c] + 5 * Math.Sqrt(p[c] * (1 - p[c]) / rows));
        }
    }

    [Fact]
    public void BadActionsAndShapesThrow()
    {
        var e = Assert.Throws<ArgumentException>(() => Categorical.LogProb(new float[6], [0, 3], 2, 3, new float[2]));
        Assert.Equal("actions", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Softmax.Forward(new float[6], 2, 3, new float[5]));
        Assert.Equal("probs", e.ParamName);
    }
}
