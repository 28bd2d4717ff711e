"""Pool the two held-out runs of bench/experiments/confidence (from the repository root):

PYTHONPATH=.:bench python bench/results/confidence/peer-held-out/pool.py
"""

import json
import sys
from pathlib import Path

from wattcode_bench.confidence_sweep import spans_of
from wattcode_bench.quality import quality

RUNS = (
    Path("bench/results/confidence/report-wide/results.json"),
    Path("bench/results/confidence/peer-held-out/results.json"),
)
CONFIGS = ("whitespace-healing", "wattcode", "llamavim")


def main() -> None:
    totals: dict[str, dict[str, float]] = {}
    for path in RUNS:
        configs = json.loads(path.read_text())["typing"]["configs"]
        for name in CONFIGS:
            if name not in configs:
                continue
            summary = configs[name]
            spans = spans_of(summary["key_records"])
            q = quality(spans, summary["energy_joules"], summary["prompt_tokens_evaluated"])
            keys = sum(len(rows) for rows in spans)
            evaluated = summary["prompt_tokens_evaluated"]
            sys.stdout.write(f"{path.parent.name} {name}: {keys} keys, ")
            sys.stdout.write(f"{evaluated / keys:.2f} evaluated/key\n")
            pooled = totals.setdefault(name, dict.fromkeys(("shown", "taken", "kept", "keys"), 0))
            pooled["shown"] += q["shown"]
            pooled["taken"] += q["taken_whole"]
            pooled["kept"] += q["kept_chars"]
            pooled["keys"] += keys
            pooled["line_end"] = pooled.get("line_end", 0) + q["right_to_line_end"]
            pooled["joules"] = pooled.get("joules", 0) + summary["energy_joules"]
    for name, t in totals.items():
        sys.stdout.write(
            f"{name}: shown {t['shown']:.0f}, taken {t['taken']:.0f} "
            f"({100 * t['taken'] / t['shown']:.1f} %), kept per 100 keys "
            f"{100 * t['kept'] / t['keys']:.2f}, right to the line end {t['line_end']:.0f}, "
            f"J per kept char {t['joules'] / t['kept']:.3f}\n"
        )


if __name__ == "__main__":
    main()
