"""Bad input raises a Python exception carrying the native message; the env stays usable."""
import numpy as np
import pytest

import rlkernels

N = 3


@pytest.fixture
def cartpole():
    envs = rlkernels.make_vec("CartPole-v1", N, seed=0)
    envs.reset(seed=0)
    yield envs
    envs.close()


def test_unknown_id_lists_ids():
    with pytest.raises(ValueError) as e:
        rlkernels.make_vec("NoSuchEnv-v0", 2)
    assert "NoSuchEnv-v0" in str(e.value) and "CartPole-v1" in str(e.value)


def test_bad_options():
    with pytest.raises(ValueError):
        rlkernels.make_vec("CartPole-v1", 2, autoreset_mode="sometimes")
    with pytest.raises(ValueError, match="backend"):
        rlkernels.make_vec("CartPole-v1", 2, backend="abacus")
    with pytest.raises(ValueError, match="precision"):
        rlkernels.make_vec("CartPole-v1", 2, precision="float16")
    with pytest.raises(ValueError):
        rlkernels.make_vec("CartPole-v1", 0)


def test_wrong_shape_and_dtype(cartpole):
    with pytest.raises(ValueError, match="shape"):
        cartpole.step(np.zeros(N + 1, np.int32))
    with pytest.raises(TypeError, match="integers"):
        cartpole.step(np.zeros(N, np.float32))


def test_out_of_range_action_then_usable(cartpole):
    before = cartpole._obs.copy()
    with pytest.raises(ValueError, match=r"takes actions in \[0, 2\)") as e:
        cartpole.step(np.array([0, 2, 1], np.int32))
    assert e.value.status == 5
    assert np.array_equal(cartpole._obs, before)  # nothing changed
    obs, rew, *_ = cartpole.step(np.array([0, 1, 1], np.int32))
    assert np.all(rew == 1.0)


def test_negative_action(cartpole):
    with pytest.raises(ValueError):
        cartpole.step(np.array([0, -1, 1], np.int64))


def test_nan_action_then_usable():
    envs = rlkernels.make_vec("Pendulum-v1", N, seed=0)
    with pytest.raises(ValueError, match="finite"):
        envs.step(np.array([0.0, np.nan, 1.0], np.float32))
    obs, *_ = envs.step(np.zeros(N, np.float32))
    assert np.all(np.isfinite(obs))
    envs.close()


def test_step_after_close(cartpole):
    cartpole.close()
    with pytest.raises(RuntimeError, match="closed"):
        cartpole.step(np.zeros(N, np.int32))
    cartpole.close()  # idempotent


def test_wrong_length_reset_mask(cartpole):
    with pytest.raises(ValueError, match="shape"):
        cartpole.reset(options={"reset_mask": np.ones(N + 1, bool)})


def test_bad_env_arg():
    with pytest.raises(ValueError):
        rlkernels.make_vec("FrozenLake-v1", 2, map_name="13x13")


def test_bad_per_env_seeds(cartpole):
    before = cartpole.reset(seed=[1, 2, 3])[0].copy()
    with pytest.raises(ValueError, match="seeds has length 2; this env needs 3"):
        cartpole.reset(seed=[1, 2])
    with pytest.raises(TypeError, match="ints"):
        cartpole.reset(seed=[1, None, 3])
    with pytest.raises(TypeError, match="seed must be"):
        cartpole.reset(seed="123")
    with pytest.raises(ValueError, match="2\\*\\*64"):
        cartpole.reset(seed=[1, -2, 3])
    # Nothing changed: the env still holds the seeded start and steps on.
    assert np.array_equal(cartpole.reset(seed=[1, 2, 3])[0], before)
    cartpole.step(np.zeros(N, np.int32))
