#!/usr/bin/env bash
# Set up wattcode with its test tools, then lint, type-check and run every test
# (the end-to-end tests run the real server over stdio with the real default model).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev

echo "== ruff" >&2
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy (strict)" >&2
.venv/bin/mypy
echo "== pytest" >&2
.venv/bin/python -m pytest -q "$@"
