#!/usr/bin/python3
"""DQN in PyTorch on a NumPy CartPole-v1, with the hyperparameters of `rlk train CartPole-v1 --algo dqn`,
timed to the same solve criterion: the wall time from process start at which the mean return of the last 100
finished training episodes first reaches 475 (checked every 1,000 env steps, as rlk's curve rows are).

The env is Gymnasium's CartPole-v1 equations (Euler, force 10, 500-step limit, terminate beyond 2.4 m or 12°)
written here over a batch of envs in NumPy; MountainCar-v0 is here too (`--env MountainCar-v0`) with the
MountainCar hyperparameters rlk uses (RL Baselines3 Zoo's). Needs only Debian's python3-torch and python3-numpy:

    /usr/bin/python3 bench/dqn_torch.py --seed 1 [--threads 2] [--env CartPole-v1]

Prints one JSON line: env_steps, solved_at_seconds (null when not solved), seconds, eval_mean_return
(greedy, 100 fresh episodes), steps_per_second.
"""
import math
import time

T0 = time.time()  # as close to process start as the imports allow; torch's import is counted below

import numpy as np
import torch
from torch import nn

from torch_peer import end_episodes, parse_args, report, solved


class CartPole:
    """N copies of CartPole-v1, autoreset in the same step (the final observation kept for bootstrapping)."""
    obs_size, actions, limit, target = 4, 2, 500, 475.0

    def __init__(self, n, rng):
        self.n, self.rng = n, rng
        self.s = rng.uniform(-0.05, 0.05, (n, 4))
        self.t = np.zeros(n, dtype=np.int64)

    def reset_rows(self, rows):
        self.s[rows] = self.rng.uniform(-0.05, 0.05, (int(rows.sum()), 4))
        self.t[rows] = 0

    def step(self, a):
        x, x_dot, th, th_dot = self.s.T
        force = np.where(a == 1, 10.0, -10.0)
        cos, sin = np.cos(th), np.sin(th)
        temp = (force + 0.05 * th_dot ** 2 * sin) / 1.1
        th_acc = (9.8 * sin - cos * temp) / (0.5 * (4.0 / 3.0 - 0.1 * cos ** 2 / 1.1))
        x_acc = temp - 0.05 * th_acc * cos / 1.1
        self.s = np.stack([x + 0.02 * x_dot, x_dot + 0.02 * x_acc, th + 0.02 * th_dot, th_dot + 0.02 * th_acc], 1)
        self.t += 1
        term = (np.abs(self.s[:, 0]) > 2.4) | (np.abs(self.s[:, 2]) > 12 * 2 * math.pi / 360)
        return np.ones(self.n), term, (self.t >= self.limit) & ~term


class MountainCar:
    """N copies of MountainCar-v0."""
    obs_size, actions, limit, target = 2, 3, 200, -110.0

    def __init__(self, n, rng):
        self.n, self.rng = n, rng
        self.s = np.stack([rng.uniform(-0.6, -0.4, n), np.zeros(n)], 1)
        self.t = np.zeros(n, dtype=np.int64)

    def reset_rows(self, rows):
        k = int(rows.sum())
        self.s[rows] = np.stack([self.rng.uniform(-0.6, -0.4, k), np.zeros(k)], 1)
        self.t[rows] = 0

    def step(self, a):
        pos, vel = self.s[:, 0].copy(), self.s[:, 1].copy()
        vel = np.clip(vel + (a - 1) * 0.001 - 0.0025 * np.cos(3 * pos), -0.07, 0.07)
        pos = np.clip(pos + vel, -1.2, 0.6)
        vel[(pos == -1.2) & (vel < 0)] = 0
        self.s = np.stack([pos, vel], 1)
        self.t += 1
        term = (pos >= 0.5) & (vel >= 0)
        return -np.ones(self.n), term, (self.t >= self.limit) & ~term


CONFIGS = {
    # rlk's DqnConfig defaults (after CleanRL dqn.py)
    "CartPole-v1": dict(env=CartPole, envs=4, steps=500_000, hidden=[120, 84], lr=2.5e-4, gamma=0.99, buffer=10_000,
                        batch=128, starts=10_000, updates_per_step=0.1, target_period=50, eps_end=0.05, eps_frac=0.5,
                        huber=False, clip=0.0),
    # rlk's MountainCar-v0 DQN config (RL Baselines3 Zoo's hyperparameters)
    "MountainCar-v0": dict(env=MountainCar, envs=1, steps=120_000, hidden=[256, 256], lr=4e-3, gamma=0.98, buffer=10_000,
                           batch=128, starts=1_000, updates_per_step=0.5, target_period=300, eps_end=0.07, eps_frac=0.2,
                           huber=True, clip=10.0),
}


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        lin = nn.Linear(sizes[i], sizes[i + 1])
        # as rlk: orthogonal, gain √2 on hidden layers and 1 on the output, zero biases
        nn.init.orthogonal_(lin.weight, math.sqrt(2) if i < len(sizes) - 2 else 1.0)
        nn.init.zeros_(lin.bias)
        layers += [lin, nn.ReLU()] if i < len(sizes) - 2 else [lin]
    return nn.Sequential(*layers)


