namespace RlKernels.Tests.Nn;

/// <summary>
/// Base of the tests that check kernels on fresh random inputs: xUnit makes an instance per test, so each test
/// draws from its own <see cref="NnTestData"/> (its seed printed on failure).
/// </summary>
public abstract class NnTest
{
    /// <summary>This test's random inputs, NaN-poisoned outputs and tolerance checks.</summary>
    protected readonly NnTestData _data = new();
}
