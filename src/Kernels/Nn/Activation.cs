namespace RlKernels.Kernels.Nn;

/// <summary>The elementwise function after a Linear layer of an <see cref="Mlp"/>.</summary>
public enum Activation
{
    /// <summary>y = x (used for output layers).</summary>
    Identity,
    /// <summary>y = tanh(x).</summary>
    Tanh,
    /// <summary>y = max(x, 0).</summary>
    Relu,
}
