namespace RlKernels.Envs.Conformance;

/// <summary>Which tolerances a conformance check applies (see <see cref="ConformanceTolerances"/>).</summary>
public enum ConformancePrecision
{
    /// <summary>The double lane (D1): next obs within 1 float32 ulp, reward and state within 1e-9 relative, flags exact.</summary>
    Reference,
    /// <summary>The float lanes (F1 and the SIMD lane): 1e-5 relative, flags exact except near a threshold.</summary>
    Fast,
}
