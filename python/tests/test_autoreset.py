"""Autoreset semantics per mode, as Gymnasium documents them, with CartPole episodes forced to end."""
import numpy as np
import pytest

import rlkernels

N = 4


def push_until_end(envs, limit=200):
    """Always push right: the pole falls within a few dozen steps. Returns (step outputs copied, index)."""
    actions = np.ones(N, np.int32)
    for t in range(limit):
        obs, rew, term, trunc, infos = envs.step(actions)
        if term.any():
            return obs.copy(), rew.copy(), term.copy(), trunc.copy(), {k: np.array(v) for k, v in infos.items()}
    pytest.fail("no CartPole episode ended")


def is_reset_obs(row):
    # CartPole's reset draws every feature uniformly from [-0.05, 0.05].
    return bool(np.all(np.abs(row) <= 0.05))


def test_next_step():
    envs = rlkernels.make_vec("CartPole-v1", N, seed=0, autoreset_mode="next_step")
    mode = envs.metadata["autoreset_mode"]
    assert getattr(mode, "value", mode) == "next_step"
    envs.reset(seed=0)
    obs, rew, term, trunc, infos = push_until_end(envs)
    ended = term | trunc
    assert "final_obs" not in infos
    # The ending step returns the ended episode's last observation (pole past 12 degrees), reward 1.
    assert np.all(np.abs(obs[term, 2]) > 0.2094) and np.all(rew[ended] == 1.0)
    obs2, rew2, term2, trunc2, _ = envs.step(np.ones(N, np.int32))
    # The next step resets those envs: reward 0, not terminated, not truncated, a fresh observation.
    assert np.all(rew2[ended] == 0.0) and not term2[ended].any() and not trunc2[ended].any()
    assert all(is_reset_obs(r) for r in obs2[ended])
    assert np.all(rew2[~ended] == 1.0)
    envs.close()


def test_same_step():
    envs = rlkernels.make_vec("CartPole-v1", N, seed=0, autoreset_mode="same_step")
    envs.reset(seed=0)
    obs, rew, term, trunc, infos = push_until_end(envs)
    ended = term | trunc
    # The ending step returns the new episode's first observation and the old one's last in final_obs.
    assert np.array_equal(infos["_final_obs"], ended)
    assert all(is_reset_obs(r) for r in obs[ended])
    assert np.all(np.abs(infos["final_obs"][term, 2]) > 0.2094)
    assert np.all(rew[ended] == 1.0)
    obs2, rew2, term2, _, infos2 = envs.step(np.ones(N, np.int32))
    assert np.all(rew2 == 1.0)  # no extra reset step in this mode
    envs.close()


def test_disabled_and_reset_mask():
    envs = rlkernels.make_vec("CartPole-v1", N, seed=0, autoreset_mode="disabled")
    envs.reset(seed=0)
    obs, rew, term, trunc, infos = push_until_end(envs)
    assert np.all(np.abs(obs[term, 2]) > 0.2094) and "final_obs" not in infos
    kept = obs[~term].copy()
    obs2, _ = envs.reset(options={"reset_mask": term.copy()})
    assert all(is_reset_obs(r) for r in obs2[term])
    assert np.array_equal(obs2[~term], kept)  # untouched envs keep their state
    envs.close()


def test_outputs_are_views_on_native_buffers():
    envs = rlkernels.make_vec("CartPole-v1", N, seed=1)
    obs, _ = envs.reset(seed=1)
    obs2, rew, term, trunc, _ = envs.step(np.zeros(N, np.int32))
    assert obs2 is obs or np.shares_memory(obs, obs2)
    assert obs.dtype == np.float32 and rew.dtype == np.float32 and term.dtype == np.bool_ and trunc.dtype == np.bool_
    assert not obs.flags.owndata
    envs.close()