def evaluate(q, cfg, episodes, seed):
    env = cfg["env"](episodes, np.random.default_rng(seed))
    ret, done = np.zeros(episodes), np.zeros(episodes, dtype=bool)
    while not done.all():
        with torch.no_grad():
            a = q(torch.as_tensor(env.s, dtype=torch.float32)).argmax(1).numpy()
        r, term, trunc = env.step(a)
        ret += np.where(done, 0, r)
        done |= term | trunc
    return float(ret.mean())


def main():
    args = parse_args(sorted(CONFIGS))
    cfg = CONFIGS[args.env]
    rng = np.random.default_rng(args.seed)
    n, o, k, b, cap = cfg["envs"], cfg["env"].obs_size, cfg["env"].actions, cfg["batch"], cfg["buffer"]
    env = cfg["env"](n, rng)
    q, target = mlp([o, *cfg["hidden"], k]), mlp([o, *cfg["hidden"], k])
    target.load_state_dict(q.state_dict())
    opt = torch.optim.Adam(q.parameters(), lr=cfg["lr"])
    loss_fn = nn.SmoothL1Loss() if cfg["huber"] else nn.MSELoss()

    # replay ring, struct of arrays
    s_buf, s2_buf = np.zeros((cap, o), np.float32), np.zeros((cap, o), np.float32)
    a_buf, r_buf, d_buf = np.zeros(cap, np.int64), np.zeros(cap, np.float32), np.zeros(cap, np.float32)
    head = count = 0

    ep_ret, finished = np.zeros(n), []
    steps = grad_steps = 0
    updates_due, next_check, solved_at, t_train = 0.0, 0, None, time.time()
    while steps < cfg["steps"]:
        frac = steps / (cfg["eps_frac"] * cfg["steps"])
        eps = cfg["eps_end"] if frac >= 1 else 1 + (cfg["eps_end"] - 1) * frac
        s = env.s.astype(np.float32)
        if eps < 1:
            with torch.no_grad():
                greedy = q(torch.as_tensor(s)).argmax(1).numpy()
        else:
            greedy = np.zeros(n, dtype=np.int64)
        a = np.where(rng.random(n) < eps, rng.integers(0, k, n), greedy)
        r, term, trunc = env.step(a)
        s2 = env.s.astype(np.float32)  # the final observation where an episode ended
        idx = (head + np.arange(n)) % cap
        s_buf[idx], a_buf[idx], r_buf[idx], s2_buf[idx], d_buf[idx] = s, a, r, s2, term
        head, count = (head + n) % cap, min(count + n, cap)
        ep_ret += r
        end_episodes(env, ep_ret, finished, term | trunc)
        steps += n
        if steps >= cfg["starts"] and count >= b:
            updates_due += n * cfg["updates_per_step"]
        while updates_due >= 1:
            updates_due -= 1
            j = rng.integers(0, count, b)
            bs, bs2 = torch.as_tensor(s_buf[j]), torch.as_tensor(s2_buf[j])
            with torch.no_grad():
                y = torch.as_tensor(r_buf[j]) + cfg["gamma"] * (1 - torch.as_tensor(d_buf[j])) * target(bs2).max(1).values
            pred = q(bs).gather(1, torch.as_tensor(a_buf[j]).unsqueeze(1)).squeeze(1)
            loss = loss_fn(pred, y)
            opt.zero_grad()
            loss.backward()
            if cfg["clip"] > 0:
                nn.utils.clip_grad_norm_(q.parameters(), cfg["clip"])
            opt.step()
            grad_steps += 1
            if grad_steps % cfg["target_period"] == 0:
                target.load_state_dict(q.state_dict())
        if steps >= next_check:
            next_check = steps + 1000
            if solved_at is None and solved(finished, cfg["env"].target):
                solved_at = time.time() - T0
                if not args.no_stop:
                    break
    report(args.env, "dqn", args, steps, solved_at, finished, t_train, evaluate(q, cfg, 100, args.seed + 12345), T0)


if __name__ == "__main__":
    main()
