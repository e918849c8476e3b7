using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using RlKernels.Kernels.Nn;

namespace RlKernels.Kernels.Gpu;

/// <summary>
/// The whole forward pass of a tiny MLP population in one launch, one thread per (member, row): the
/// row's activations never leave the thread's local memory, so there is no launch or global-memory
/// round trip per layer. Widths up to <see cref="MaxWidth"/>.
/// </summary>
/// <remarks>
/// The parameters use <see cref="Mlp"/>'s flat layout; <see cref="Meta"/> packs what the kernel needs to
/// find them: sizes [L+1], weight offsets [L], bias offsets [L], activation codes [L] (member 0; member p's
/// tensor starts p·size later).
/// </remarks>
public static class MlpFusedForwardKernel
{
    /// <summary>Largest layer width the per-thread buffers hold.</summary>
    public const int MaxWidth = 64;

    /// <summary>The int metadata array for a network (see remarks).</summary>
    public static int[] Meta(Mlp net)
    {
        int layers = net.LayerCount;
        foreach (int size in net.LayerSizes)
            if (size > MaxWidth) throw new ArgumentException($"The fused kernel holds widths up to {MaxWidth}; this network has {size}.", nameof(net));
        var meta = new int[4 * layers + 1];
        for (int l = 0; l <= layers; l++) meta[l] = net.LayerSizes[l];
        for (int l = 0; l < layers; l++)
        {
            meta[layers + 1 + l] = net.Layout.Offset(2 * l);
            meta[2 * layers + 1 + l] = net.Layout.Offset(2 * l + 1);
            meta[3 * layers + 1 + l] = (int)net.ActivationOf(l);
        }
        return meta;
    }

    /// <summary>Thread index = p·B + b.</summary>
    /// <remarks>Effectively computes y[p, b] = MLP_p(x[p, b]).</remarks>
    public static void Kernel(
        Index1D index,
        ArrayView<float> x,          // [P, B, in]
        ArrayView<float> parameters, // [layout.TotalCount]
        ArrayView<int> meta,         // [4L + 1]
        int layerCount, int batch,
        ArrayView<float> y)          // [P, B, out]
    {
        int p = index / batch;
        var buffer = LocalMemory.Allocate<float>(2 * MaxWidth);
        int inSize = meta[0];
        for (int i = 0; i < inSize; i++) buffer[i] = x[(long)(int)index * inSize + i];
        int current = ForwardRow(parameters, meta, layerCount, p, buffer);
        int top = meta[layerCount];
        for (int o = 0; o < top; o++) y[(long)(int)index * top + o] = buffer[current + o];
    }

    /// <summary>
    /// The forward pass of one row of member <paramref name="member"/>, in place in a thread's buffer: the
    /// input sits in buffer[0, in) on entry; returns the offset of the output (buffer[offset, offset + out)).
    /// Other kernels (the fused rollout) call it to run a network inside their own thread.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ForwardRow(
        ArrayView<float> parameters, // [layout.TotalCount]
        ArrayView<int> meta,         // [4L + 1]
        int layerCount, int member,
        ArrayView<float> buffer)     // [2·MaxWidth] the thread's local memory
    {
        int current = 0;
        for (int l = 0; l < layerCount; l++)
        {
            int inSize = meta[l];
            int outSize = meta[l + 1];
            long w = meta[layerCount + 1 + l] + (long)member * outSize * inSize;
            long bias = meta[2 * layerCount + 1 + l] + (long)member * outSize;
            int activation = meta[3 * layerCount + 1 + l];
            int next = MaxWidth - current;
            for (int o = 0; o < outSize; o++)
            {
                float s = parameters[bias + o];
                for (int i = 0; i < inSize; i++) s += parameters[w + (long)o * inSize + i] * buffer[current + i];
                buffer[next + o] = GpuActivation.Apply(activation, s);
            }
            current = next;
        }
        return current;
    }
}
