using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RlKernels.Kernels.Lanes;

/// <summary>Which lane width the <c>cpu</c> backend uses on this machine.</summary>
public static class LaneSelection
{
    /// <summary>
    /// 16 where AVX-512 is accelerated, 8 where AVX2 is, else 1. The environment variable
    /// RLK_LANES (1, 8 or 16) narrows it, so a machine with AVX-512 can also test the F8 path.
    /// </summary>
    public static int BestWidth
    {
        get
        {
            int hardware = Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? 16
                : Avx2.IsSupported && Vector256.IsHardwareAccelerated ? 8 : 1;
            string? forced = Environment.GetEnvironmentVariable("RLK_LANES");
            if (int.TryParse(forced, out int width) && (width == 1 || width == 8 || width == 16) && width <= hardware)
                return width;
            return hardware;
        }
    }

    /// <summary>Human name of a lane width, e.g. "F16 (AVX-512)".</summary>
    public static string Describe(int width) => width switch
    {
        16 => "F16 (Vector512, AVX-512)",
        8 => "F8 (Vector256, AVX2)",
        _ => "F1 (scalar)",
    };
}
