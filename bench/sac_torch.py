#!/usr/bin/python3
"""SAC in PyTorch on a NumPy Pendulum-v1, with the hyperparameters of `rlk train Pendulum-v1 --algo sac`, timed to
the same solve criterion: the wall time from process start at which the mean return of the last 100 finished
training episodes first reaches -200 (checked every 1,000 env steps, as rlk's curve rows are).

The env is Gymnasium's Pendulum-v1 equations (g 10, m 1, l 1, dt 0.05, torque clipped to ±2, speed to ±8, 200-step
limit) written here over a batch of envs in NumPy. The agent is the SAC of Haarnoja et al. 2018 with the learned
temperature: a tanh-squashed Gaussian actor (log σ squashed into [-5, 2]), twin Q critics with Polyak targets.
Needs only Debian's python3-torch and python3-numpy:

    /usr/bin/python3 bench/sac_torch.py --seed 1 [--threads 2]

Prints one JSON line: env_steps, solved_at_seconds (null when not solved), train_seconds, steps_per_second
(env steps per training second), eval_mean_return (deterministic policy, 100 fresh episodes), seconds.
"""
import math
import time

T0 = time.time()  # as close to process start as the imports allow; torch's import is counted below

import numpy as np
import torch
from torch import nn

from torch_peer import end_episodes, parse_args, report, solved

# rlk's SacConfig defaults (CleanRL's rates, τ and batch; 64×64 networks, half an update per env step)
CFG = dict(envs=4, steps=40_000, hidden=64, actor_lr=3e-4, critic_lr=1e-3, gamma=0.99, tau=0.005, buffer=100_000,
           batch=256, warmup=2_000, updates_per_step=0.5, target=-200.0)


class Pendulum:
    """N copies of Pendulum-v1; an episode ends only by the 200-step limit (truncation)."""
    obs_size, act_size, limit = 3, 1, 200

    def __init__(self, n, rng):
        self.n, self.rng = n, rng
        self.th, self.thdot = rng.uniform(-math.pi, math.pi, n), rng.uniform(-1, 1, n)
        self.t = np.zeros(n, dtype=np.int64)

    def obs(self):
        return np.stack([np.cos(self.th), np.sin(self.th), self.thdot], 1).astype(np.float32)

    def reset_rows(self, rows):
        k = int(rows.sum())
        self.th[rows], self.thdot[rows], self.t[rows] = self.rng.uniform(-math.pi, math.pi, k), self.rng.uniform(-1, 1, k), 0

    def step(self, u):
        u = np.clip(u, -2.0, 2.0)
        norm = ((self.th + math.pi) % (2 * math.pi)) - math.pi
        cost = norm ** 2 + 0.1 * self.thdot ** 2 + 0.001 * u ** 2
        thdot = np.clip(self.thdot + (3 * 10.0 / 2 * np.sin(self.th) + 3.0 * u) * 0.05, -8, 8)
        self.th, self.thdot = self.th + thdot * 0.05, thdot
        self.t += 1
        return -cost, self.t >= self.limit


def mlp(i, h, o):
    return nn.Sequential(nn.Linear(i, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, o))


class Actor(nn.Module):
    def __init__(self, o, a, h):
        super().__init__()
        self.net = mlp(o, h, 2 * a)

    def forward(self, s):
        mean, log_std = self.net(s).chunk(2, -1)
        log_std = -5 + 0.5 * (2 - -5) * (torch.tanh(log_std) + 1)
        return mean, log_std

    def sample(self, s):
        mean, log_std = self(s)
        std = log_std.exp()
        x = mean + std * torch.randn_like(mean)
        y = torch.tanh(x)
        # log π of the squashed action: Gaussian log-density minus log(1 − tanh²), written as 2(log 2 − x − softplus(−2x))
        logp = (-0.5 * ((x - mean) / std) ** 2 - log_std - 0.5 * math.log(2 * math.pi)
                - 2 * (math.log(2) - x - nn.functional.softplus(-2 * x))).sum(-1)
        return y, logp, torch.tanh(mean)


def evaluate(actor, episodes, seed):
    env = Pendulum(episodes, np.random.default_rng(seed))
    ret = np.zeros(episodes)
    for _ in range(env.limit):
        with torch.no_grad():
            a = actor.sample(torch.as_tensor(env.obs()))[2].numpy()[:, 0] * 2.0
        r, _ = env.step(a)
        ret += r
    return float(ret.mean())


