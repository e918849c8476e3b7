#!/usr/bin/env bash
# Trains deep algorithms for seeds 1..3 with `rlk train --json` (one process per run, so start-up is
# included) and prints one JSON line per run.
# Usage: bench/deep-train.sh [ALGO...]; ENV=Pendulum-v1 bench/deep-train.sh ppo reparam-ac
set -euo pipefail
cd "$(dirname "$0")/.."
rlk=src/Cli/bin/Release/net10.0/rlk
env=${ENV:-CartPole-v1}
[ -x "$rlk" ] || dotnet build src/Cli/rlk.csproj -c Release >/dev/null
algos=("$@")
[ ${#algos[@]} -gt 0 ] || algos=(ppo a2c reinforce-baseline reinforce)
for algo in "${algos[@]}"; do
  for seed in 1 2 3; do
    "$rlk" train "$env" --algo "$algo" --seed "$seed" --json --force --out "/tmp/rlk-bench/$env-$algo-$seed" || true
  done
done
