#!/usr/bin/env bash
# Create .venv and install wattcode into it. `scripts/setup.sh dev` adds the test tools.
# llama-cpp-python is built from source the first time (about 7 minutes on 2 cores); pip keeps
# the built wheel in its cache, so later runs take seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "wattcode needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
extras="[bench]"
[ "${1:-}" = "dev" ] && extras="[dev,bench]"
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc 2>/dev/null || echo 2)}
.venv/bin/python -m pip install --quiet --upgrade pip
echo "setup: installing wattcode$extras (the first run builds llama-cpp-python: ~7 min)" >&2
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".$extras"
.venv/bin/wattcode model fetch >/dev/null
echo "setup: ready; the default model is at $(.venv/bin/wattcode model path)" >&2
