"""ctypes binding of librlkernels.so (include/rlkernels.h). Loaded once, on first use."""
import ctypes
import os
import threading

_STATUS_NAMES = {
    1: "invalid handle", 2: "invalid argument", 3: "buffer size", 4: "unknown env",
    5: "invalid action", 6: "runtime failure", 7: "host failure",
}


class RlKernelsError(Exception):
    """An error reported by the native library; ``status`` is the rlk_status code."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class RlKernelsValueError(RlKernelsError, ValueError):
    """Bad input: unknown env id, bad argument, wrong length, invalid action."""


class RlKernelsRuntimeError(RlKernelsError, RuntimeError):
    """A closed handle, or a failure inside the library or while loading the runtime."""


class Spaces(ctypes.Structure):
    _fields_ = [("num_envs", ctypes.c_int32), ("obs_size", ctypes.c_int32), ("action_discrete", ctypes.c_int32),
                ("action_n", ctypes.c_int32), ("action_low", ctypes.c_float), ("action_high", ctypes.c_float),
                ("max_episode_steps", ctypes.c_int32)]


class Buffers(ctypes.Structure):
    _fields_ = [("observations", ctypes.POINTER(ctypes.c_float)), ("final_observations", ctypes.POINTER(ctypes.c_float)),
                ("final_mask", ctypes.POINTER(ctypes.c_uint8)), ("rewards", ctypes.POINTER(ctypes.c_float)),
                ("terminated", ctypes.POINTER(ctypes.c_uint8)), ("truncated", ctypes.POINTER(ctypes.c_uint8)),
                ("episode_returns", ctypes.POINTER(ctypes.c_float)), ("episode_lengths", ctypes.POINTER(ctypes.c_int32))]


_lib = None
_lock = threading.Lock()


def native_dir():
    """Folder holding librlkernels.so: $RLKERNELS_NATIVE_DIR, else the package's native/ folder."""
    return os.environ.get("RLKERNELS_NATIVE_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "native")


def lib():
    """The loaded library with argument types declared."""
    global _lib
    with _lock:
        if _lib is not None:
            return _lib
        path = os.path.join(native_dir(), "librlkernels.so")
        if not os.path.exists(path):
            raise ImportError(f"{path} not found: run `dotnet publish src/Native -c Release` first "
                              "(or set RLKERNELS_NATIVE_DIR)")
        L = ctypes.CDLL(path)
        i32, i64, u64, p = ctypes.c_int32, ctypes.c_int64, ctypes.c_uint64, ctypes.c_char_p
        sig = {
            "rlk_version": (p, []),
            "rlk_list_envs": (i32, [ctypes.POINTER(p), i32]),
            "rlk_create": (i32, [p, ctypes.POINTER(p), i32, i32, u64, p, p, p, i32, ctypes.POINTER(i64)]),
            "rlk_get_spaces": (i32, [i64, ctypes.POINTER(Spaces)]),
            "rlk_get_obs_bounds": (i32, [i64, ctypes.c_void_p, ctypes.c_void_p, i32]),
            "rlk_get_buffers": (i32, [i64, ctypes.POINTER(Buffers)]),
            "rlk_reset": (i32, [i64, u64]),
            "rlk_reset_mask": (i32, [i64, ctypes.c_void_p, i64]),
            "rlk_reset_seeds": (i32, [i64, ctypes.c_void_p, i64]),
            "rlk_step_discrete": (i32, [i64, ctypes.c_void_p, i64]),
            "rlk_step_continuous": (i32, [i64, ctypes.c_void_p, i64]),
            "rlk_step_random": (i32, [i64, i32]),
            "rlk_close": (i32, [i64]),
            "rlk_last_error": (p, [i64]),
        }
        for name, (res, args) in sig.items():
            f = getattr(L, name)
            f.restype, f.argtypes = res, args
        if L.rlk_version() is None:
            raise ImportError("cannot start the .NET runtime: " + L.rlk_last_error(0).decode())
        _lib = L
        return _lib


def check(status, handle):
    """Raises the Python exception for a non-zero status, carrying the native message."""
    if status == 0:
        return
    message = lib().rlk_last_error(handle).decode() or _STATUS_NAMES.get(status, f"status {status}")
    cls = RlKernelsValueError if status in (2, 3, 4, 5) else RlKernelsRuntimeError
    raise cls(status, message)
