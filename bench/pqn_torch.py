#!/usr/bin/python3
"""PQN in PyTorch on the NumPy CartPole-v1 of dqn_torch.py, with the hyperparameters of
`rlk train CartPole-v1 --algo pqn` (after purejaxql's CartPole config), timed to the same solve criterion: the
wall time from process start at which the mean return of the last 100 finished training episodes first reaches
475 (checked after every update).

PQN (Gallici et al. 2024): Q-learning with no replay buffer and no target network, a LayerNorm Q network, and
Q(λ) returns over a rollout of T steps from N envs:
    G_t = r_t + γ·[(1 − λ)·max_a Q(s_{t+1}, a) + λ·G_{t+1}],
cut to the one-step target at the rollout's end and where an episode ended (terminated: 0; truncated: the final
observation's max Q). Needs only Debian's python3-torch and python3-numpy:

    /usr/bin/python3 bench/pqn_torch.py --seed 1 [--threads 2]

Prints one JSON line: env_steps, solved_at_seconds (null when not solved), train_seconds, steps_per_second,
eval_mean_return (greedy, 100 fresh episodes), seconds.
"""
import math
import os
import sys
import time

T0 = time.time()  # as close to process start as the imports allow; torch's import is counted below

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dqn_torch import CartPole, evaluate  # noqa: E402  (the same env and greedy evaluation as the DQN peer)
from torch_peer import end_episodes, parse_args, report, solved  # noqa: E402

# rlk's PqnConfig defaults
CFG = dict(env=CartPole, envs=32, rollout=64, steps=500_000, hidden=128, lr=1e-4, gamma=0.99, lam=0.95, epochs=4,
           minibatches=16, clip=10.0, eps_end=0.05, eps_frac=0.2)


def q_net(o, h, k):
    """Linear → LayerNorm → ReLU twice, then a linear head; orthogonal init (gain √2 hidden, 1 out), zero biases, as rlk."""
    layers, sizes = [], [o, h, h]
    for i in range(2):
        lin = nn.Linear(sizes[i], sizes[i + 1])
        nn.init.orthogonal_(lin.weight, math.sqrt(2))
        nn.init.zeros_(lin.bias)
        layers += [lin, nn.LayerNorm(sizes[i + 1]), nn.ReLU()]
    head = nn.Linear(h, k)
    nn.init.orthogonal_(head.weight, 1.0)
    nn.init.zeros_(head.bias)
    return nn.Sequential(*layers, head)


def main():
    args = parse_args()
    rng = np.random.default_rng(args.seed)
    n, t, env_cls = CFG["envs"], CFG["rollout"], CFG["env"]
    o, k = env_cls.obs_size, env_cls.actions
    env = env_cls(n, rng)
    q = q_net(o, CFG["hidden"], k)
    opt = torch.optim.Adam(q.parameters(), lr=CFG["lr"])
    obs = np.zeros((t, n, o), np.float32)
    acts, rews = np.zeros((t, n), np.int64), np.zeros((t, n), np.float32)
    term, trunc = np.zeros((t, n), bool), np.zeros((t, n), bool)
    final_max = np.zeros((t, n), np.float32)
    ep_ret, finished = np.zeros(n), []
    steps, solved_at, t_train = 0, None, time.time()
    while steps < CFG["steps"]:
        for s in range(t):
            frac = steps / (CFG["eps_frac"] * CFG["steps"])
            eps = CFG["eps_end"] if frac >= 1 else 1 + (CFG["eps_end"] - 1) * frac
            obs[s] = env.s
            with torch.no_grad():
                greedy = q(torch.as_tensor(obs[s])).argmax(1).numpy()
            acts[s] = np.where(rng.random(n) < eps, rng.integers(0, k, n), greedy)
            r, te, tr = env.step(acts[s])
            rews[s], term[s], trunc[s] = r, te, tr
            if tr.any():  # a truncated step bootstraps from its final observation
                with torch.no_grad():
                    final_max[s] = q(torch.as_tensor(env.s.astype(np.float32))).max(1).values.numpy()
            ep_ret += r
            end_episodes(env, ep_ret, finished, te | tr)
            steps += n
        with torch.no_grad():
            max_q = q(torch.as_tensor(np.concatenate([obs, env.s.astype(np.float32)[None]]).reshape(-1, o)))
            max_q = max_q.max(1).values.numpy().reshape(t + 1, n)
        g = np.zeros((t, n), np.float32)
        for s in range(t - 1, -1, -1):
            nxt = np.where(term[s], 0.0, np.where(trunc[s], final_max[s], max_q[s + 1]))
            cut = term[s] | trunc[s] | (s == t - 1)
            later = g[s + 1] if s < t - 1 else 0.0
            g[s] = np.where(cut, rews[s] + CFG["gamma"] * nxt,
                            rews[s] + CFG["gamma"] * ((1 - CFG["lam"]) * nxt + CFG["lam"] * later))
        bo, ba, bg = (torch.as_tensor(x.reshape(t * n, *x.shape[2:])) for x in (obs, acts, g))
        mb = t * n // CFG["minibatches"]
        for _ in range(CFG["epochs"]):
            perm = torch.as_tensor(rng.permutation(t * n))
            for i in range(CFG["minibatches"]):
                j = perm[i * mb:(i + 1) * mb]
                pred = q(bo[j]).gather(1, ba[j].unsqueeze(1)).squeeze(1)
                loss = 0.5 * ((pred - bg[j]) ** 2).mean()
                opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(q.parameters(), CFG["clip"])
                opt.step()
        if solved_at is None and solved(finished, env_cls.target):
            solved_at = time.time() - T0
            if not args.no_stop:
                break
    report("CartPole-v1", "pqn", args, steps, solved_at, finished, t_train, evaluate(q, CFG, 100, args.seed + 12345), T0)


if __name__ == "__main__":
    main()
