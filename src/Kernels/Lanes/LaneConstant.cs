using System.Runtime.CompilerServices;

namespace RlKernels.Kernels.Lanes;

/// <summary>
/// An env constant kept both as float64 (the reference precision) and rounded once to float32, for
/// <see cref="ILane{TSelf}.Splat(in LaneConstant)"/>.
/// </summary>
/// <remarks>
/// With the constant held as a double, a float lane converts and broadcasts it at every use, on every step: the JIT
/// does not hoist the conversion out of the step loop (two of the three instructions per use in CartPole's step; a
/// literal constant costs none). From a <see cref="LaneConstant"/> a float lane broadcasts the stored float (one load),
/// and the value is the same bits as <c>Splat((double)value)</c>: both round the double to float once.
/// </remarks>
public readonly struct LaneConstant
{
    /// <summary>The constant in float64.</summary>
    public readonly double Value;
    /// <summary><see cref="Value"/> rounded to float32.</summary>
    public readonly float Single;

    /// <summary>The constant <paramref name="value"/> and its float32 rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public LaneConstant(double value)
    {
        Value = value;
        Single = (float)value;
    }

    /// <summary>The constant <paramref name="value"/>.</summary>
    public static implicit operator LaneConstant(double value) => new(value);

    /// <summary>The float64 value.</summary>
    public static implicit operator double(LaneConstant constant) => constant.Value;

    /// <inheritdoc/>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
