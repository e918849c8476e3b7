"""Random actions over a batch of envs; prints the mean return of finished episodes.

    PYTHONPATH=python python3 python/examples/random_agent.py CartPole-v1 1024 500
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import rlkernels  # noqa: E402


def main(env_id="CartPole-v1", num_envs=1024, steps=500):
    envs = rlkernels.make_vec(env_id, num_envs, seed=0)
    envs.reset(seed=0)
    rng = np.random.default_rng(0)
    returns = []
    space = envs.single_action_space
    for _ in range(steps):
        if envs.discrete:
            actions = rng.integers(0, space.n, num_envs, dtype=np.int32)
        else:
            actions = rng.uniform(space.low[0], space.high[0], num_envs).astype(np.float32)
        _, _, terminated, truncated, _ = envs.step(actions)
        ended = terminated | truncated
        if ended.any():
            episode_returns, _ = envs.episode_statistics()
            returns.extend(episode_returns[ended].tolist())  # copied: the views change next step
    envs.close()
    mean = float(np.mean(returns)) if returns else float("nan")
    print(f"{env_id}: {len(returns)} episodes, mean return {mean:.2f}")
    return len(returns), mean


if __name__ == "__main__":
    a = sys.argv[1:]
    main(a[0] if a else "CartPole-v1", int(a[1]) if len(a) > 1 else 1024, int(a[2]) if len(a) > 2 else 500)
