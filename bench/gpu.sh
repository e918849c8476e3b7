#!/usr/bin/env bash
# GPU check in one call, for a session that is lent a GPU machine (it has no .NET).
#
#   bash bench/gpu.sh build   # here: publishes a self-contained single-file rlk into publish/ (git-ignored, ~50 MB)
#   bash bench/gpu.sh run     # there (device tool, carry ["publish"]): GPU checks, then GPU benchmarks
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
    # Every step under its own timeout: one hang must not eat the lease. Outputs also go to $OUT.
    rlk=./publish/rlk/rlk
    out="${OUT:-/tmp}"
    step() { local limit=$1; shift; echo "== $* (limit ${limit}s)" >&2; timeout "$limit" "$@"; echo "== exit $?" >&2; }
    step 20 nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv
    step 60 "$rlk" info
    step 120 "$rlk" check --backend gpu --envs 4096 --steps 20
    # The run that never finished before IVectorEnv.Synchronize (issue 15's repro): must end in seconds.
    step 60 "$rlk" bench --backend gpu --env CartPole-v1 --envs 4096 --seconds 0.05 --repeats 1
    step 240 "$rlk" bench --backend gpu --backend cpu --envs 65536 --envs 1048576 --seconds 0.3 --repeats 3 --json > "$out/bench-envs-gpu.json"
    step 120 "$rlk" bench --backend gpu --env CartPole-v1 --envs 16777216 --seconds 0.5 --repeats 3
    step 180 "$rlk" train CartPole-v1 --backend gpu --json --force --out "$out/train-gpu"
    python3 - "$out/bench-envs-gpu.json" <<'PY' || true
import json, sys
rows = json.load(open(sys.argv[1]))
print(f"{'env':26} {'backend':8} {'envs':>9} {'steps/s':>12}")
for r in rows:
    if r.get('kind', 'env') != 'env':
        continue
    print(f"{r['env']:26} {r['backend']:8} {r['envs']:>9} {r['steps_per_second']:>12.4g} {r.get('percent_of_ceiling') or 0:>5.0f}% of ceiling")
PY
    ;;
  *)
    echo "usage: bash bench/gpu.sh build|run" >&2
    exit 2
    ;;
esac
