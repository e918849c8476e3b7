namespace RlKernels.Tests;

/// <summary>
/// Base of a test class whose every test gets its own fresh scratch folder (xunit builds one instance per test),
/// deleted after the test.
/// </summary>
public abstract class TempDirectoryTests(string prefix) : IDisposable
{
    /// <summary>This test's scratch folder.</summary>
    private protected TempDirectory Temp { get; } = new(prefix);

    public void Dispose()
    {
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }
}
