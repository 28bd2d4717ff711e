#!/usr/bin/env bash
# On the GPU machine, after build_on_device.sh and with the model's parts in $W/parts:
# assemble and verify the default model, then run `wattcode bench` (typing replay and
# accuracy) with every layer on the GPU and with none, and the NVML energy check.
# Usage: bench_on_device.sh gpu|cpu|check ARGS|energy-smoke|energy|collect  (gpu and cpu leave a .tgz in $OUT; energy
# leaves its reports in $W/reports for `collect`, since it outlasts one device call).
set -euo pipefail
W=${WATTCODE_GPU_WORK:-/root/wc}
OUT=${OUT:-/tmp/out}
if [ "$1" = collect ]; then
  cd "$W/reports" && exec tar czf "$OUT/energy.tgz" energy-*
fi
# The image's numpy (scipy-openblas, libgfortran) loaded before a CUDA llama.cpp built there
# crashes the model load; loading llama_cpp first, in every process, avoids it.
mkdir -p "$W/boot" && echo "import llama_cpp  # noqa" >"$W/boot/sitecustomize.py"
export PYTHONPATH="$W/boot:$W/site:$PWD:$PWD/bench" PYTHONUNBUFFERED=1
export WATTCODE_DATA_DIR="$W/data" WATTCODE_CACHE_DIR="$W/cache" WATTCODE_BENCH_CORPUS="$W/corpus"
python3 - <<'PY'
import os
from pathlib import Path
from models.default_model import assemble
parts = sorted(Path(os.environ.get("WATTCODE_GPU_WORK", "/root/wc"), "parts").iterdir())
print("model:", assemble(Path(os.environ["WATTCODE_DATA_DIR"]) / "models", part_paths=parts))
PY
SIZES=(--tasks 40 --padded-tasks 4 --spans 1)
case "$1" in
  gpu)
    python3 -m lsp_server doctor >"$OUT/doctor.txt" 2>&1 || true
    nvidia-smi >>"$OUT/doctor.txt" 2>&1 || true
    python3 -m lsp_server bench --configs naive,wattcode --workloads accuracy,typing,resources \
      "${SIZES[@]}" --out "$W/reports/gpu" 2>&1 | tail -40 || true
    tar czf "$OUT/gpu.tgz" -C "$W/reports" gpu ;;
  cpu)
    python3 -m lsp_server bench --configs naive,wattcode --workloads accuracy,typing,resources \
      "${SIZES[@]}" --gpu-layers 0 --out "$W/reports/cpu" 2>&1 | tail -40 || true
    tar czf "$OUT/cpu.tgz" -C "$W/reports" cpu ;;
  check)
    # One energy check with the given options (e.g. a traced sustained run), report in $OUT.
    shift
    python3 -m wattcode_bench.energy_check "$@" ;;
  energy-smoke)
    # Seconds, not minutes: that the check runs there before the long series is started.
    python3 -m wattcode_bench.energy_check --out "$OUT/smoke" --back-to-back --seconds 3 \
      --idle-seconds 1 --settle-seconds 0.5 ;;
  energy)
    # Issue 6's validation: sustained load (windows nearly contiguous), the sparse typing
    # replay (what a user's session looks like, and the limit of per-window readings), a
    # second sustained run (repeatability) and one with a single document (gaps between
    # windows on every key). Reports stay in $W/reports/energy-*; `collect` packs them.
    check() { python3 -m wattcode_bench.energy_check --idle-seconds 30 "$@" || true; }
    B2B=(--back-to-back --files 4 --spans 4 --chars 300 --seconds 60)
    check --out "$W/reports/energy-sustained" "${B2B[@]}" --streams 3
    check --out "$W/reports/energy-sparse" --files 3 --spans 2 --chars 300
    check --out "$W/reports/energy-sustained-repeat" "${B2B[@]}" --streams 3 --seed 8
    check --out "$W/reports/energy-sustained-1-document" "${B2B[@]}" --streams 1
    touch "$W/energy.done" ;;
esac
