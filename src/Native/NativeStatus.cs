namespace RlKernels.Native;

/// <summary>Status codes of the C ABI (<c>rlk_status</c> in include/rlkernels.h).</summary>
public enum NativeStatus
{
    /// <summary>Success.</summary>
    Ok = 0,
    /// <summary>Null, unknown or closed handle.</summary>
    InvalidHandle = 1,
    /// <summary>Bad env arguments, counts, option strings or null pointers.</summary>
    InvalidArgument = 2,
    /// <summary>A length that does not match the env's sizes.</summary>
    BufferSize = 3,
    /// <summary>An env id that is not registered.</summary>
    UnknownEnv = 4,
    /// <summary>An action out of range, not finite, or of the wrong kind.</summary>
    InvalidAction = 5,
    /// <summary>An unexpected failure inside the library.</summary>
    Runtime = 6,
}
