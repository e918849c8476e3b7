#!/usr/bin/env bash
# Times `rlk sweep run SPEC` against the same runs as separate `rlk train --no-stop` processes (one after another,
# all cores each), on the same machine. Prints both wall times and the ratio.
# Usage: bench/sweep-vs-separate.sh [SPEC]   (default examples/sweeps/cartpole-ppo-lr.toml)
#        STEPS=4096 bench/sweep-vs-separate.sh   overrides the spec's step budget (a shorter check)
set -euo pipefail
cd "$(dirname "$0")/.."
rlk=src/Cli/bin/Release/net10.0/rlk
spec=${1:-examples/sweeps/cartpole-ppo-lr.toml}
[ -x "$rlk" ] || dotnet build src/Cli/rlk.csproj -c Release >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# rlk train evaluates 100 episodes; the sweep does the same here so both do the same work.
sed -e "s/^eval_episodes = .*/eval_episodes = 100/" ${STEPS:+-e "s/^steps = .*/steps = $STEPS/"} "$spec" > "$work/spec.toml"; spec="$work/spec.toml"

start=$(date +%s.%N)
"$rlk" sweep run "$spec" --out "$work/sweep" --json > /dev/null
sweep=$(echo "$(date +%s.%N) - $start" | bc)

# The same runs, read back from the plan: one `rlk train` process per run.
env=$(sed -n 's/^env = "\(.*\)"/\1/p' "$spec"); algo=$(sed -n 's/^algo = "\(.*\)"/\1/p' "$spec")
steps=$(sed -n 's/^steps = //p' "$spec"); envs=$(sed -n 's/^envs = //p' "$spec")
start=$(date +%s.%N)
"$rlk" sweep plan "$spec" | sed '1d;$d' | while IFS=$'\t' read -r id batch seed params; do
  # Each swept key=value becomes its rlk train flag: lr → --lr, ent_coef → --ent-coef, max_grad_norm → --max-grad-norm, …
  flags=()
  IFS=';' read -ra pairs <<< "$params"
  for kv in "${pairs[@]}"; do [ -n "$kv" ] && flags+=("--${kv%%=*}" "${kv#*=}"); done
  flags=("${flags[@]//_/-}")
  "$rlk" train "$env" --algo "$algo" --seed "$seed" ${steps:+--steps "$steps"} ${envs:+--envs "$envs"} "${flags[@]}" \
    --no-stop --json --force --out "$work/separate/$id" > /dev/null
done
separate=$(echo "$(date +%s.%N) - $start" | bc)
runs=$(( $("$rlk" sweep plan "$spec" | wc -l) - 2 ))
# Like with like: each separate run's model must be the sweep member's, byte for byte.
same=0
for d in "$work"/separate/*/; do id=$(basename "$d"); cmp -s "$d/model.safetensors" "$work/sweep/runs/$id/model.safetensors" && same=$((same + 1)); done
printf '{"runs": %d, "sweep_s": %.2f, "separate_s": %.2f, "speedup": %.2f, "identical_models": %d}\n' "$runs" "$sweep" "$separate" "$(echo "$separate / $sweep" | bc -l)" "$same"
