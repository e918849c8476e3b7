"""RlKernels from Python: batched RL environments stepped in native code behind Gymnasium's VectorEnv API.

    import rlkernels
    envs = rlkernels.make_vec("CartPole-v1", 1024, seed=0)
    obs, infos = envs.reset(seed=0)
    obs, rewards, terminations, truncations, infos = envs.step(envs.action_space.sample())

The native library is built by `dotnet publish src/Native -c Release` into rlkernels/native/
(or point RLKERNELS_NATIVE_DIR at a folder holding librlkernels.so).
"""
import ctypes

from . import _native
from ._native import RlKernelsError, RlKernelsRuntimeError, RlKernelsValueError
from .vector import RlKernelsVectorEnv

__version__ = "0.1.0"

__all__ = ["make_vec", "list_envs", "native_version", "RlKernelsVectorEnv", "RlKernelsError",
           "RlKernelsValueError", "RlKernelsRuntimeError", "__version__"]


def list_envs():
    """The registered env ids, sorted."""
    lib = _native.lib()
    n = lib.rlk_list_envs(None, 0)
    ids = (ctypes.c_char_p * n)()
    lib.rlk_list_envs(ids, n)
    return [i.decode() for i in ids]


def native_version():
    """The native library's version string."""
    return _native.lib().rlk_version().decode()


def make_vec(env_id, num_envs, *, seed=None, autoreset_mode="next_step", backend="cpu", precision="float32",
             threads=0, **env_args):
    """
    ``num_envs`` copies of ``env_id`` as a Gymnasium-style vector env.

    autoreset_mode: "next_step" (Gymnasium's default), "same_step" or "disabled".
    backend: "cpu" (SIMD on all cores), "cpu-scalar", "gpu", "gpu-cpu". precision: "float32" or "float64"
    (Gymnasium's float64 arithmetic, cpu only). env_args: env parameters as keyword arguments
    (e.g. ``map_name="8x8"``). An unknown id raises ValueError listing the known ids.
    """
    return RlKernelsVectorEnv(env_id, num_envs, seed=seed, autoreset_mode=autoreset_mode, backend=backend,
                              precision=precision, threads=threads, **env_args)
