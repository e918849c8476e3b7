"""RlKernelsVectorEnv: Gymnasium's VectorEnv API over librlkernels.so, outputs as numpy views."""
import ctypes

import numpy as np

from . import _native
from .spaces import HAVE_GYMNASIUM, Box, Discrete, batch

_MODES = ("next_step", "same_step", "disabled")

if HAVE_GYMNASIUM:
    import gymnasium
    _Base = gymnasium.vector.VectorEnv
    try:
        from gymnasium.vector import AutoresetMode

        def _mode_value(name):
            return AutoresetMode(name)
    except ImportError:  # Gymnasium < 1.1 has no AutoresetMode enum
        def _mode_value(name):
            return name
else:
    _Base = object

    def _mode_value(name):
        return name


def _view(pointer, shape, dtype):
    """A numpy array over library-owned memory (no copy); valid until close()."""
    count = int(np.prod(shape))
    ctype = np.ctypeslib.as_ctypes_type(dtype)
    buffer = ctypes.cast(pointer, ctypes.POINTER(ctype * count)).contents
    return np.frombuffer(buffer, dtype=dtype).reshape(shape)


class RlKernelsVectorEnv(_Base):
    """
    ``num_envs`` copies of one env stepped together in native code.

    ``reset`` and ``step`` return numpy *views* of library-owned buffers: observations float32
    [num_envs, obs_size], rewards float32 [num_envs] (Gymnasium returns float64; cast if needed), terminations
    and truncations bool [num_envs]. The next reset/step overwrites them: copy what you keep.
    Same-step mode puts ``infos["final_obs"]`` (float32 [num_envs, obs_size], valid where
    ``infos["_final_obs"]``) in the step's infos. One caller at a time per env.
    """

    render_mode = None

    def __init__(self, env_id, num_envs, *, seed=None, autoreset_mode="next_step", backend="cpu",
                 precision="float32", threads=0, **env_args):
        lib = _native.lib()
        mode = getattr(autoreset_mode, "value", autoreset_mode)
        if mode not in _MODES:
            raise ValueError(f"autoreset_mode must be one of {', '.join(_MODES)}, got {autoreset_mode!r}")
        if isinstance(num_envs, bool) or not isinstance(num_envs, (int, np.integer)):
            raise TypeError(f"num_envs must be an int, got {type(num_envs).__name__}")
        self._handle = 0
        self._closed = False
        self._seed = 0 if seed is None else int(seed)
        self._resets = 0
        args = [f"{k}={str(v).lower() if isinstance(v, bool) else v}".encode() for k, v in env_args.items()]
        arr = (ctypes.c_char_p * max(1, len(args)))(*args)
        handle = ctypes.c_int64(0)
        _native.check(lib.rlk_create(env_id.encode(), arr, len(args), int(num_envs), self._seed & (2**64 - 1),
                                     str(backend).encode(), mode.encode(), str(precision).encode(), int(threads),
                                     ctypes.byref(handle)), 0)
        self._handle = handle.value
        self._lib = lib
        sp = _native.Spaces()
        _native.check(lib.rlk_get_spaces(self._handle, ctypes.byref(sp)), self._handle)
        self.env_id = env_id
        self.num_envs = sp.num_envs
        self.obs_size = sp.obs_size
        self.max_episode_steps = sp.max_episode_steps
        self.discrete = bool(sp.action_discrete)
        low = np.empty(sp.obs_size, np.float32)
        high = np.empty(sp.obs_size, np.float32)
        _native.check(lib.rlk_get_obs_bounds(self._handle, low.ctypes.data, high.ctypes.data, sp.obs_size), self._handle)
        self.single_observation_space = Box(low, high, (sp.obs_size,), np.float32)
        if self.discrete:
            self.single_action_space = Discrete(sp.action_n)
        else:
            self.single_action_space = Box(sp.action_low, sp.action_high, (sp.action_n,), np.float32)
        self.observation_space = batch(self.single_observation_space, self.num_envs)
        self.action_space = batch(self.single_action_space, self.num_envs)
        self.metadata = {"autoreset_mode": _mode_value(mode), "render_modes": []}
        self.autoreset_mode = mode
        b = _native.Buffers()
        _native.check(lib.rlk_get_buffers(self._handle, ctypes.byref(b)), self._handle)
        n, k = self.num_envs, self.obs_size
        self._obs = _view(b.observations, (n, k), np.float32)
        self._final_obs = _view(b.final_observations, (n, k), np.float32)
        self._final_mask = _view(b.final_mask, (n,), np.uint8).view(np.bool_)
        self._rewards = _view(b.rewards, (n,), np.float32)
        self._terminated = _view(b.terminated, (n,), np.uint8).view(np.bool_)
        self._truncated = _view(b.truncated, (n,), np.uint8).view(np.bool_)
        self._episode_returns = _view(b.episode_returns, (n,), np.float32)
        self._episode_lengths = _view(b.episode_lengths, (n,), np.int32)
        self._step_fn = lib.rlk_step_discrete if self.discrete else lib.rlk_step_continuous
        self._action_dtype = np.int32 if self.discrete else np.float32
        self._fresh = True  # rlk_create already reset with the seed

    def reset(self, *, seed=None, options=None):
        """Resets every env (or those in ``options["reset_mask"]``); returns (obs view, infos)."""
        mask = None if options is None else options.get("reset_mask")
        if mask is not None:
            mask = np.asarray(mask)
            if mask.dtype != np.bool_:
                raise TypeError(f"reset_mask must be a bool array, got dtype {mask.dtype}")
            if mask.shape != (self.num_envs,):
                raise ValueError(f"reset_mask must have shape ({self.num_envs},), got {mask.shape}")
            mask = np.ascontiguousarray(mask)
            _native.check(self._lib.rlk_reset_mask(self._handle, mask.ctypes.data, mask.size), self._handle)
            return self._obs, {}
        if seed is not None and not isinstance(seed, (int, np.integer)):
            return self._reset_seeds(seed)
        if seed is not None:
            self._seed, self._resets = int(seed), 0
        # Each unseeded reset continues the stream with a new derived seed (Gymnasium: no re-seeding).
        reset_seed = self._seed if self._resets == 0 else self._seed + 0x9E3779B97F4A7C15 * self._resets
        self._resets += 1
        _native.check(self._lib.rlk_reset(self._handle, reset_seed & (2**64 - 1)), self._handle)
        return self._obs, {}

    def step(self, actions):
        """One step; returns (obs, rewards, terminations, truncations, infos) as views on native buffers."""
        a = actions if isinstance(actions, np.ndarray) else np.asarray(actions)
        if self.discrete:
            if a.dtype.kind not in "iu":
                raise TypeError(f"{self.env_id} has a Discrete action space: actions must be integers, got {a.dtype}")
        elif a.dtype.kind != "f":
            raise TypeError(f"{self.env_id} has a Box action space: actions must be floats, got {a.dtype}")
        if a.shape != (self.num_envs,) and not (not self.discrete and a.shape == (self.num_envs, 1)):
            raise ValueError(f"actions must have shape ({self.num_envs},), got {a.shape}")
        if a.dtype != self._action_dtype or not a.flags.c_contiguous:
            a = np.ascontiguousarray(a, dtype=self._action_dtype)
        _native.check(self._step_fn(self._handle, a.ctypes.data, self.num_envs), self._handle)
        infos = {}
        if self.autoreset_mode == "same_step" and self._final_mask.any():
            infos = {"final_obs": self._final_obs, "_final_obs": self._final_mask}
        return self._obs, self._rewards, self._terminated, self._truncated, infos

    def _reset_seeds(self, seeds):
        """reset(seed=[s0, s1, ...]): env i's randomness from now on derives from seeds[i] and i alone."""
        if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__len__"):
            raise TypeError(f"seed must be an int, a sequence of {self.num_envs} ints, or None; got {type(seeds).__name__}")
        if any(s is None or isinstance(s, bool) or not isinstance(s, (int, np.integer)) for s in seeds):
            raise TypeError("per-env seeds must all be ints (None entries are not supported)")
        if any(int(s) < 0 or int(s) >= 2**64 for s in seeds):
            raise ValueError("per-env seeds must be in [0, 2**64)")
        arr = np.array([int(s) for s in seeds], dtype=np.uint64)
        _native.check(self._lib.rlk_reset_seeds(self._handle, arr.ctypes.data, arr.size), self._handle)
        # A later reset() without seeds continues from a seed derived from these.
        self._seed, self._resets = int(np.bitwise_xor.reduce(arr)) if arr.size else 0, 1
        return self._obs, {}

    def episode_statistics(self):
        """(returns, lengths) views: valid where the last step ended an episode."""
        return self._episode_returns, self._episode_lengths

    def close(self, **kwargs):
        """Frees the native env; the views must not be used afterwards. Idempotent."""
        if not self._closed and self._handle:
            self._closed = True
            _native.check(self._lib.rlk_close(self._handle), self._handle)

    @property
    def closed(self):
        """True after close()."""
        return self._closed

    @property
    def unwrapped(self):
        return self

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self):
        return f"RlKernelsVectorEnv({self.env_id}, num_envs={self.num_envs}, autoreset_mode={self.autoreset_mode})"
