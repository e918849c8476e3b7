"""Spaces: Gymnasium's when it is importable, else minimal stand-ins with the same attributes."""
import numpy as np

try:
    import gymnasium
    from gymnasium.spaces import Box, Discrete
    HAVE_GYMNASIUM = True
except ImportError:  # works alone: same names and attributes, no Gymnasium dependency
    gymnasium = None
    HAVE_GYMNASIUM = False

    class Box:
        """A box [low, high] of the given shape and dtype."""

        def __init__(self, low, high, shape=None, dtype=np.float32, seed=None):
            self.dtype = np.dtype(dtype)
            shape = tuple(shape) if shape is not None else np.shape(low)
            self.shape = shape
            self.low = np.broadcast_to(np.asarray(low, self.dtype), shape).copy()
            self.high = np.broadcast_to(np.asarray(high, self.dtype), shape).copy()
            self._rng = np.random.default_rng(seed)

        def sample(self):
            low = np.where(np.isfinite(self.low), self.low, -1.0)
            high = np.where(np.isfinite(self.high), self.high, 1.0)
            return self._rng.uniform(low, high).astype(self.dtype)

        def contains(self, x):
            x = np.asarray(x)
            return x.shape == self.shape and bool(np.all(x >= self.low) and np.all(x <= self.high))

        def __repr__(self):
            return f"Box({self.low.min()}, {self.high.max()}, {self.shape}, {self.dtype})"

    class Discrete:
        """The integers 0..n-1."""

        def __init__(self, n, seed=None):
            self.n = int(n)
            self.shape = ()
            self.dtype = np.dtype(np.int64)
            self._rng = np.random.default_rng(seed)

        def sample(self):
            return np.int64(self._rng.integers(self.n))

        def contains(self, x):
            return 0 <= int(x) < self.n

        def __repr__(self):
            return f"Discrete({self.n})"

    class MultiDiscrete:
        """A vector of Discrete(n) values (the batched Discrete space)."""

        def __init__(self, nvec, seed=None):
            self.nvec = np.asarray(nvec, np.int64)
            self.shape = self.nvec.shape
            self.dtype = np.dtype(np.int64)
            self._rng = np.random.default_rng(seed)

        def sample(self):
            return self._rng.integers(self.nvec)

        def __repr__(self):
            return f"MultiDiscrete({self.nvec})"


def batch(space, n):
    """The space of n stacked samples of ``space`` (Gymnasium's batch_space)."""
    if HAVE_GYMNASIUM:
        from gymnasium.vector.utils import batch_space
        return batch_space(space, n)
    if isinstance(space, Discrete):
        return MultiDiscrete(np.full(n, space.n))
    return Box(np.broadcast_to(space.low, (n,) + space.shape), np.broadcast_to(space.high, (n,) + space.shape),
               (n,) + space.shape, space.dtype)
