#!/usr/bin/env bash
# GPU check in one call, for a session that is lent a GPU machine (no .NET there).
#
#   bash bench/gpu.sh build   # here: publishes self-contained rlk and test runner into publish/ (git-ignored)
#   bash bench/gpu.sh run     # there (device tool, carry ["publish"]): GPU tests, then GPU benchmarks
#
# `run` prints the CUDA test results and the `rlk bench` table for the gpu backend beside cpu; copy
# what it prints into bench/README.md with the device named.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mode="${1:-}"
case "$mode" in
  build)
    flags=(-c Release -r linux-x64 --self-contained -p:PublishSingleFile=true
           -p:EnableCompressionInSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true)
    dotnet publish src/Cli/rlk.csproj "${flags[@]}" -o publish/rlk
    # The xunit v3 test project is an executable: published whole (not single file) it runs its own tests.
    dotnet publish tests/RlKernels.Tests/RlKernels.Tests.csproj -c Release -r linux-x64 --self-contained -o publish/tests
    ;;
  run)
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true
    ./publish/rlk/rlk info
    # CUDA test classes skip themselves without a device; here they must run.
    ./publish/tests/RlKernels.Tests -class "RlKernels.Tests.Gpu.GpuRunnerTests_Cuda" -class "RlKernels.Tests.Gpu.GpuDeviceTests" || true
    for env in CartPole-v1 Pendulum-v1 Acrobot-v1 FrozenLake-v1; do
      ./publish/rlk/rlk bench --env "$env" --backend gpu --backend cpu --envs 65536 --envs 1048576 --seconds 1
    done
    ;;
  *)
    echo "usage: bash bench/gpu.sh build|run" >&2
    exit 2
    ;;
esac
