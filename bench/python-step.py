#!/usr/bin/env python3
"""Steps CartPole-v1 envs from a Python loop through the rlkernels package and compares with `rlk bench`'s cpu
figure for the same env and count, measured in the same run; prints Gymnasium's numpy CartPoleVectorEnv beside
it when gymnasium is importable. Needs `dotnet publish src/Native -c Release` and a Release build of src/Cli.

The two are measured in alternating rounds (Python loop, then `rlk bench`, then the Python loop again, ...) and
the ratio is the median of the rounds' ratios: on a shared 2-core VM the machine's speed drifts by tens of percent
from minute to minute, so two measurements taken far apart compare the drift, not the two paths.

Usage: PYTHONPATH=python python3 bench/python-step.py [--envs 65536] [--seconds 1] [--repeats 3] [--rounds 3]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
import rlkernels  # noqa: E402


def timed_rate(step, n, seconds, repeats):
    """Median steps/s over `repeats` timed windows of about `seconds` each."""
    rates = []
    # Warm-up: thread start, and the .NET runtime's tiered compilation, which re-compiles the step's callees
    # optimized only after they have run a while (one call left the first timed windows at tier 0).
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < max(1.0, seconds):
        step()
    for _ in range(repeats):
        calls, t0 = 0, time.perf_counter()
        while True:
            step()
            calls += 1
            dt = time.perf_counter() - t0
            if dt >= seconds:
                break
        rates.append(calls * n / dt)
    return statistics.median(rates)


def rlk_bench(n, seconds, repeats):
    dll = os.path.join(ROOT, "src", "Cli", "bin", "Release", "net10.0", "rlk.dll")
    out = subprocess.run(["dotnet", dll, "bench", "--env", "CartPole-v1", "--backend", "cpu", "--envs", str(n),
                          "--seconds", str(seconds), "--repeats", str(repeats), "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)[0]["steps_per_second"]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--envs", type=int, default=65536)
    p.add_argument("--gym-envs", type=int, default=16384)
    p.add_argument("--seconds", type=float, default=1.0)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--rounds", type=int, default=3, help="alternating Python / rlk bench rounds (median ratio)")
    a = p.parse_args()
    if a.envs < 1 or a.gym_envs < 1 or a.seconds <= 0 or a.repeats < 1 or a.rounds < 1:
        p.error("--envs, --gym-envs, --repeats and --rounds must be at least 1, --seconds positive")

    envs = rlkernels.make_vec("CartPole-v1", a.envs, seed=0)
    envs.reset(seed=0)
    # Preallocated, 16 arrays used in turn like `rlk bench --caller-actions`: with one fixed array every env would
    # repeat one action and its CartPole episodes would end in about 9 steps instead of about 22 under random actions.
    rng = np.random.default_rng(0)
    action_sets = [rng.integers(0, 2, a.envs, dtype=np.int32) for _ in range(16)]
    turn = [0]

    def step():
        envs.step(action_sets[turn[0]])
        turn[0] = (turn[0] + 1) % len(action_sets)

    pys, benches = [], []
    for r in range(a.rounds):
        pys.append(timed_rate(step, a.envs, a.seconds, a.repeats))
        benches.append(rlk_bench(a.envs, a.seconds, a.repeats))
        print(f"round {r + 1}: Python {pys[-1] / 1e6:6.1f} M steps/s, rlk bench {benches[-1] / 1e6:6.1f} M steps/s, "
              f"{pys[-1] / benches[-1]:.0%}")
    envs.close()
    py, bench = statistics.median(pys), statistics.median(benches)
    ratio = statistics.median(py_rate / bench_rate for py_rate, bench_rate in zip(pys, benches))
    print(f"rlkernels from Python, CartPole-v1 x {a.envs}: {py / 1e6:8.1f} M steps/s (median of {a.rounds} rounds)")
    print(f"rlk bench cpu (StepRandom), same count:  {bench / 1e6:8.1f} M steps/s (median of {a.rounds} rounds)")
    print(f"Python / rlk bench: {ratio:.0%}, median of the rounds' ratios (target >= 80%)")
    try:
        from gymnasium.envs.classic_control.cartpole import CartPoleVectorEnv
    except ImportError:
        print("gymnasium not importable: no CartPoleVectorEnv comparison")
        return
    g = CartPoleVectorEnv(num_envs=a.gym_envs)
    g.reset(seed=0)
    gactions = np.random.default_rng(0).integers(0, 2, a.gym_envs)
    gym = timed_rate(lambda: g.step(gactions), a.gym_envs, a.seconds, a.repeats)
    print(f"Gymnasium CartPoleVectorEnv x {a.gym_envs}: {gym / 1e6:8.1f} M steps/s; rlkernels/Gymnasium: {py / gym:.1f}x (target >= 8x)")


if __name__ == "__main__":
    main()
