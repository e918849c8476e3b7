namespace RlKernels.Kernels.Nn;

/// <summary>Global-norm gradient clipping, per population member (each member's norm over all its tensors).</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales each member's gradients so their global L2 norm is at most maxNorm[p]; writes the norm before
    /// clipping. A non-finite norm throws naming the first offending tensor and member.
    /// </summary>
    /// <remarks>Effectively computes n_p = ‖g_p‖₂, g_p *= min(1, maxNorm[p] / (n_p + 1e-6)).</remarks>
    public static void ClipGlobalNorm(
        Span<float> gradients,        // [layout.TotalCount]
        ParameterLayout layout,
        ReadOnlySpan<float> maxNorm,  // [P]
        Span<float> norms)            // [P]
    {
        layout.RequireBuffer(gradients.Length, nameof(gradients));
        layout.RequirePerMember(maxNorm.Length, nameof(maxNorm));
        layout.RequirePerMember(norms.Length, nameof(norms));
        for (int p = 0; p < layout.Population; p++)
        {
            double sum = 0;
            for (int t = 0; t < layout.TensorCount; t++)
            {
                double tensorSum = 0;
                foreach (float g in gradients.Slice(layout.MemberOffset(t, p), layout.MemberSize(t))) tensorSum += (double)g * g;
                if (!double.IsFinite(tensorSum))
                    throw new InvalidOperationException($"Non-finite gradient in {layout.Name(t)} (member {p}).");
                sum += tensorSum;
            }
            float norm = (float)Math.Sqrt(sum);
            norms[p] = norm;
            float scale = maxNorm[p] / (norm + 1e-6f);
            if (scale >= 1f) continue;
            for (int t = 0; t < layout.TensorCount; t++)
                foreach (ref float g in gradients.Slice(layout.MemberOffset(t, p), layout.MemberSize(t))) g *= scale;
        }
    }
}
