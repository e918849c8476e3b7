namespace RlKernels.Algorithms.Deep;

/// <summary>The regression loss of Q(s, a) on its bootstrap target y.</summary>
public enum QLoss
{
    /// <summary>Huber (smooth L1) with δ = 1: quadratic near the target, linear beyond; bounded gradients.</summary>
    Huber,
    /// <summary>Mean squared error ½(Q − y)².</summary>
    Mse,
}
