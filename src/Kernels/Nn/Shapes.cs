namespace RlKernels.Kernels.Nn;

/// <summary>Length checks shared by the NN ops: every op checks its spans at entry.</summary>
internal static class Shapes
{
    /// <summary>Throws when <paramref name="length"/> differs from <paramref name="expected"/>.</summary>
    public static void Require(int length, long expected, string name, string shape)
    {
        if (length != expected)
            throw new ArgumentException($"{name} has length {length}; expected {shape} = {expected}.", name);
    }

    /// <summary>Throws unless every size is positive.</summary>
    public static void Positive(int value, string name)
    {
        if (value < 1) throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1.");
    }
}
