#!/usr/bin/env bash
# Usage: bash bench/gpu/pack_pieces.sh [EXTRA_BYTES]   (here, before each device call)
# The model travels in pieces (`split -b 1M -d -a 3 MODEL .gpu/fx/pieces/p`): this moves the
# next ones into .gpu/fx/next, as many as fit beside the travelling tree (tracked and
# untracked-not-ignored files) and EXTRA_BYTES of other carried paths within a call's 64 MiB,
# keeping a 1.5 MiB margin; the pieces of the previous call go to .gpu/fx/sent. Carry
# .gpu/fx/next and copy it to /root/wc/parts there.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
mkdir -p .gpu/fx/next .gpu/fx/sent
find .gpu/fx/next -type f -exec mv -t .gpu/fx/sent/ {} +
tree=$(git ls-files -co --exclude-standard -z | xargs -0 stat -c %s 2>/dev/null | awk '{s += $1} END {print s}')
room=$((64 * 1048576 - tree - ${1:-0} - 1572864))
count=0 used=0
for piece in $(ls .gpu/fx/pieces | sort); do
  size=$(stat -c %s ".gpu/fx/pieces/$piece")
  [ $((used + size)) -gt "$room" ] && break
  mv ".gpu/fx/pieces/$piece" .gpu/fx/next/
  used=$((used + size)) count=$((count + 1))
done
echo "tree $tree bytes, room $room: $count pieces ($used bytes) in .gpu/fx/next, $(ls .gpu/fx/pieces | wc -l) left"
