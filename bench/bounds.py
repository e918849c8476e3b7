#!/usr/bin/env python3
"""Measures what bounds each classic-control env's `cpu` step on this machine; writes bench/results-bounds.json.

  python3 bench/bounds.py            # measure (about 4 minutes), then `python3 bench/regen.py render` shows it

Per env, on the built rlk (src/Cli/bin/Release/net10.0/rlk.dll), standard library only:
  - memory: one thread (DOTNET_PROCESSOR_COUNT=1), 1,024 envs (state, bookkeeping and outputs in L1/L2) against
    65,536 envs (in L3 and beyond), in one process; the median ratio over --rounds processes. A step that slows at
    65,536 envs waits on memory.
  - threads: 65,536 envs on two threads against one, a two-thread process after each one-thread one (median ratio): a
    step that does not double shares something between the cores (memory, the machine's other load).
  - where the time goes: `perf record -e cpu-clock` of one thread at 65,536 envs, the samples of the project's optimized
    code by function: episode ends and resets (FinishEpisodes, ResetPacked, the Philox action draws), the observation
    pass (ObserveBlock and its export), and the step loop (the rest: StepBlock and the env's dynamics it calls:
    termination, time limit, random actions). Tier-0 code (the warm-up) and the runtime, JIT and kernel are left out.
    Needs Debian's linux-perf; without it these columns are empty.
The verdict is derived from these figures by fixed rules (see verdict()); nothing is typed in by hand.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results-bounds.json")
DLL = os.path.join(ROOT, "src", "Cli", "bin", "Release", "net10.0", "rlk.dll")
CLASSIC = ["CartPole-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1", "Pendulum-v1"]

# perf symbol → part of the env's time (first match wins). Tier-0 code (the warm-up before the JIT's optimized code) and
# symbols outside the project's assemblies (runtime, JIT, kernel) are left out; the rest of the project's code is the step.
WARMUP = ("[QuickJitted]", "Tier0]", "[Instrumented")
PARTS = [("episode ends and resets", ("::FinishEpisodes", "::ResetPacked", "::DrawActionBlock", "::PrefetchFinalRows", "MulHiLo")),
         ("observations", ("::ObserveBlock", "ExportGroupsOf", "Transpose8x4", "TransposeStore4", "::Export")),
         ("step loop", ("[RlKernels.Envs]", "[RlKernels.Kernels]"))]


def rlk(args, threads=None, extra_env=None, capture_json=True):
    env = dict(os.environ)
    if threads:
        env["DOTNET_PROCESSOR_COUNT"] = str(threads)
    env.update(extra_env or {})
    out = subprocess.run(["dotnet", DLL, *args], check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out) if capture_json else out


def cpu_rows(rows):
    return {r["envs"]: r for r in rows if r.get("kind", "env") == "env" and r["backend"] == "cpu"}


def profile(env_id, args):
    """Shares of perf's cpu-clock samples by part, one thread at 65,536 envs; None without perf."""
    if shutil.which("perf") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        env = dict(os.environ, DOTNET_PROCESSOR_COUNT="1", DOTNET_PerfMapEnabled="1", DOTNET_EnableWriteXorExecute="0")
        run = subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-F", "2000", "-o", data, "--", "dotnet", DLL, "bench",
                              "--env", env_id, "--backend", "cpu", "--envs", "65536", "--seconds", str(args.seconds),
                              "--repeats", "20", "--no-ceilings", "--json"], capture_output=True, text=True, env=env)
        if run.returncode != 0:
            return None
        report = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "symbol", "--stdio"],
                                capture_output=True, text=True).stdout
    shares = {name: 0.0 for name, _ in PARTS}
    other = 0.0
    for line in report.splitlines():
        m = re.match(r"\s*([0-9.]+)%\s+\[[.k]\]\s+(.*)", line)
        if not m:
            continue
        pct, symbol = float(m.group(1)), m.group(2)
        if any(w in symbol for w in WARMUP):
            continue
        part = next((name for name, keys in PARTS if any(k in symbol for k in keys)), None)
        if part is None:
            other += pct
        else:
            shares[part] += pct
    # Shares of the env's own optimized code's samples, and what share of all samples those were.
    own = sum(shares.values())
    if own <= 0:
        return None
    result = {k: round(100 * v / own, 1) for k, v in shares.items()}
    result["own_samples_percent"] = round(own, 1)
    return result


def verdict(r):
    """The bound, from the figures alone: memory where 65,536 envs run well below 1,024; else the part that dominates."""
    if r["memory_ratio"] is not None and r["memory_ratio"] < 0.85:
        return f"memory: 65,536 envs at {r['memory_ratio']:.0%} of 1,024 (one thread)"
    p = r.get("profile")
    memory = f"not memory (65,536 envs at {r['memory_ratio']:.0%} of 1,024)"
    if p and p["step loop"] >= 50:
        return (f"compute in the step loop (dynamics, termination, time limit, actions: {p['step loop']:.0f}% of the env's samples; "
                f"episode ends and resets {p['episode ends and resets']:.0f}%, observations {p['observations']:.0f}%); {memory}")
    if p:
        top = max(("episode ends and resets", "observations"), key=lambda k: p[k])
        return f"compute outside the step loop: {top} {p[top]:.0f}% of the env's samples, step loop {p['step loop']:.0f}%; {memory}"
    return f"compute; {memory}; no profile (perf missing)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=0.2)
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--rounds", type=int, default=5, help="rounds of one-thread and two-thread processes per env (default 5)")
    args = ap.parse_args()
    if not os.path.exists(DLL):
        sys.exit(f"bounds.py: {DLL} not found; run `dotnet build RlKernels.sln -c Release` first")
    common = ["--backend", "cpu", "--seconds", str(args.seconds), "--repeats", str(args.repeats), "--no-ceilings", "--json"]
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    envs = []
    for env_id in CLASSIC:
        print(f"bounds.py: {env_id} …", file=sys.stderr)
        # Per round: one process at 1,024 and 65,536 envs on one thread, then one at 65,536 on two.
        small, one, two = [], [], []
        for _ in range(args.rounds):
            sizes = cpu_rows(rlk(["bench", "--env", env_id, "--envs", "1024", "--envs", "65536", *common], threads=1))
            small.append(sizes[1024]["steps_per_second"])
            one.append(sizes[65536]["steps_per_second"])
            two.append(cpu_rows(rlk(["bench", "--env", env_id, "--envs", "65536", *common]))[65536]["steps_per_second"])
        r = {
            "env": env_id,
            "one_thread_1024": statistics.median(small),
            "one_thread_65536": statistics.median(one),
            "memory_ratio": statistics.median([b / a for a, b in zip(small, one)]),
            "one_thread_1024_rounds": small,
            "one_thread_65536_rounds": one,
            "two_threads_65536_rounds": two,
            "thread_scaling": statistics.median([b / a for a, b in zip(one, two)]),
            "profile": profile(env_id, args),
        }
        r["verdict"] = verdict(r)
        envs.append(r)
    record = {"date": started, "cores": os.cpu_count(), "load_average_1min": round(os.getloadavg()[0], 1), "envs": envs,
              "command": f"python3 bench/bounds.py --seconds {args.seconds} --repeats {args.repeats} --rounds {args.rounds}"}
    tmp = RESULTS + ".tmp"
    with open(tmp, "w") as f:
        json.dump(record, f, indent=1)
        f.write("\n")
    os.replace(tmp, RESULTS)
    print(f"bounds.py: wrote {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
