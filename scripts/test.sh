#!/usr/bin/env bash
# Set up wattcode with its test tools, then lint, type-check and run every test
# (the end-to-end tests run the real server over stdio with the real default model).
# The VS Code extension's unit tests and lint (editor-client/) run too when Node >= 20 is there
# (its node_modules are installed with `npm ci` when missing); otherwise skipped, saying why.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev

echo "== ruff" >&2
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy (strict)" >&2
.venv/bin/mypy

# The editor client: `npm test` (tsc and node --test) and `npm run lint` (eslint, prettier).
# Each is skipped, with the reason, where its tools are missing.
client=editor-client
node_at_least() { # MAJOR MINOR: the node on PATH is at least that version
    node -e 'const [a, b] = process.versions.node.split(".").map(Number);
             process.exit(a > +process.argv[1] || (a == +process.argv[1] && b >= +process.argv[2]) ? 0 : 1)' \
        "$1" "$2" > /dev/null 2>&1
}
if ! command -v node > /dev/null 2>&1 || ! command -v npm > /dev/null 2>&1; then
    echo "== editor-client: skipped (no node and npm on PATH; Node >= 20 is needed)" >&2
elif ! node_at_least 20 0; then
    echo "== editor-client: skipped (Node $(node --version) on PATH; Node >= 20 is needed)" >&2
elif [[ ! -x $client/node_modules/.bin/tsc ]] \
    && ! (cd "$client" && timeout 600 npm ci --no-audit --no-fund --silent > /dev/null); then
    echo "== editor-client: skipped (\`npm ci\` in $client failed: is the npm registry reachable?)" >&2
else
    echo "== editor-client: unit tests (npm test)" >&2
    (cd "$client" && npm test --silent)
    if [[ ! -x $client/node_modules/.bin/eslint || ! -x $client/node_modules/.bin/prettier ]]; then
        echo "== editor-client: lint skipped (eslint or prettier not installed: run \`npm install\` in $client)" >&2
    elif ! node_at_least 20 19; then
        echo "== editor-client: lint skipped (ESLint 10 needs Node >= 20.19; this is $(node --version))" >&2
    else
        echo "== editor-client: lint (npm run lint)" >&2
        (cd "$client" && npm run lint --silent)
    fi
fi

echo "== pytest" >&2
# Every tier: the real model, the real editors and the benchmark too (pyproject's addopts
# leave those out of a plain `pytest`).
.venv/bin/python -m pytest -q -o addopts= "$@"
