#!/usr/bin/env bash
# GPU check in one call, for a session that is lent a GPU machine (it has no .NET).
#
#   bash bench/gpu.sh build   # here: publishes a self-contained single-file rlk into publish/ (git-ignored, ~45 MB)
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
    ;;
  run)
    rlk=./publish/rlk/rlk
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true
    "$rlk" info
    "$rlk" check --backend gpu --envs 4096 --steps 20 || echo "rlk check: exit $?"
    "$rlk" bench --backend gpu --backend cpu --envs 65536 --envs 1048576 --seconds 1 --json > "${OUT:-.}/bench-envs-gpu.json" || true
    "$rlk" bench --backend gpu --backend cpu --envs 65536 --envs 1048576 --seconds 1 || true
    "$rlk" bench qiter --backend gpu --backend cpu || true
    "$rlk" bench mlp --backend gpu --backend cpu || true
    "$rlk" train CartPole-v1 --backend gpu --json --force --out "${OUT:-/tmp}/train-gpu" || true
    ;;
  *)
    echo "usage: bash bench/gpu.sh build|run" >&2
    exit 2
    ;;
esac
