"""Writes each registered env's observations for a fixed seed and action formula, in both precisions,
as raw little-endian float32 files (ENV-PRECISION.f32, [steps + 1, num_envs, obs_size]); the .NET test
PythonPackageTests compares them with the .NET runner's.
Usage: dump_trajectories.py OUT_DIR [NUM_ENVS STEPS SEED]"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import rlkernels  # noqa: E402


def action(space_n_or_box, discrete, i, t):
    k = i * 7 + t * 3
    if discrete:
        return k % space_n_or_box
    low, high = space_n_or_box
    return low + (high - low) * (k % 11) / 10.0


def main():
    out = sys.argv[1]
    n, steps, seed = (int(x) for x in (sys.argv[2:5] if len(sys.argv) >= 5 else (5, 20, 3)))
    os.makedirs(out, exist_ok=True)
    ids = rlkernels.list_envs()
    with open(os.path.join(out, "ids.txt"), "w") as f:
        f.write("\n".join(ids) + "\n")
    for env_id in ids:
        for precision in ("float32", "float64"):
            envs = rlkernels.make_vec(env_id, n, seed=seed, precision=precision, autoreset_mode="next_step")
            obs, _ = envs.reset(seed=seed)
            rows = [obs.copy()]
            space = envs.single_action_space
            for t in range(steps):
                if envs.discrete:
                    a = np.array([action(space.n, True, i, t) for i in range(n)], np.int32)
                else:
                    a = np.array([action((float(space.low[0]), float(space.high[0])), False, i, t) for i in range(n)],
                                 np.float32)
                obs, *_ = envs.step(a)
                rows.append(obs.copy())
            envs.close()
            np.stack(rows).astype("<f4").tofile(os.path.join(out, f"{env_id}-{precision}.f32"))


if __name__ == "__main__":
    main()
