#!/usr/bin/env bash
# One first run, timed: a fresh clone of REVISION, then its ./scripts/demo.sh, with a pip cache,
# a data directory and a ccache that start empty (so llama-cpp-python is built and the model
# assembled, as on a new machine). Waits for the shared CPU lock (unless WATTCODE_CPU_LOCK_HELD
# says the caller holds it) and starts the clock once it holds it. The stamped log goes to
# bench/results/first-run/LABEL.log.
#   bench/experiments/first-run/run.sh LABEL REVISION
set -euo pipefail
label=$1 revision=$2
repo=$(cd "$(dirname "$0")/../../.." && pwd)
results=$repo/bench/results/first-run
work=/tmp/first-run-$label
rm -rf "$work" "/tmp/pipcache-$label"
mkdir -p "$work" "$results"
git clone --quiet "$repo" "$work/wattcode"
git -C "$work/wattcode" checkout --quiet --detach "$revision"
export PIP_CACHE_DIR=/tmp/pipcache-$label CCACHE_DIR=$work/ccache
export WATTCODE_DATA_DIR=$work/data WATTCODE_CACHE_DIR=$work/cache WATTCODE_LOG_DIR=$work/log
unset CMAKE_ARGS PIP_REQUIRE_VIRTUALENV
cd "$work/wattcode"
timed=(python3 "$repo/bench/experiments/first-run/timeline.py" "$results/$label.log" ./scripts/demo.sh)
if [ -n "${WATTCODE_CPU_LOCK_HELD:-}" ]; then  # a caller holds the lock already
  "${timed[@]}"
else
  flock /tmp/wattcode-cpu.lock "${timed[@]}"
fi
