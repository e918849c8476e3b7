using System.Runtime.InteropServices;

namespace RlKernels.Native;

/// <summary>Error strings handed to C: unmanaged UTF-8 copies that stay valid until replaced.</summary>
internal static class NativeErrors
{
    private static readonly Lock Gate = new();
    private static nint _global;

    /// <summary>The message of the last error without a valid handle (rlk_last_error(0)).</summary>
    public static nint Global
    {
        get { lock (Gate) return _global; }
    }

    /// <summary>Replaces the handle-less error message.</summary>
    public static void SetGlobal(string? message)
    {
        lock (Gate) Replace(ref _global, message);
    }

    /// <summary>Frees <paramref name="slot"/>'s string and stores a copy of <paramref name="message"/> (null: none).</summary>
    public static void Replace(ref nint slot, string? message)
    {
        nint old = slot;
        slot = message is null ? 0 : Marshal.StringToCoTaskMemUTF8(message);
        if (old != 0) Marshal.FreeCoTaskMem(old);
    }
}
