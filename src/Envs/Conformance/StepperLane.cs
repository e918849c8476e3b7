namespace RlKernels.Envs.Conformance;

/// <summary>The lane type a <see cref="IConformanceStepper"/> computes with.</summary>
public enum StepperLane
{
    /// <summary>One double: reference precision.</summary>
    D1,
    /// <summary>One float: the scalar and GPU arithmetic.</summary>
    F1,
    /// <summary>Four floats (Vector128).</summary>
    F4,
    /// <summary>Eight floats (Vector256).</summary>
    F8,
    /// <summary>Sixteen floats (Vector512).</summary>
    F16,
}
