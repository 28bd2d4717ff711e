#!/usr/bin/env bash
# On the GPU machine, after build_on_device.sh and with the model's parts in $W/parts:
# assemble and verify the default model, then run `wattcode bench` (typing replay and
# accuracy) with every layer on the GPU and with none, and the NVML energy check.
# Usage: bench_on_device.sh gpu|cpu|energy  (reports go to $OUT as .tgz).
set -euo pipefail
W=${WATTCODE_GPU_WORK:-/root/wc}
# The image's numpy (scipy-openblas, libgfortran) loaded before a CUDA llama.cpp built there
# crashes the model load; loading llama_cpp first, in every process, avoids it.
mkdir -p "$W/boot" && echo "import llama_cpp  # noqa" >"$W/boot/sitecustomize.py"
export PYTHONPATH="$W/boot:$W/site:$PWD" PYTHONUNBUFFERED=1
export WATTCODE_DATA_DIR="$W/data" WATTCODE_CACHE_DIR="$W/cache" WATTCODE_BENCH_CORPUS="$W/corpus"
python3 - <<'PY'
import os
from pathlib import Path
from models.default_model import assemble
parts = sorted(Path(os.environ.get("WATTCODE_GPU_WORK", "/root/wc"), "parts").iterdir())
print("model:", assemble(Path(os.environ["WATTCODE_DATA_DIR"]) / "models", part_paths=parts))
PY
OUT=${OUT:-/tmp/out}
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
  energy)
    python3 -m lsp_server.bench.energy_check --out "$W/reports/energy-check" --files 3 \
      --spans 2 --chars 300 --idle-seconds 10 2>&1 | tail -40 || true
    tar czf "$OUT/energy.tgz" -C "$W/reports" energy-check ;;
esac
