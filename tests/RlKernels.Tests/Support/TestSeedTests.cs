using RlKernels.Tests.Kernels;

namespace RlKernels.Tests.Support;

/// <summary>RLK_TEST_SEED replays a randomly seeded test; a value that is not a seed is refused, not ignored.</summary>
public class TestSeedTests
{
    [Theory]
    [InlineData("42", 42)]
    [InlineData(" -7 ", -7)]
    [InlineData("2147483647", int.MaxValue)]
    public void ASetSeedIsReplayed(string value, int expected) => Assert.Equal(expected, KernelAssert.SeedFrom(value));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void NoSeedMeansAFreshOne(string? value) => Assert.Null(KernelAssert.SeedFrom(value));

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("2147483648")]
    public void ANonIntegerSeedIsAnErrorNamingTheVariable(string value)
    {
        var e = Assert.Throws<InvalidOperationException>(() => KernelAssert.SeedFrom(value));
        Assert.Contains(KernelAssert.SeedVariable, e.Message);
        Assert.Contains(value, e.Message);
    }
}
