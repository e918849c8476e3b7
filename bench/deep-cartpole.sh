#!/usr/bin/env bash
# Trains every deep algorithm on CartPole-v1 for seeds 1..3 with `rlk train-deep --json` (one process per
# run, so start-up is included) and prints one JSON line per run. Usage: bench/deep-cartpole.sh [ALGO...]
set -euo pipefail
cd "$(dirname "$0")/.."
rlk=src/Cli/bin/Release/net10.0/rlk
[ -x "$rlk" ] || dotnet build src/Cli/rlk.csproj -c Release >/dev/null
algos=("$@")
[ ${#algos[@]} -gt 0 ] || algos=(ppo a2c reinforce-baseline reinforce)
for algo in "${algos[@]}"; do
  for seed in 1 2 3; do
    "$rlk" train-deep CartPole-v1 --algo "$algo" --seed "$seed" --json --out "/tmp/rlk-bench/$algo-$seed"
  done
done
