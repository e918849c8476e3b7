using RlKernels.Kernels.Nn;
using RlKernels.Tests.Reference;

namespace RlKernels.Tests.Nn;

public class OptimizerTests : NnTest
{
    private const int P = 3;
    private readonly ParameterLayout _layout = new(P, [37, 5], ["w", "b"]);

    private double[] Member(double[] flat, int p) =>
        [.. flat.AsSpan(_layout.MemberOffset(0, p), 37), .. flat.AsSpan(_layout.MemberOffset(1, p), 5)];

    [Fact]
    public void AdamMatchesReferencePerMember()
    {
        var adam = new Adam(_layout);
        float[] lr = [1e-3f, 3e-2f, 0.1f], b1 = [0.9f, 0.5f, 0.8f], b2 = [0.999f, 0.9f, 0.95f], wd = [0f, 0.1f, 0.01f];
        lr.CopyTo(adam.LearningRate, 0); b1.CopyTo(adam.Beta1, 0); b2.CopyTo(adam.Beta2, 0); wd.CopyTo(adam.WeightDecay, 0);
        var (theta, thetaD) = _data.Pair(_layout.TotalCount);
        var refTheta = Enumerable.Range(0, P).Select(p => Member(thetaD, p)).ToArray();
        var m = Enumerable.Range(0, P).Select(_ => new double[42]).ToArray();
        var v = Enumerable.Range(0, P).Select(_ => new double[42]).ToArray();
        for (int t = 1; t <= 3; t++)
        {
            var (g, gD) = _data.Pair(_layout.TotalCount);
            adam.Step(theta, g);
            for (int p = 0; p < P; p++) OptimizerReference.Adam(refTheta[p], Member(gD, p), m[p], v[p], t, lr[p], b1[p], b2[p], 1e-8, wd[p]);
        }
        double[] thetaNow = NnTestData.ToDouble(theta);
        for (int p = 0; p < P; p++) _data.Close(refTheta[p], NnTestData.ToFloat(Member(thetaNow, p)), $"member {p}", 1e-5, 1e-6);
    }

    [Fact]
    public void SgdMatchesReferencePerMember()
    {
        var sgd = new Sgd(_layout);
        float[] lr = [1e-2f, 0.1f, 0.5f], mu = [0f, 0.9f, 0.5f], wd = [0f, 0.01f, 0.1f];
        lr.CopyTo(sgd.LearningRate, 0); mu.CopyTo(sgd.Momentum, 0); wd.CopyTo(sgd.WeightDecay, 0);
        var (theta, thetaD) = _data.Pair(_layout.TotalCount);
        var refTheta = Enumerable.Range(0, P).Select(p => Member(thetaD, p)).ToArray();
        var vel = Enumerable.Range(0, P).Select(_ => new double[42]).ToArray();
        for (int t = 0; t < 3; t++)
        {
            var (g, gD) = _data.Pair(_layout.TotalCount);
            sgd.Step(theta, g);
            for (int p = 0; p < P; p++) OptimizerReference.Sgd(refTheta[p], Member(gD, p), vel[p], lr[p], mu[p], wd[p]);
        }
        double[] thetaNow = NnTestData.ToDouble(theta);
        for (int p = 0; p < P; p++) _data.Close(refTheta[p], NnTestData.ToFloat(Member(thetaNow, p)), $"member {p}", 1e-5, 1e-6);
    }

    [Fact]
    public void ClippingMatchesReferencePerMember()
    {
        var (g, gD) = _data.Pair(_layout.TotalCount);
        float[] maxNorm = [100f, 0.5f, 1f];
        float[] norms = NnTestData.Poisoned(P);
        GradientClipping.ClipGlobalNorm(g, _layout, maxNorm, norms);
        double[] gNow = NnTestData.ToDouble(g);
        for (int p = 0; p < P; p++)
        {
            double[] expected = Member(gD, p);
            double norm = OptimizerReference.Clip(expected, maxNorm[p]);
            Assert.InRange(norms[p], norm * (1 - 1e-5), norm * (1 + 1e-5));
            _data.Close(expected, NnTestData.ToFloat(Member(gNow, p)), $"member {p}");
        }
    }

    [Fact]
    public void ClippingReportsNonFiniteGradientsWithTheTensorName()
    {
        var g = new float[_layout.TotalCount];
        g[_layout.MemberOffset(1, 2) + 3] = float.NaN;
        var e = Assert.Throws<InvalidOperationException>(() => GradientClipping.ClipGlobalNorm(g, _layout, [1f, 1f, 1f], new float[P]));
        Assert.Contains("b (member 2)", e.Message);
    }

    [Fact]
    public void PerMemberArraysMustMatchThePopulation()
    {
        var adam = new Adam(_layout);
        var sgd = new Sgd(_layout);
        Assert.Equal("gradients", Assert.Throws<ArgumentException>(() => adam.Step(new float[_layout.TotalCount], new float[1])).ParamName);
        Assert.Equal("maxNorm", Assert.Throws<ArgumentException>(() => GradientClipping.ClipGlobalNorm(new float[_layout.TotalCount], _layout, [1f], new float[P])).ParamName);
        Assert.Equal("parameters", Assert.Throws<ArgumentException>(() => sgd.Step(new float[2], new float[_layout.TotalCount])).ParamName);
    }
}
