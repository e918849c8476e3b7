"""Package surface: ids, version, spaces, every env steps."""
import numpy as np

import rlkernels


def test_version_and_ids():
    assert rlkernels.__version__ == rlkernels.native_version()
    ids = rlkernels.list_envs()
    assert "CartPole-v1" in ids and ids == sorted(ids)


def test_spaces():
    envs = rlkernels.make_vec("CartPole-v1", 8)
    assert envs.num_envs == 8 and envs.single_observation_space.shape == (4,)
    assert envs.single_action_space.n == 2 and envs.render_mode is None
    assert envs.observation_space.shape == (8, 4)
    envs.close()


def test_every_env_both_precisions_steps():
    for env_id in rlkernels.list_envs():
        for precision in ("float32", "float64"):
            envs = rlkernels.make_vec(env_id, 3, seed=2, precision=precision)
            obs, _ = envs.reset(seed=2)
            assert obs.shape == (3, envs.single_observation_space.shape[0])
            for _ in range(3):
                a = np.stack([envs.single_action_space.sample() for _ in range(3)])
                envs.step(a.reshape(3) if envs.discrete else a.reshape(3).astype(np.float32))
            envs.close()


def test_per_env_seeds_repeat_whatever_came_before():
    """reset(seed=[...]): env i's episode comes from seeds[i] and i alone, as Gymnasium's per-env seed lists."""
    a = rlkernels.make_vec("CartPole-v1", 4, seed=1)
    b = rlkernels.make_vec("CartPole-v1", 4, seed=2)
    b.step(np.ones(4, np.int32))
    seeds = [7, 8, 9, 10]
    oa = a.reset(seed=seeds)[0].copy()
    ob = b.reset(seed=seeds)[0].copy()
    assert np.array_equal(oa, ob)
    for t in range(20):
        act = np.array([(i + t) % 2 for i in range(4)], np.int32)
        assert np.array_equal(a.step(act)[0], b.step(act)[0])
    changed = a.reset(seed=[7, 8, 99, 10])[0]
    assert np.array_equal(changed[[0, 1, 3]], oa[[0, 1, 3]]) and not np.array_equal(changed[2], oa[2])
    a.close()
    b.close()