def main():
    args = parse_args()
    rng = np.random.default_rng(args.seed)
    n, o, a, cap, b = CFG["envs"], Pendulum.obs_size, Pendulum.act_size, CFG["buffer"], CFG["batch"]
    env = Pendulum(n, rng)
    actor = Actor(o, a, CFG["hidden"])
    qs = [mlp(o + a, CFG["hidden"], 1) for _ in range(2)]
    qt = [mlp(o + a, CFG["hidden"], 1) for _ in range(2)]
    for q, t in zip(qs, qt):
        t.load_state_dict(q.state_dict())
    q_opt = torch.optim.Adam([p for q in qs for p in q.parameters()], lr=CFG["critic_lr"])
    a_opt = torch.optim.Adam(actor.parameters(), lr=CFG["actor_lr"])
    log_alpha = torch.zeros(1, requires_grad=True)  # α starts at 1
    alpha_opt = torch.optim.Adam([log_alpha], lr=CFG["critic_lr"])
    target_entropy = -float(a)

    s_buf, s2_buf = np.zeros((cap, o), np.float32), np.zeros((cap, o), np.float32)
    a_buf, r_buf = np.zeros((cap, a), np.float32), np.zeros(cap, np.float32)
    head = count = 0
    ep_ret, finished = np.zeros(n), []
    steps = 0
    updates_due, next_check, solved_at, t_train = 0.0, 0, None, time.time()
    while steps < CFG["steps"]:
        s = env.obs()
        if steps < CFG["warmup"]:
            act = rng.uniform(-1, 1, (n, a)).astype(np.float32)
        else:
            with torch.no_grad():
                act = actor.sample(torch.as_tensor(s))[0].numpy()
        r, trunc = env.step(act[:, 0] * 2.0)
        s2 = env.obs()  # the final observation where an episode was truncated: bootstrapped from (never terminated)
        idx = (head + np.arange(n)) % cap
        s_buf[idx], a_buf[idx], r_buf[idx], s2_buf[idx] = s, act, r, s2
        head, count = (head + n) % cap, min(count + n, cap)
        ep_ret += r
        end_episodes(env, ep_ret, finished, trunc)
        steps += n
        if steps >= CFG["warmup"]:
            updates_due += n * CFG["updates_per_step"]
        while updates_due >= 1:
            updates_due -= 1
            j = rng.integers(0, count, b)
            bs, ba, br, bs2 = (torch.as_tensor(x[j]) for x in (s_buf, a_buf, r_buf, s2_buf))
            alpha = log_alpha.exp().detach()
            with torch.no_grad():
                a2, logp2, _ = actor.sample(bs2)
                sa2 = torch.cat([bs2, a2], 1)
                y = br + CFG["gamma"] * (torch.min(qt[0](sa2), qt[1](sa2)).squeeze(1) - alpha * logp2)
            sa = torch.cat([bs, ba], 1)
            q_loss = sum(0.5 * ((q(sa).squeeze(1) - y) ** 2).mean() for q in qs)
            q_opt.zero_grad()
            q_loss.backward()
            q_opt.step()
            pa, logp, _ = actor.sample(bs)
            spa = torch.cat([bs, pa], 1)
            a_loss = (alpha * logp - torch.min(qs[0](spa), qs[1](spa)).squeeze(1)).mean()
            a_opt.zero_grad()
            a_loss.backward()
            a_opt.step()
            alpha_loss = -(log_alpha.exp() * (logp.detach() + target_entropy)).mean()
            alpha_opt.zero_grad()
            alpha_loss.backward()
            alpha_opt.step()
            with torch.no_grad():
                for q, t in zip(qs, qt):
                    for p, tp in zip(q.parameters(), t.parameters()):
                        tp.mul_(1 - CFG["tau"]).add_(CFG["tau"] * p)
        if steps >= next_check:
            next_check = steps + 1000
            if solved_at is None and solved(finished, CFG["target"]):
                solved_at = time.time() - T0
                if not args.no_stop:
                    break
    report("Pendulum-v1", "sac", args, steps, solved_at, finished, t_train, evaluate(actor, 100, args.seed + 12345), T0)


if __name__ == "__main__":
    main()
