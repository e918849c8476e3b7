#!/usr/bin/env bash
# GPU check in one call, for a session that is lent a GPU machine (it has no .NET).
#
#   bash bench/gpu.sh build   # here: publishes a self-contained single-file rlk into publish/ (git-ignored, ~50 MB)
#   bash bench/gpu.sh run     # there (device tool, carry ["publish"]): GPU checks, GPU benchmarks, peers, one table
#
# `run` takes about 5 minutes on an H200 (each step has its own timeout; the sum of the limits is under 30 minutes
# only as a backstop). Its last step prints issue 15's targets as one table (bench/gpu_table.py over $OUT).
#
# The test project cannot travel (self-contained it is ~130 MB, over the 64 MiB carry limit), so the
# hardware check is `rlk check --backend gpu`: every env on the GPU against cpu-scalar, same seed, same
# random actions. Copy what `run` prints into bench/README.md with the device named.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
case "${1:-}" in
  build)
    dotnet publish src/Cli/rlk.csproj -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true \
      -p:EnableCompressionInSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -o publish/rlk
    rm -f publish/rlk/*.pdb   # symbols are not needed there; keeps the carry well under its limit
    ;;
  run)
    # Every step under its own timeout: one hang must not eat the lease; a step that fails or times out is reported and
    # the script goes on. JSON outputs go to $OUT, where bench/gpu_table.py reads them for the final table.
    rlk=./publish/rlk/rlk
    out="${OUT:-/tmp/rlk-gpu}"
    mkdir -p "$out"
    step() { local limit=$1; shift; echo "== $* (limit ${limit}s)" >&2; local rc=0; timeout "$limit" "$@" || rc=$?; echo "== exit $rc" >&2; }
    step 20 nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv
    step 20 python3 -c "import jax, torch; print('jax', jax.__version__, jax.devices()); print('torch', torch.__version__, torch.cuda.get_device_name(0))"
    step 60 "$rlk" info
    step 120 "$rlk" check --backend gpu --envs 4096 --steps 20
    # The run that never finished before IVectorEnv.Synchronize (issue 15's repro): must end in seconds.
    step 60 "$rlk" bench --backend gpu --env CartPole-v1 --envs 4096 --seconds 0.05 --repeats 1 --no-ceilings
    # CartPole at 16 M envs (the fused K-step kernel), with the host's and the device's ceilings of this run.
    step 150 "$rlk" bench --backend gpu --env CartPole-v1 --envs 16777216 --seconds 0.5 --repeats 3 --json > "$out/bench-cartpole-16m.json"
    step 120 python3 bench/peers/jax_cartpole.py --json > "$out/jax-cartpole.jsonl"
    # Every env, 1 M and 16 M envs, gpu beside the 16 CPU cores.
    step 240 "$rlk" bench --backend gpu --backend cpu --envs 1048576 --envs 16777216 --seconds 0.3 --repeats 3 --no-ceilings --json > "$out/bench-envs-gpu.json"
    # The fused rollout: env + policy + sampling + critic, T = 16 steps per launch.
    step 120 "$rlk" bench rollout --envs 65536 --envs 1048576 --envs 16777216 --steps 16 --seconds 0.5 --repeats 3 --json > "$out/rollout.json"
    # MLP training steps against the device's FMA peak, and the PyTorch peer on the same shapes.
    step 150 "$rlk" bench mlp --backend gpu --batch 4096 --batch 65536 --population 64x256 --population 1024x256 --json > "$out/mlp-gpu.json"
    step 120 python3 bench/peers/torch_mlp.py --json > "$out/torch-mlp.jsonl"
    # Q-iteration against the device's copy bandwidth (gpu rows) and the host's read bandwidth (cpu rows).
    step 150 "$rlk" bench qiter --backend gpu --backend cpu --states 1000000 --states 10000000 --frozenlake 0 --seconds 0.3 --repeats 3 --json > "$out/qiter-gpu.json"
    # PPO on CartPole-v1 to the solve rule: on the device, then on this machine's CPU cores.
    step 180 "$rlk" train CartPole-v1 --algo ppo --backend gpu --json --force --out "$out/train-gpu" > "$out/train-gpu.json"
    step 180 "$rlk" train CartPole-v1 --algo ppo --backend cpu --json --force --out "$out/train-cpu" > "$out/train-cpu.json"
    python3 - "$out/bench-envs-gpu.json" <<'PY' || true
import json, sys
rows = json.load(open(sys.argv[1]))
print(f"{'env':26} {'backend':8} {'envs':>9} {'steps/s':>12}")
for r in rows:
    if r.get('kind', 'env') != 'env':
        continue
    print(f"{r['env']:26} {r['backend']:8} {r['envs']:>9} {r['steps_per_second']:>12.4g}")
PY
    step 30 python3 bench/gpu_table.py "$out"
    ;;
  *)
    echo "usage: bash bench/gpu.sh build|run" >&2
    exit 2
    ;;
esac
