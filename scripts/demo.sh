#!/usr/bin/env bash
# Set up wattcode and complete a bundled sample file with the embedded default model.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

file=examples/sample.py line=17 column=16
echo
echo "== wattcode completes $file at line $line, column $column (█ is the cursor):"
sed -n "$((line - 2)),$((line - 1))p" "$file"
sed -n "${line}p" "$file" | cut -c "1-$((column - 1))" | sed 's/$/█/'
echo
echo "== suggestion:"
.venv/bin/wattcode complete "$file:$line:$column" 2>/tmp/wattcode-demo-cost.$$
echo
echo "== what it cost:"
sed 's/^wattcode: //' /tmp/wattcode-demo-cost.$$
rm -f /tmp/wattcode-demo-cost.$$
echo
echo "Next: point your editor at '$(pwd)/.venv/bin/wattcode serve' (README: editor set-up)."
