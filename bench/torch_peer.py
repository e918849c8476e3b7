"""What the PyTorch peers (dqn_torch.py, pqn_torch.py, sac_torch.py) share: their command line, rlk's solve rule
(the mean return of the last 100 finished training episodes reaches the env's target) and the one JSON line they
print, with the same field names as `rlk train --json` where the two mean the same."""
import argparse
import json
import time

import numpy as np
import torch


def parse_args(env_choices=None):
    """--seed, --threads, --no-stop, and --env where the peer runs more than one env."""
    ap = argparse.ArgumentParser()
    if env_choices:
        ap.add_argument("--env", default=env_choices[0], choices=env_choices)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-stop", action="store_true", help="train the whole budget after solving")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    return args


def solved(finished, target):
    """rlk's rule: at least 100 finished episodes, and the last 100 average at least the target."""
    return len(finished) >= 100 and np.mean(finished[-100:]) >= target


def report(env, algo, args, steps, solved_at, finished, t_train, eval_mean, t0):
    """Prints the run's JSON line; t_train is when training began, t0 the process start."""
    train_seconds = time.time() - t_train
    print(json.dumps(dict(
        env=env, algo="%s (PyTorch %s)" % (algo, torch.__version__), seed=args.seed, threads=args.threads,
        env_steps=steps, solved_at_seconds=None if solved_at is None else round(solved_at, 3),
        train_mean_return=round(float(np.mean(finished[-100:])), 2) if finished else None,
        train_episodes=len(finished), train_seconds=round(train_seconds, 3),
        steps_per_second=round(steps / train_seconds, 1),
        eval_mean_return=round(eval_mean, 2),
        seconds=round(time.time() - t0, 3))))


def end_episodes(env, ep_ret, finished, ended):
    """Moves the returns of the episodes that ended this step (bool [N]) into finished and resets those envs."""
    if ended.any():
        finished.extend(ep_ret[ended].tolist())
        ep_ret[ended] = 0
        env.reset_rows(ended)
