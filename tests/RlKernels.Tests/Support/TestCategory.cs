namespace RlKernels.Tests;

/// <summary>
/// Trait names for filtering the suite. A test that takes more than about ten seconds carries
/// <c>[Trait(TestCategory.Name, TestCategory.Slow)]</c>, so a quick local run skips it with
/// <c>dotnet test RlKernels.sln -c Release --filter "Category!=Slow"</c>; CI and the README's
/// test command run the full suite, slow tests included.
/// </summary>
internal static class TestCategory
{
    /// <summary>The trait's name, as written in <c>--filter "Category!=Slow"</c>.</summary>
    public const string Name = "Category";

    /// <summary>Tests over ~10 s (learning runs, GPU kernels on ILGPU's CPU accelerator).</summary>
    public const string Slow = "Slow";
}
