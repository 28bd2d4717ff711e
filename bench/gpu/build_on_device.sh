#!/usr/bin/env bash
# On the GPU machine (no network): install the carried wheels and build llama-cpp-python with
# CUDA for Hopper from the carried, slimmed sdist. Runs detached; writes $W/build.done or
# $W/build.failed, and the log to $W/build.log. See bench/gpu/README.md.
# With WATTCODE_SRC (a source tree) it builds as scripts/setup.sh does: CMAKE_ARGS composed by
# $WATTCODE_SRC/scripts/llama_cpp_build.py from the user's USER_CMAKE_ARGS (default: CUDA for
# sm_90), i.e. wattcode's flags (no mtmd, no `common`) first, the user's verbatim after; the
# build folder stays in $W/lcp-build (CMakeCache.txt). Without it, the older full build that
# made bench/results/gpu (common compiled, -DLLAVA_BUILD=off only). The composed build ran on an
# H100 on 2026-12-05: bench/results/first-run/cmake-gpu.
set -uo pipefail
W=${WATTCODE_GPU_WORK:-/root/wc}
mkdir -p "$W/site" "$W/corpus" "$W/parts"
cp .gpu/corpus/* "$W/corpus/" 2>/dev/null
python3 -m pip install -q --no-index --no-deps --no-compile --target "$W/site" .whl/*.whl
tar xJf .gpu/lcp-slim.tar.xz -C "$W"
cd "$W/llama_cpp_python-0.3.36" || { touch "$W/build.failed"; exit 1; }
USER_CMAKE_ARGS=${USER_CMAKE_ARGS:--DGGML_CUDA=on -DCMAKE_CUDA_ARCHITECTURES=90}
SETTINGS=()
if [ -n "${WATTCODE_SRC:-}" ]; then
  ARGS=$(CMAKE_ARGS="$USER_CMAKE_ARGS" python3 "$WATTCODE_SRC/scripts/llama_cpp_build.py") ||
    { touch "$W/build.failed"; exit 1; }
  SETTINGS=(--config-settings "build-dir=$W/lcp-build")
else
  ARGS="$USER_CMAKE_ARGS -DLLAVA_BUILD=off"
fi
echo "user CMAKE_ARGS: $USER_CMAKE_ARGS" >"$W/build.args"
echo "composed CMAKE_ARGS: $ARGS" >>"$W/build.args"
date +%s >"$W/build.t0"
# scikit-build-core (carried in .whl when the image lacks it) is found through PYTHONPATH.
if CMAKE_ARGS="$ARGS" CMAKE_BUILD_PARALLEL_LEVEL=16 PYTHONPATH="$W/site${PYTHONPATH:+:$PYTHONPATH}" \
    python3 -m pip install -v --no-index --no-deps --no-build-isolation "${SETTINGS[@]}" \
    --target "$W/site" . >"$W/build.log" 2>&1; then
  date +%s >"$W/build.t1"
  touch "$W/build.done"
else
  touch "$W/build.failed"
fi
