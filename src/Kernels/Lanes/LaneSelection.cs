using System.Runtime.Intrinsics;

namespace RlKernels.Kernels.Lanes;

/// <summary>Where a lane width came from.</summary>
public enum LaneSource
{
    /// <summary>The widest vector the hardware (and runtime) accelerates.</summary>
    Hardware,
    /// <summary>The RLK_LANES environment variable.</summary>
    Environment,
    /// <summary>An explicit choice in code or on the command line (<c>--lanes</c>), see <see cref="LaneSelection.Use"/>.</summary>
    Explicit,
}

/// <summary>A lane width and why it was chosen.</summary>
/// <param name="Width">1, 4, 8 or 16 floats per lane value.</param>
/// <param name="Source">What decided it.</param>
/// <param name="Reason">One line for people, e.g. "Vector256 is the widest hardware-accelerated vector".</param>
public readonly record struct LaneChoice(int Width, LaneSource Source, string Reason);

/// <summary>
/// Which lane width the <c>cpu</c> backend uses: 16 (<see cref="F16"/>) where Vector512 is hardware-accelerated,
/// 8 (<see cref="F8"/>) where Vector256 is, 4 (<see cref="F4"/>) where Vector128 is (NEON on ARM64, SSE on x86
/// without AVX2), else 1 (<see cref="F1"/>). Only .NET's own IsHardwareAccelerated flags decide, so the choice
/// is the same on every platform, and switching instruction sets off (DOTNET_EnableAVX512F=0,
/// DOTNET_EnableAVX2=0) tests the narrower paths on a wide machine. RLK_LANES, or <see cref="Use"/> (the CLI's
/// <c>--lanes</c>), picks a narrower width; a value that is not a width, or a width this process does not
/// accelerate, is an error, never silently replaced.
/// </summary>
public static class LaneSelection
{
    /// <summary>The environment variable that overrides the width.</summary>
    public const string EnvironmentVariable = "RLK_LANES";

    /// <summary>Every lane width there is, narrowest first.</summary>
    public static IReadOnlyList<int> Widths { get; } = [1, 4, 8, 16];

    // Async-local rather than static: a scope (one CLI invocation, one test) never leaks into another thread's.
    private static readonly AsyncLocal<LaneChoice?> Forced = new();

    /// <summary>The widest width this process accelerates.</summary>
    public static int HardwareWidth =>
        Vector512.IsHardwareAccelerated ? 16
        : Vector256.IsHardwareAccelerated ? 8
        : Vector128.IsHardwareAccelerated ? 4
        : 1;

    /// <summary>True when lanes of <paramref name="width"/> run as hardware SIMD here (1 always does).</summary>
    public static bool IsAccelerated(int width) => width switch
    {
        1 => true,
        4 => Vector128.IsHardwareAccelerated,
        8 => Vector256.IsHardwareAccelerated,
        16 => Vector512.IsHardwareAccelerated,
        _ => false,
    };

    /// <summary>The width in use (<see cref="Current"/>'s); throws <see cref="ArgumentException"/> when RLK_LANES is bad.</summary>
    public static int BestWidth => Current.Width;

    /// <summary>
    /// The width in use and why: the innermost <see cref="Use"/> scope, else RLK_LANES, else the hardware.
    /// Throws <see cref="ArgumentException"/> (one line, naming RLK_LANES) when RLK_LANES is set to anything
    /// but an accelerated width.
    /// </summary>
    public static LaneChoice Current =>
        Forced.Value ?? Choose(Environment.GetEnvironmentVariable(EnvironmentVariable), EnvironmentVariable, LaneSource.Environment, HardwareWidth);

    /// <summary>
    /// The choice for an override <paramref name="requested"/> (null or empty: none) given the widest accelerated
    /// width <paramref name="hardwareWidth"/>; <paramref name="name"/> names the override in messages.
    /// </summary>
    /// <exception cref="ArgumentException">The request is not 1, 4, 8 or 16, or is wider than <paramref name="hardwareWidth"/>.</exception>
    public static LaneChoice Choose(string? requested, string name, LaneSource source, int hardwareWidth)
    {
        if (string.IsNullOrWhiteSpace(requested))
            return new(hardwareWidth, LaneSource.Hardware, HardwareReason(hardwareWidth));
        if (!int.TryParse(requested.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int width)
            || !Widths.Contains(width))
            throw new ArgumentException($"{name} must be one of {string.Join(", ", Widths)}, not '{requested}'.");
        if (width > hardwareWidth)
            throw new ArgumentException(
                $"{name}={width} asks for {VectorName(width)} lanes, which this process does not accelerate (widest: {hardwareWidth}, {HardwareReason(hardwareWidth)}).");
        return new(width, source, $"{name}={width} (the hardware allows {hardwareWidth})");
    }

    /// <summary>
    /// Uses <paramref name="width"/> lanes until the returned scope is disposed, on this thread and the tasks it
    /// starts (the CLI's <c>--lanes</c>; tests). <paramref name="name"/> names the setting in messages.
    /// </summary>
    /// <exception cref="ArgumentException">The width is not one this process accelerates.</exception>
    public static IDisposable Use(int width, string name = "--lanes")
    {
        LaneChoice choice = Choose(width.ToString(System.Globalization.CultureInfo.InvariantCulture), name, LaneSource.Explicit, HardwareWidth);
        var scope = new Scope(Forced.Value);
        Forced.Value = choice;
        return scope;
    }

    private sealed class Scope(LaneChoice? previous) : IDisposable
    {
        public void Dispose() => Forced.Value = previous;
    }

    /// <summary>Why the hardware gives <paramref name="width"/>.</summary>
    public static string HardwareReason(int width) => width switch
    {
        16 => "Vector512 is hardware-accelerated",
        8 => "Vector256 is the widest hardware-accelerated vector",
        4 => "Vector128 is the widest hardware-accelerated vector",
        _ => "no SIMD vector is hardware-accelerated",
    };

    private static string VectorName(int width) => width switch
    {
        16 => "Vector512",
        8 => "Vector256",
        4 => "Vector128",
        _ => "scalar",
    };

    /// <summary>Human name of a lane width, e.g. "F16 (Vector512)".</summary>
    public static string Describe(int width) => width switch
    {
        16 => "F16 (Vector512, e.g. AVX-512)",
        8 => "F8 (Vector256, e.g. AVX2)",
        4 => "F4 (Vector128: NEON on ARM64, SSE on x86)",
        _ => "F1 (scalar)",
    };
}
