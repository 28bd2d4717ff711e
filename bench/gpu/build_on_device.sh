#!/usr/bin/env bash
# On the GPU machine (no network): install the carried wheels and build llama-cpp-python with
# CUDA for Hopper from the carried, slimmed sdist. Runs detached; writes $W/build.done or
# $W/build.failed, and the log to $W/build.log. See bench/gpu/README.md.
set -uo pipefail
W=${WATTCODE_GPU_WORK:-/root/wc}
mkdir -p "$W/site" "$W/corpus" "$W/parts"
cp .gpu/corpus/* "$W/corpus/"
python3 -m pip install -q --no-index --no-deps --no-compile --target "$W/site" .whl/*.whl
tar xJf .gpu/lcp-slim.tar.xz -C "$W"
cd "$W/llama_cpp_python-0.3.36" || exit 1
if CMAKE_ARGS="-DGGML_CUDA=on -DCMAKE_CUDA_ARCHITECTURES=90 -DLLAVA_BUILD=off" \
    CMAKE_BUILD_PARALLEL_LEVEL=16 \
    python3 -m pip install -v --no-index --no-deps --no-build-isolation --target "$W/site" . \
    >"$W/build.log" 2>&1; then
  touch "$W/build.done"
else
  touch "$W/build.failed"
fi
