namespace RlKernels.Kernels.Gpu;

/// <summary>
/// Activations in the plain scalar arithmetic ILGPU kernels accept (no Math.Clamp, no FMA intrinsics):
/// the same rational tanh as the CPU's <c>TanhOperator</c>. Codes follow <see cref="Nn.Activation"/>.
/// </summary>
public static class GpuActivation
{
    /// <summary>f(x) for activation code 0 identity, 1 tanh, 2 relu.</summary>
    public static float Apply(int activation, float x)
    {
        if (activation == 1) return Tanh(x);
        if (activation == 2) return x > 0f ? x : 0f;
        return x;
    }

    /// <summary>f′ read off the output y: 1 − y² for tanh, [y &gt; 0] for relu, 1 for identity.</summary>
    public static float Derivative(int activation, float y)
    {
        if (activation == 1) return 1f - y * y;
        if (activation == 2) return y > 0f ? 1f : 0f;
        return 1f;
    }

    /// <summary>tanh as the 13/6 rational fit clamped to ±7.905, exact x below 4e-4.</summary>
    public static float Tanh(float x)
    {
        float ax = x < 0f ? -x : x;
        if (ax < 0.0004f) return x;
        float c = x < -7.90531110763549805f ? -7.90531110763549805f : (x > 7.90531110763549805f ? 7.90531110763549805f : x);
        float x2 = c * c;
        float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
        p = x2 * p + -8.60467152213735e-11f;
        p = x2 * p + 5.12229709037114e-08f;
        p = x2 * p + 1.48572235717979e-05f;
        p = x2 * p + 6.37261928875436e-04f;
        p = x2 * p + 4.89352455891786e-03f;
        p *= c;
        float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
        q = x2 * q + 2.26843463243900e-03f;
        q = x2 * q + 4.89352518554385e-03f;
        return p / q;
    }
}
