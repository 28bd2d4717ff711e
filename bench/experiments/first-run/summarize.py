"""Each step's time in the first-run logs (bench/results/first-run/*.log), as a Markdown table.

The steps are cut at the same points in both revisions' logs: `setup: installing` (the virtual
environment and pip's upgrade before it), the first `cmake` process (dependencies before it), the
last `cmake` or `ninja` process (the llama-cpp-python build), `setup: ready` (installing the
packages and assembling the model) and the end (loading the model and completing the sample).

    python3 bench/experiments/first-run/summarize.py bench/results/first-run/*.log
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_STAMP = re.compile(r"^\s*(\d+\.\d) \| (.*)$")
_SEEN = re.compile(r"^# (cmake|ninja): first seen (\d+) s, last seen (\d+) s")
_TOTAL = re.compile(r"^# exit (\d+); total ([\d.]+) s")
_CPU = re.compile(r"this run (\d+) s, everything else (\d+) s")


def steps(log: Path) -> dict[str, str]:
    stamps: dict[str, float] = {}
    seen: dict[str, tuple[int, int]] = {}
    row = {"run": log.stem, "cpu": "not measured"}
    for line in log.read_text(encoding="utf-8").splitlines():
        if match := _STAMP.match(line):
            for key in ("setup: installing", "setup: ready"):
                if match[2].startswith(key):
                    stamps.setdefault(key, float(match[1]))
        elif match := _SEEN.match(line):
            seen[match[1]] = (int(match[2]), int(match[3]))
        elif match := _TOTAL.match(line):
            stamps["total"] = float(match[2])
            row["exit"] = match[1]
        if match := _CPU.search(line):
            row["cpu"] = f"{match[1]} / {match[2]}"
    build_start = seen["cmake"][0]
    build_end = max(seen["cmake"][1], seen["ninja"][1])
    row["venv"] = f"{stamps['setup: installing']:.0f}"
    row["dependencies"] = f"{build_start - stamps['setup: installing']:.0f}"
    row["compile"] = f"{build_end - build_start}"
    row["install, model"] = f"{stamps['setup: ready'] - build_end:.0f}"
    row["suggestion"] = f"{stamps['total'] - stamps['setup: ready']:.1f}"
    row["total"] = f"{stamps['total']:.1f}"
    return row


def main(paths: list[str]) -> int:
    columns = ["run", "venv", "dependencies", "compile", "install, model", "suggestion", "total"]
    columns.append("cpu")
    titles = [*columns[:-1], "CPU s: run / rest"]
    lines = ["| " + " | ".join(titles) + " |", "|" + " --- |" * len(columns)]
    for path in paths:
        row = steps(Path(path))
        lines.append("| " + " | ".join(row[c] for c in columns) + " |")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
